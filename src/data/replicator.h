// HTTP replication of data records (issue 11): when a publish cannot reach the DHT (no good nodes, or the put
// failed), the record is POSTed to /api/replicate of every hub this one knows (PUBLIC_URLs from hub records and
// REPLICATION_PEERS), in the background: the publish reply never waits for it.
//
// Each (peer, record) is a job: tried up to kAttempts times with backoff (0.5 s, 1 s, 2 s) while the peer answers
// 5xx or not at all; a 2xx ends it; a 4xx too (the peer refused the record: retrying will not help). Bounded: at
// most kMaxJobs jobs waiting or running (beyond: the oldest waiting job is dropped and counted).
// Threading: io thread only.
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "data/replicator_stats.h"
#include "net/http_client.h"

namespace pigeonhub {


class Replicator {
public:
    static constexpr int kAttempts = 3;
    static constexpr std::size_t kMaxJobs = 4096;

    Replicator(asio::io_context& io, HttpClient& http);

    // Sends `record_json` (one record, data_record.h's shape) to "<base>/api/replicate" for each base URL in
    // `peers` ("http://host:port", trailing slash optional; ws:// is taken as http://, wss:// as https://, which
    // HttpClient skips).
    void replicate(const std::vector<std::string>& peers, const std::string& record_json);

    const ReplicationStats& stats() const noexcept;
    std::size_t pending() const noexcept;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace pigeonhub
