// The hubs of the mesh: this hub's own record (mesh_records.h HubRecord: id, URL, region, load, certificate),
// re-published every mesh::kHubRecordPeriod, and the other hubs' records heard under the hubs key, newest per hub
// (each update is a new value, docs/MESH.md). A record is also how a hub shows its member certificate: each one is
// presented to the Membership, and only members are listed. Feeds /hubs and tells the other parts when a hub is
// admitted (its records held until then may be applied) or stops counting (its certificate expired).
//
// Bounded by mesh::kMaxHubs (further hubs are not listed).
// Threading: io thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mesh/dht_port.h"
#include "mesh/membership.h"
#include "mesh/mesh_records.h"
#include "mesh/mesh_status.h"
#include "mesh/page_signature.h"
#include "pigeonhub/config.h"
#include "util/clock_fn.h"

namespace pigeonhub {

class HubDirectory {
public:
    struct Events {
        std::function<void(const std::string&)> admitted;  // a hub is listed for the first time, or shows a new page key
        std::function<void(const std::string&)> refused;   // a hub's record was refused (it was a member, or unknown)
    };
    // `capacity`: the WebSocket connections this hub admits (published in its record).
    HubDirectory(const MeshOptions& options, std::uint64_t capacity, DhtPort& dht, Membership& membership,
                 MeshStats& stats, Clock clock)
        : config_(options), capacity_(capacity), dht_(dht), membership_(membership), stats_(stats), clock_(std::move(clock)) {}

    // Listens to the hubs key; this hub's record shows `page_key` (64 hex, page_signature.h). REQUIRES: called once.
    void start(std::string hub_id, std::string page_key, Events events);
    void stop();
    // Publishes this hub's record (an edit of it).
    void publish(std::uint64_t connections, std::int64_t now_ms);
    // Replaces this hub's record by its tombstone (drain): other hubs drop it from their lists at once. Nothing is
    // published afterwards.
    void withdraw(std::int64_t now_ms);
    // Forgets `hub` (revoked).
    void drop(const std::string& hub);

    // Live member hubs, this one included (its record from the current figures if not heard back yet).
    std::vector<mesh::HubRecord> list(std::uint64_t connections, std::int64_t now_ms) const;
    // The key `hub`'s presence pages are signed with, from its newest record; nullptr while no record of it that
    // counts (a member's, with a well-formed pageKey) was heard. A hub that left keeps its key until its tombstone
    // expires, so that its pages' tombstones still count.
    const mesh::PageKey* page_key_of(std::string_view hub) const;

private:
    void on_values(const std::vector<DhtValue>& values, bool expired);

    struct Known {
        std::uint64_t value_id;  // the value it is known by (each update is a new value)
        mesh::HubRecord record;  // withdrawn: kept (not listed) until its tombstone expires, so that an older
                                 // record heard later does not list the departed hub again
        std::optional<mesh::PageKey> page_key;  // decoded from the record (a tombstone keeps the one before)
    };
    const MeshOptions& config_;
    std::uint64_t capacity_;
    DhtPort& dht_;
    Membership& membership_;
    MeshStats& stats_;
    Clock clock_;
    std::string hub_id_;
    std::string certificate_;
    std::string page_key_;
    Events events_;
    std::uint64_t token_ = 0;
    bool listening_ = false;
    bool withdrawn_ = false;
    std::map<std::string, Known, std::less<>> hubs_;
};

}  // namespace pigeonhub
