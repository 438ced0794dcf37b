// What the hub mesh reports to /health, /hubs and /stats. Plain values, no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "mesh/dht_traffic.h"
#include "mesh/mesh_records.h"

namespace pigeonhub {

// Records the mesh refused (Membership, docs/MESH.md), by what they were and why.
enum class RecordKind : std::uint8_t { presence, hub_record, link_key, key_request, signal };
inline constexpr std::size_t kRecordKinds = 5;
enum class Refusal : std::uint8_t {
    not_member,       // signed by a DHT node that is not an admitted hub (no valid certificate came; single mode)
    bad_certificate,  // a hub record whose certificate does not admit its signer
    revoked,          // signed by a hub listed in MESH_REVOKED
    over_bound,       // beyond the bound of pages tracked
    bad_signature,    // a presence page whose Ed25519 signature is not its hub's page key's (page_signature.h)
    rate_limited,     // a member hub over its record budget (record_budget.h) whose record could not wait
};
inline constexpr std::size_t kRefusals = 6;

struct MeshStats {
    std::array<std::uint64_t, kRecordKinds> refused_kind{};
    std::array<std::uint64_t, kRefusals> refused_reason{};
    void refuse(RecordKind kind, Refusal why, std::uint64_t n = 1) {
        refused_kind[static_cast<std::size_t>(kind)] += n;
        refused_reason[static_cast<std::size_t>(why)] += n;
    }

    std::uint64_t presence_published = 0;   // presence puts (joins and data changes)
    std::uint64_t presence_withdrawn = 0;
    std::uint64_t records_received = 0;     // presence values seen from other hubs
    std::uint64_t records_invalid = 0;      // malformed, unsigned or inconsistent records ignored
    std::uint64_t records_stale = 0;        // presence values older than the page's current one, and hub records
                                            // older than the hub's current one (ignored: replays, late copies)
    std::uint64_t records_throttled = 0;    // member hubs' records over their hub's budget (record_budget.h): pages
                                            // deferred or dropped, signals dropped
    std::uint64_t records_other_namespace = 0;  // pages of a namespace with no member here, heard on a presence key
                                                // it shares with a namespace that has one (ignored)
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
    std::uint64_t records_pending = 0;        // records held until their signer's membership is known (now)
    std::uint64_t records_deferred = 0;       // pages held until their hub is under its budget again (now)
    std::uint64_t hubs_throttled = 0;         // member hubs over their page or signal budget (now)
    std::uint64_t members = 0;                // hubs admitted by their certificate (MESH_TRUST=ca; now)
    std::uint64_t certificates_verified = 0;  // certificate chains checked (once per hub and certificate)
    std::uint64_t certificates_deferred = 0;  // checks put off: the budget per second was spent
};

struct MeshStatus {
    bool ready = false;              // DHT connected (or alone by configuration)
    std::string node_id;             // DHT routing id
    std::string hub_id;              // public key id of this hub's identity
    unsigned good_nodes = 0;
    std::uint16_t dht_port = 0;
    std::int64_t unready_for_ms = 0; // how long the DHT has been not ready
    std::size_t remote_peers = 0;
    DhtTraffic dht_traffic;          // DHT messages since start (requests by kind, datagrams sent)
    std::size_t values_announced = 0;  // values this node re-announces (its records' current edits, and replaced
                                       // ones until the put replacing them is done)
    std::size_t presence_pages = 0;    // this hub's presence pages published now
    // OpenDHT operations since start (DhtNode::OpStats).
    std::uint64_t dht_puts = 0, dht_put_failures = 0, dht_gets = 0, dht_get_failures = 0, dht_listens = 0,
                  dht_listens_active = 0,
                  dht_listen_keys = 0;  // keys with an OpenDHT listen, kept for the node's life (dht_node.cpp)
    std::vector<mesh::HubRecord> hubs;
    MeshStats stats;
};

}  // namespace pigeonhub
