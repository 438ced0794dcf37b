// Signals for peers on other hubs, both ways: each one sealed with AES-256-GCM under a key this hub drew for the
// receiving hub and sent it once, signed and encrypted (hub_link.h), put under that hub's inbox key; and this
// hub's inbox: link keys and key requests from other hubs, sealed signals opened (held up to mesh::kHoldMs for a
// key not yet here, which is then asked for), numbered per (sender, target) and delivered in that order
// (signal_order.h) to the local peer through the Router, at most once.
//
// Only member hubs (Membership) get link keys, and only theirs are taken (a key from a hub not known yet waits in a
// PendingRecords buffer); key requests and sealed signals from other signers are refused and counted.
//
// Sealed signals of each member hub are charged to its RecordBudget (record_budget.h, MESH_SIGNAL_RATE) once they
// opened with its link key; over the budget they are dropped and counted (mesh.refused.rateLimited, kind signal).
//
// Bounded: mesh::kMaxLinks keys each way, kMaxHeld held signals, kSeenSignals remembered value ids, key requests
// rate-limited (mesh_limits.h says why each).
// Threading: io thread only.
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "mesh/dht_port.h"
#include "mesh/hub_link.h"
#include "mesh/membership.h"
#include "mesh/mesh_status.h"
#include "mesh/pending_records.h"
#include "mesh/record_budget.h"
#include "mesh/signal_order.h"
#include "signaling/outbox.h"
#include "signaling/router.h"
#include "util/clock_fn.h"

namespace pigeonhub {

class SignalRelay {
public:
    SignalRelay(asio::io_context& io, std::string app_id, DhtPort& dht, const Membership& membership, Router& router,
                Outbox& out, MeshStats& stats, Clock clock, std::uint32_t signal_rate = 0);

    // Listens to this hub's inbox. REQUIRES: called once.
    void start(std::string hub_id);
    void stop();

    // Sends `text` (the client-facing signal) from local `from` to `target`, a peer of hub `to_hub`, in `ns`.
    void send(std::string_view from, std::string_view target, std::string_view ns, std::string text,
              const std::string& to_hub, std::int64_t now);
    // `hub` was admitted: its keys held until now are taken, and signals from it that wait for a key get it.
    void admitted(const std::string& hub, std::int64_t now);
    // `hub` no longer counts (revoked, refused): its keys are forgotten both ways, what waits from it dropped.
    void drop_hub(const std::string& hub, Refusal why);
    std::size_t pending() const noexcept { return pending_keys_.size(); }
    // Drops held signals whose key did not come in time and releases signals whose wait for a predecessor ran
    // out (call about once a second; the order timer does the latter more often).
    void tick(std::int64_t now);

    std::uint64_t late_dropped() const noexcept { return order_.late_dropped(); }
    std::uint64_t gaps_skipped() const noexcept { return order_.gaps_skipped(); }
    std::size_t hubs_throttled(std::int64_t now) const { return budget_.throttled(now); }

private:
    void on_inbox(const std::vector<DhtValue>& values, bool expired);
    void on_sealed(std::string data, std::int64_t now);
    void accept(const std::string& from_hub, std::string_view text, std::int64_t now);
    hub_link::Sealer& link_to(const std::string& hub, std::int64_t now);
    void send_key(const std::string& hub, std::int64_t now);
    void request_key(const std::string& hub, std::uint64_t key_id, std::int64_t now);
    void release_held(const std::string& from_hub, std::int64_t now);
    void deliver(std::vector<OrderedSignal>& ready);
    void arm_order_timer();

    std::string app_id_;
    DhtPort& dht_;
    const Membership& membership_;
    Router& router_;
    Outbox& out_;
    MeshStats& stats_;
    Clock clock_;
    std::string hub_id_;
    std::uint64_t inbox_token_ = 0;
    bool started_ = false;
    bool stopped_ = false;
    // Sending side: one sealer per receiving hub.
    struct OutLink {
        hub_link::Sealer sealer;
        std::int64_t key_sent_ms = 0;
    };
    std::map<std::string, OutLink, std::less<>> out_links_;
    SignalNumbering numbering_;
    // Receiving side.
    std::optional<hub_link::Keyring> keyring_;
    PendingRecords<hub_link::LinkKey> pending_keys_;
    RecordBudget budget_;
    struct Held {
        std::string data;  // the sealed value (its header names the sending hub and the key)
        std::int64_t since_ms;
    };
    std::deque<Held> held_;
    std::map<std::string, std::int64_t, std::less<>> key_asked_ms_;
    std::int64_t key_asks_second_ = 0;
    int key_asks_in_second_ = 0;
    std::deque<std::uint64_t> seen_order_;  // recent inbox value ids (at most once), bounded
    std::unordered_set<std::uint64_t> seen_;
    SignalOrder order_;
    std::vector<OrderedSignal> ready_;  // scratch for order_
    asio::steady_timer order_timer_;
    bool order_timer_armed_ = false;
};

}  // namespace pigeonhub
