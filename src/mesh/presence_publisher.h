// This hub's presence in the DHT: its announced peers of each namespace as pages (mesh_records.h) signed with the
// hub's Ed25519 page key and put as plain values (page_signature.h), one record per (namespace, page index), each
// page up to kPageBudget bytes of entries so that a few hundred peers share one signature. A changed page is re-published (a new value with a higher seq, docs/MESH.md), an emptied
// one withdrawn with a tombstone.
//
// Changes are batched: while the DHT node's put queue (its signing thread, which plain pages pass through to keep
// one order) is idle a change goes out on the loop's next turn (so the rest of the current burst of reads joins
// it); while it is busy, the changes within kFlushDelay of the last flush share one edit per page.
//
// Bounded by the local peers: one entry per announced peer, pages freed when their namespace empties.
// Threading: io thread only.
#pragma once

#include <asio.hpp>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "mesh/dht_port.h"
#include "mesh/mesh_records.h"
#include "mesh/mesh_status.h"
#include "data/data_record.h"

namespace pigeonhub {

class PresencePublisher {
public:
    // `buckets`: MESH_NAMESPACE_BUCKETS (mesh::presence_key).
    PresencePublisher(asio::io_context& io, std::string app_id, std::uint32_t buckets, DhtPort& dht, MeshStats& stats);

    // `page_key` signs the pages (its public half is in this hub's record). REQUIRES: called once, before anything
    // is added.
    void start(std::string hub_id, const data::Ed25519Key& page_key) {
        hub_id_ = std::move(hub_id);
        page_key_ = page_key;
    }
    // `peer` announced (or re-announced) in `ns` with `data` (its discovery data, a JSON object). Returns true
    // when `ns` had no local member before.
    bool add(std::string_view ns, std::string_view peer, std::string_view data);
    // `peer` left `ns`. Returns true when it was the namespace's last local member.
    bool remove(std::string_view ns, std::string_view peer);
    // Withdraws every page at once (graceful shutdown); nothing is published afterwards.
    void stop();
    // Pages this hub publishes now (those with at least one peer).
    std::size_t pages() const;

private:
    struct Page {
        std::map<std::string, std::string> peers;  // peer id -> discovery data
        std::size_t bytes = 0;
    };
    struct Local {
        std::vector<Page> pages;
        std::map<std::string, std::size_t, std::less<>> page_of;
        std::set<std::size_t> dirty;  // pages to publish at the next flush
        std::size_t members = 0;
    };

    void schedule_flush();
    void flush(const std::string& ns, Local& local);

    std::string app_id_;
    std::uint32_t buckets_;
    DhtPort& dht_;
    MeshStats& stats_;
    std::string hub_id_;
    data::Ed25519Key page_key_;
    std::map<std::string, Local, std::less<>> locals_;
    mesh::EditClock edits_;
    asio::steady_timer flush_timer_;
    bool flush_armed_ = false;
    std::chrono::steady_clock::time_point last_flush_{};
    bool stopped_ = false;
};

}  // namespace pigeonhub
