// The data records this hub holds (issue 11): what it published, what other hubs replicated to it over HTTP, and
// what finds brought back from the DHT, all verified before they get here. Per topic, one record per publisher key:
// a record replaces that publisher's earlier one when its seq is higher. Records leave when they expire.
// Pure bookkeeping, no I/O (store_file.h writes it to disk); io thread only.
//
// Bounded: Limits::per_topic publishers per topic and Limits::bytes in all (a record counts its topic, data and
// ~300 bytes of fields). At either bound a new record is refused (Put::topic_full / store_full, counted by the
// caller); records already held are never evicted for newcomers, so a flood cannot push out what is there.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "data/data_record.h"

namespace pigeonhub::data {

class RecordStore {
public:
    struct Limits {
        std::size_t per_topic = 64;
        std::size_t bytes = 32u << 20;
    };
    explicit RecordStore(Limits limits) : limits_(limits) {}
    RecordStore() : RecordStore(Limits{}) {}

    enum class Put { stored, replaced, stale, expired, topic_full, store_full };
    // Holds `r` (verified) unless it has expired at `now_ms` or its publisher already has one with a seq at least
    // as high. `in_dht`: the record is known to be in the DHT (else unsent() lists it until marked).
    Put put(Record r, std::int64_t now_ms, bool in_dht);

    // The live records of `topic`, newest first (published, then seq, descending).
    std::vector<Record> find(std::string_view topic, std::int64_t now_ms) const;
    // Drops the records that expired by `now_ms`; returns how many.
    std::size_t expire(std::int64_t now_ms);

    // Records not yet known to be in the DHT (at most `max`), and marking them sent.
    std::vector<Record> unsent(std::size_t max) const;
    void mark_in_dht(std::string_view topic, std::string_view public_key, std::uint64_t seq);
    std::size_t unsent_count() const noexcept { return unsent_; }

    void for_each(const std::function<void(const Record&)>& fn) const;
    std::size_t size() const noexcept { return count_; }
    std::size_t bytes() const noexcept { return bytes_; }
    std::size_t topics() const noexcept { return topics_.size(); }

    static std::size_t cost(const Record& r) { return r.topic.size() + r.data.size() + 300; }

private:
    struct Held {
        Record record;
        bool in_dht = false;
    };
    using Publishers = std::map<std::string, Held, std::less<>>;  // public key -> record
    void drop_expiry(std::uint64_t expires, const std::string& topic, const std::string& key);

    Limits limits_;
    std::map<std::string, Publishers, std::less<>> topics_;
    std::multimap<std::uint64_t, std::pair<std::string, std::string>> by_expiry_;  // expires -> (topic, key)
    std::size_t count_ = 0;
    std::size_t bytes_ = 0;
    std::size_t unsent_ = 0;
};

}  // namespace pigeonhub::data
