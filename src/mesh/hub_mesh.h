// The hub mesh: maps local signaling onto the DHT and remote DHT records back onto local peers.
//
// - Presence: this hub's announced peers of a namespace as signed pages (up to 48 KB each) under the namespace
//   key (lease 30 s, refreshed by OpenDHT; a changed page is a new value with a higher seq, an emptied one is
//   withdrawn with a tombstone: docs/MESH.md). Each namespace with local members is listened to; the newest
//   value of each remote page (RecordVersions) feeds the RemoteDirectory and becomes peer-discovered /
//   peer-disconnected.
// - Signals for peers on other hubs: one value under the target hub's inbox key, which each hub listens to,
//   sealed with an AES key this hub sent that hub once, signed and encrypted (hub_link.h).
// - Hub records: a signed record per hub under the hubs key (lease 30 s, updated every 10 s); /hubs lists them.
// Threading: io thread only (the DhtPort runs its callbacks there).
#pragma once

#include <asio.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "mesh/dht_port.h"
#include "mesh/hub_link.h"
#include "mesh/mesh_records.h"
#include "mesh/mesh_status.h"
#include "mesh/record_versions.h"
#include "mesh/remote_directory.h"
#include "mesh/signal_order.h"
#include "pigeonhub/config.h"
#include "signaling/mesh_link.h"
#include "signaling/outbox.h"
#include "signaling/router.h"

namespace pigeonhub {


class HubMesh final : public MeshLink {
public:
    HubMesh(asio::io_context& io, const Config& config, Router& router, Outbox& out, DhtPort& dht);

    // Starts listening (inbox, hubs) and publishing this hub's record. The DHT node must be started.
    void start();
    // Withdraws this hub's records (graceful shutdown). The DHT node is stopped by its owner afterwards.
    void stop();

    // MeshLink
    void local_joined(std::string_view ns, std::string_view peer_id, std::string_view discovery_data) override;
    void local_left(std::string_view ns, std::string_view peer_id) override;
    bool forward_signal(std::string_view from, std::string_view target, std::string_view ns,
                        std::string text) override;
    void for_each_remote(std::string_view ns, const std::function<void(const SharedText&)>& fn) const override;

    // Live hubs from the DHT (this one included), for /hubs.
    std::vector<mesh::HubRecord> hubs() const;
    const MeshStats& stats() const noexcept { return stats_; }
    std::size_t remote_peers() const noexcept { return directory_.size(); }
    // How long the DHT has been not ready, in ms (0 when ready).
    std::int64_t unready_for_ms(std::int64_t now_ms) const;

private:
    // This hub's peers in one namespace, published as pages (one signed record each).
    struct LocalPage {
        std::map<std::string, std::string> peers;  // peer id -> discovery data
        std::size_t bytes = 0;
    };
    struct LocalNamespace {
        std::vector<LocalPage> pages;
        std::map<std::string, std::size_t, std::less<>> page_of;
        std::set<std::size_t> dirty;  // pages to re-publish at the next flush
        std::size_t members = 0;
        std::uint64_t listen_token = 0;
        bool listening = false;
    };

    void on_presence(const std::string& ns, const std::vector<DhtValue>& values, bool expired);
    void announce_diff(const std::string& ns, const RemoteDirectory::Diff& diff, std::int64_t now);
    void schedule_flush();
    void flush_namespace(const std::string& ns, LocalNamespace& local);
    bool listening(const std::string& ns) const;
    void confirm_expired(const std::string& ns, std::vector<std::pair<std::uint64_t, std::uint64_t>> pages,
                         int attempts_left);
    void on_inbox(const std::vector<DhtValue>& values, bool expired);
    void on_sealed(std::string data, std::int64_t now);
    void accept_signal(const std::string& from_hub, std::string_view text, std::int64_t now);
    hub_link::Sealer& link_to(const std::string& hub, std::int64_t now);
    void send_link_key(const std::string& hub, std::int64_t now);
    void request_link_key(const std::string& hub, std::uint64_t key_id, std::int64_t now);
    void release_held(const std::string& from_hub, std::int64_t now);
    void expire_held(std::int64_t now);
    void on_hubs(const std::vector<DhtValue>& values, bool expired);
    void publish_hub_record();
    void deliver(std::vector<OrderedSignal>& ready);
    void arm_order_timer();
    void arm_timer();
    std::int64_t now_ms() const;

    asio::io_context& io_;
    Config config_;
    Router& router_;
    Outbox& out_;
    DhtPort& dht_;
    std::string hub_id_;
    RemoteDirectory directory_;
    std::map<std::string, LocalNamespace, std::less<>> locals_;
    std::uint64_t inbox_token_ = 0;
    std::uint64_t hubs_token_ = 0;
    struct KnownHub {
        std::uint64_t value_id;  // the DHT value it came in (a restarted hub publishes under a new one)
        mesh::HubRecord record;
    };
    std::map<std::string, KnownHub, std::less<>> hubs_;  // by hub id
    RecordVersions versions_;  // the current value of each remote presence page
    mesh::EditClock edits_;    // seq of this hub's page edits
    std::deque<std::uint64_t> seen_order_;            // recent signal value ids (dedup), bounded
    std::unordered_set<std::uint64_t> seen_;
    SignalNumbering numbering_;
    SignalOrder order_;
    std::vector<OrderedSignal> ready_;  // scratch for order_
    // Sealed links (hub_link.h). Sending side: one sealer per receiving hub, bounded by kMaxLinks.
    struct OutLink {
        hub_link::Sealer sealer;
        std::int64_t key_sent_ms = 0;
    };
    std::map<std::string, OutLink, std::less<>> out_links_;
    // Receiving side: keys from other hubs, sealed signals waiting (at most 2 s) for a key not yet here, and
    // when each hub was last asked for its key.
    std::optional<hub_link::Keyring> keyring_;
    struct Held {
        std::string data;  // the sealed value (its header names the sending hub and the key)
        std::int64_t since_ms;
    };
    std::deque<Held> held_;
    std::map<std::string, std::int64_t, std::less<>> key_asked_ms_;
    std::int64_t key_asks_second_ = 0;
    int key_asks_in_second_ = 0;
    asio::steady_timer order_timer_;
    asio::steady_timer flush_timer_;
    bool flush_armed_ = false;
    std::chrono::steady_clock::time_point last_flush_{};
    bool order_timer_armed_ = false;
    asio::steady_timer timer_;
    std::int64_t unready_since_ms_ = 0;
    std::int64_t started_ms_ = 0;
    std::uint64_t ticks_ = 0;
    MeshStats stats_;
    bool stopped_ = false;
};

}  // namespace pigeonhub
