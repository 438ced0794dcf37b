// The data records kept across restarts (issue 11): STATE_DIR/data-records.jsonl. A header line
// {"pigeonhubDataStore":1}, then one record per line in the shape /api/find returns (data_record.h). Written
// atomically (a temporary file, fsync, rename over the old one), so a crash leaves the old or the new file.
// Loading checks every line like a replicated record (signature, expiry): a line that fails is skipped and
// reported, the rest is loaded (a truncated last line, a corrupt file: the hub starts anyway).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/record_store.h"

namespace pigeonhub::data {

std::string store_path(const std::string& state_dir);

// Writes every record of `store`; "" on success, else why not (the old file stays).
std::string save_store(const std::string& path, const RecordStore& store);

struct LoadReport {
    std::size_t loaded = 0;
    std::size_t expired = 0;                // records whose time was up (not an error)
    std::vector<std::string> problems;      // what was skipped and why ("line 7: bad signature"), at most 20
    std::size_t skipped = 0;
};
// Adds the records of the file at `path` (none if it does not exist) to `store`, as not yet in the DHT.
LoadReport load_store(const std::string& path, RecordStore& store, std::int64_t now_ms);

}  // namespace pigeonhub::data
