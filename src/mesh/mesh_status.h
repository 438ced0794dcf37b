// What the hub mesh reports to /health, /hubs and /stats. Plain values, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mesh/mesh_records.h"

namespace pigeonhub {

struct MeshStats {
    std::uint64_t presence_published = 0;   // presence puts (joins and data changes)
    std::uint64_t presence_withdrawn = 0;
    std::uint64_t records_received = 0;     // presence values seen from other hubs
    std::uint64_t records_invalid = 0;      // malformed, unsigned or inconsistent records ignored
    std::uint64_t records_stale = 0;        // presence values older than the page's current one (ignored)
    std::uint64_t records_refused = 0;      // presence pages beyond the bound of pages tracked (ignored)
    std::uint64_t signals_sent = 0;
    std::uint64_t signals_received = 0;
    std::uint64_t signals_duplicate = 0;
    std::uint64_t signals_undeliverable = 0;  // target gone or in another namespace: dropped, never re-sent
    std::uint64_t link_keys_sent = 0;         // AES link keys sent to other hubs (RSA), see hub_link.h
    std::uint64_t link_keys_received = 0;
    std::uint64_t signals_unopened = 0;       // sealed signals forged, replayed, or whose key never came
    std::uint64_t hub_records_published = 0;
    // Read from the parts that keep them when the stats are taken:
    std::uint64_t remote_peers_refused = 0;   // remote peers beyond the directory's bound (ignored)
    std::uint64_t signals_late_dropped = 0;   // signals that came after their successor was delivered
    std::uint64_t signal_gaps_skipped = 0;    // waits for a missing predecessor that ran out
};

struct MeshStatus {
    bool ready = false;              // DHT connected (or alone by configuration)
    std::string node_id;             // DHT routing id
    std::string hub_id;              // public key id of this hub's identity
    unsigned good_nodes = 0;
    std::uint16_t dht_port = 0;
    std::int64_t unready_for_ms = 0; // how long the DHT has been not ready
    std::size_t remote_peers = 0;
    std::uint64_t dht_messages_out = 0;
    std::uint64_t dht_messages_in = 0;
    std::size_t values_announced = 0;  // values this node re-announces (its records' current edits, and replaced
                                       // ones until the put replacing them is done)
    std::vector<mesh::HubRecord> hubs;
    MeshStats stats;
};

}  // namespace pigeonhub
