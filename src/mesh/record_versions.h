// Which DHT value is the current version of each record another hub publishes. Pure bookkeeping, no I/O; owned
// by HubMesh (io thread).
//
// Every edit of a record is a new DHT value with its own value id, and carries the publisher's edit number
// (`seq`, mesh_records.h): OpenDHT 2.4.12's listeners lose in-place edits of a value at 6+ nodes (docs/MESH.md).
// So a listener sees, for a while, several values of one record (the newest and the superseded ones until they
// expire, in any order) and keeps per record the one with the highest seq. A record is named by the receiver from
// the value's signed content (hub, namespace, page index), never by the value id.
//
// Bounded by max_records: a record beyond it is refused (offer() says `full`) until others are forgotten. A
// record is forgotten when the caller says so: its current value expired (confirmed gone), it was a tombstone
// that expired, or its group (namespace) is no longer listened to.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

namespace pigeonhub {

class RecordVersions {
public:
    explicit RecordVersions(std::size_t max_records) : max_records_(max_records) {}

    enum class Offer {
        newest,  // the record's current version now (apply it)
        stale,   // an older or equal edit than the one held (ignore it)
        full,    // a record not held, and the bound is reached (ignore it)
    };
    // Value `value_id`, edit `seq` of `record` (in `group`, signed by `owner`), arrived. `live`: a page with content (false: a
    // tombstone, the record withdrawn; it is held so that older edits arriving later stay ignored).
    Offer offer(std::uint64_t record, std::string_view group, std::string_view owner, std::uint64_t value_id,
                std::uint64_t seq, bool live);

    // Whether edit `seq` of `record` would be its newest (the record not held, or held at a lower seq). No change.
    bool newer(std::uint64_t record, std::uint64_t seq) const {
        auto it = records_.find(record);
        return it == records_.end() || seq > it->second.seq;
    }
    // The record whose current version is the value `value_id`, if any (an expiry of any other value is noise).
    std::optional<std::uint64_t> record_of(std::uint64_t value_id) const;
    bool is_current(std::uint64_t record, std::uint64_t value_id) const;
    bool live(std::uint64_t record) const;

    void forget(std::uint64_t record);
    void forget_group(std::string_view group);
    // Forgets every record of `owner` (a hub that no longer counts). O(records held).
    void forget_owner(std::string_view owner);

    std::size_t size() const noexcept { return records_.size(); }

private:
    struct Version {
        std::string group;
        std::string owner;
        std::uint64_t value_id = 0;
        std::uint64_t seq = 0;
        bool live = false;
    };
    std::size_t max_records_;
    std::unordered_map<std::uint64_t, Version> records_;
    std::unordered_map<std::uint64_t, std::uint64_t> by_value_;  // current value id -> record
    std::map<std::string, std::set<std::uint64_t>, std::less<>> by_group_;
};

}  // namespace pigeonhub
