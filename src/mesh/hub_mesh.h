// The hub mesh: wires the parts that map local signaling onto the DHT and remote DHT records back onto local
// peers, each with one job (docs/MESH.md has the records and how they travel):
// - Membership: which DHT signers count as hubs (MESH_TRUST, the mesh CA, MESH_REVOKED);
// - PresencePublisher: this hub's peers of each namespace as pages signed with its Ed25519 page key;
// - RemotePresence: member hubs' pages in the namespaces this hub has members in -> peer-discovered/-disconnected;
// - HubDirectory: hub records (/hubs) and the certificates in them, this hub's own re-published every 10 s;
// - SignalRelay: sealed signals to other hubs' inboxes, and this hub's inbox (link keys, order, delivery).
// HubMesh is the Router's MeshLink and the one timer (every second: DHT readiness, revocations, hub record, held
// records and signals). Everything talks to the DHT through the DhtPort only.
// Threading: io thread only (the DhtPort runs its callbacks there).
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "mesh/dht_port.h"
#include "mesh/hub_directory.h"
#include "mesh/membership.h"
#include "mesh/mesh_records.h"
#include "mesh/mesh_status.h"
#include "mesh/presence_publisher.h"
#include "mesh/remote_presence.h"
#include "mesh/signal_relay.h"
#include "pigeonhub/config.h"
#include "signaling/mesh_link.h"
#include "signaling/outbox.h"
#include "signaling/router.h"
#include "util/clock_fn.h"

namespace pigeonhub {

class HubMesh final : public MeshLink {
public:
    using RevokedSet = std::set<std::string, std::less<>>;
    // Polled every second: the revoked hub ids when they changed since the last call, else nullopt.
    using RevokedSource = std::function<std::optional<RevokedSet>()>;

    // `capacity`: the WebSocket connections this hub admits (published in its hub record).
    // `verify` checks hub certificates against the mesh CA (options.trust == ca; mesh_ca::verifier()).
    // `clock` tells the time for everything the mesh times (held signals, order waits, records' timestamps).
    HubMesh(asio::io_context& io, const MeshOptions& options, std::uint64_t capacity, Router& router, Outbox& out,
            DhtPort& dht, Membership::Verifier verify = {}, RevokedSource revoked = {}, Clock clock = system_clock_ms());

    // Starts listening (inbox, hubs) and publishing this hub's record. `page_key` signs this hub's presence pages
    // (page_signature.h; the hub's STATE_DIR/ed25519.pem, so that it stays the same across restarts and pages of a
    // new life are not checked against the key of the last one); without it, a key made for this run (tests).
    void start(const data::Ed25519Key& page_key);
    void start() { start(data::Ed25519Key::generate()); }
    // Withdraws this hub's pages and its hub record (graceful shutdown). The DHT node is stopped by its owner
    // afterwards.
    void stop();

    // MeshLink
    void local_joined(std::string_view ns, std::string_view peer_id, std::string_view discovery_data) override;
    void local_left(std::string_view ns, std::string_view peer_id) override;
    bool forward_signal(std::string_view from, std::string_view target, std::string_view ns,
                        std::string text) override;
    void for_each_remote(std::string_view ns, const std::function<void(const SharedText&)>& fn) const override;

    // Whether records signed by `hub` count as a hub's (Membership; bootstrap announcements ask too).
    bool is_member(const std::string& hub) const;
    // Live member hubs from the DHT (this one included), for /hubs.
    std::vector<mesh::HubRecord> hubs() const;
    MeshStats stats() const;
    std::size_t remote_peers() const noexcept { return remote_.peers(); }
    std::size_t presence_pages() const { return publisher_.pages(); }
    // How long the DHT has been not ready, in ms (0 when ready).
    std::int64_t unready_for_ms(std::int64_t now_ms) const;
    // The hubs revoked from now on (what RevokedSource delivers; public for tests): their records are refused
    // and what they published is dropped at once.
    void set_revoked(RevokedSet revoked);
    // What the mesh's timer does every second (readiness, revocations, held signals and order waits that ran out,
    // held records, the hub record every kHubRecordPeriod). Public for tests that drive the clock themselves.
    void tick();

private:
    void arm_timer();
    void drop_hub(const std::string& hub, Refusal why);

    const MeshOptions config_;
    Clock clock_;
    Router& router_;
    DhtPort& dht_;
    MeshStats stats_;
    Membership membership_;
    RevokedSource revoked_source_;
    PresencePublisher publisher_;
    RemotePresence remote_;
    HubDirectory hubs_;
    SignalRelay relay_;
    asio::steady_timer timer_;
    std::int64_t unready_since_ms_ = 0;
    std::uint64_t ticks_ = 0;
    bool stopped_ = false;
};

}  // namespace pigeonhub
