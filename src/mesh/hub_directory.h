// The hubs of the mesh: this hub's own record (mesh_records.h HubRecord: id, URL, region, load), re-published every
// mesh::kHubRecordPeriod, and the other hubs' records heard under the hubs key, newest per hub (each update is a
// new value, docs/MESH.md). Feeds /hubs and tells the signal relay which hubs exist (only those are asked for
// link keys).
//
// Bounded by mesh::kMaxHubs (further hubs are not listed).
// Threading: io thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mesh/dht_port.h"
#include "mesh/mesh_records.h"
#include "mesh/mesh_status.h"
#include "pigeonhub/config.h"

namespace pigeonhub {

class HubDirectory {
public:
    // `capacity`: the WebSocket connections this hub admits (published in its record).
    HubDirectory(const MeshOptions& options, std::uint64_t capacity, DhtPort& dht, MeshStats& stats)
        : config_(options), capacity_(capacity), dht_(dht), stats_(stats) {}

    // Listens to the hubs key; `on_new_hub(id)` runs when a hub is heard of for the first time.
    // REQUIRES: called once.
    void start(std::string hub_id, std::function<void(const std::string&)> on_new_hub);
    void stop();
    // Publishes this hub's record (an edit of it).
    void publish(std::uint64_t connections, std::int64_t now_ms);

    bool knows(std::string_view hub) const { return hubs_.find(hub) != hubs_.end(); }
    // Live hubs, this one included (its record from the current figures if not heard back yet).
    std::vector<mesh::HubRecord> list(std::uint64_t connections, std::int64_t now_ms) const;

private:
    void on_values(const std::vector<DhtValue>& values, bool expired);

    struct Known {
        std::uint64_t value_id;  // the value it is known by (each update is a new value)
        mesh::HubRecord record;
    };
    const MeshOptions& config_;
    std::uint64_t capacity_;
    DhtPort& dht_;
    MeshStats& stats_;
    std::string hub_id_;
    std::function<void(const std::string&)> on_new_hub_;
    std::uint64_t token_ = 0;
    bool listening_ = false;
    std::map<std::string, Known, std::less<>> hubs_;
};

}  // namespace pigeonhub
