// The signaling core: connections by peer id, namespaces, discovery and signal routing.
//
// Pure logic: no sockets, no timers, no threads. It takes decoded inputs (an admitted id, the text of one
// message, a disconnect) plus the current time, and acts only through an Outbox. The network layer calls it
// from a single thread (the hub's io thread); it is not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pigeonhub/config.h"
#include "protocol/inbound.h"
#include "protocol/outbound.h"
#include "signaling/access_gate.h"
#include "signaling/announce_budget.h"
#include "signaling/mesh_link.h"
#include "signaling/namespace_members.h"
#include "signaling/outbox.h"
#include "signaling/peer_key.h"
#include "signaling/signaling_stats.h"
#include "util/siphash.h"

namespace pigeonhub {

inline constexpr std::string_view kGlobalNamespace = "global";
inline constexpr std::string_view kHubMeshNamespace = "pigeonhub-mesh";

struct AdmitResult {
    bool accepted = false;
    Slot slot = 0;              // valid when accepted
    std::uint16_t close_code = 0;
    std::string_view reason;    // close reason when rejected (a static string)
};

// Read-only view of one announced peer, for /peers.
struct PeerInfo {
    std::string_view peer_id;
    std::string_view network;
    std::int64_t connected_at_ms;
    std::int64_t announced_at_ms;
};

class Router {
public:
    explicit Router(const SignalingOptions& options);

    // Admission of a new WebSocket connection that asked for `peer_id` (already percent-decoded).
    // On rejection nothing is kept; the caller closes with close_code/reason. A duplicate makes the router
    // ask the outbox to probe the current holder.
    AdmitResult admit(std::string_view peer_id, Outbox& out, std::int64_t now_ms);
    // Sends `connected`. Call once the transport can deliver to `slot`.
    void greet(Slot slot, Outbox& out, std::int64_t now_ms);
    // One complete inbound message (text or binary payload).
    void on_message(Slot slot, std::string_view text, Outbox& out, std::int64_t now_ms);
    // The connection is gone (any reason). Called exactly once per admitted slot. With notify=false the
    // remaining members are not told (used at shutdown).
    void on_disconnect(Slot slot, Outbox& out, std::int64_t now_ms, bool notify = true);

    // --- the hub mesh (peers on other hubs) ---
    // Optional; without it the hub is standalone. Must outlive the router's use of it.
    void set_mesh(MeshLink* mesh) noexcept { mesh_ = mesh; }
    // Namespace access control (docs/AUTH.md). Optional; without it every namespace is open. Must outlive the
    // router's use of it.
    void set_access(AccessGate* gate) noexcept { access_ = gate; }
    // A peer on another hub appeared in (or changed its data in) namespace `ns`: local members learn it.
    // `head` is its peer-discovered head, `key` its id value (for bounded discovery).
    void remote_peer_discovered(std::string_view ns, const PeerKey& key, const SharedText& head, Outbox& out,
                                std::int64_t now_ms);
    // A peer on another hub left `ns`: local members get peer-disconnected.
    void remote_peer_gone(std::string_view ns, std::string_view peer_id, Outbox& out, std::int64_t now_ms);
    // A signal relayed by another hub: delivered verbatim if `target` is here and in namespace `ns`.
    // Returns false (and counts a drop) otherwise.
    bool remote_signal(std::string_view target, std::string_view ns, const SharedText& text, Outbox& out);

    // True if a connection on this hub holds `peer_id`.
    bool is_local(std::string_view peer_id) const { return by_id_.find(peer_id) != by_id_.end(); }

    // --- observation (same thread) ---
    std::size_t connections() const noexcept { return live_; }
    std::size_t announced_peers() const noexcept { return announced_; }
    std::size_t namespaces() const noexcept { return ns_by_name_.size(); }
    const SignalingStats& stats() const noexcept { return stats_; }
    std::string_view peer_id(Slot slot) const { return peers_[slot].id; }
    // Namespaces with their member counts, largest first, at most `limit`. Protected namespaces (docs/AUTH.md) are
    // left out here and in list_peers: their names and members are not for everyone.
    std::vector<std::pair<std::string_view, std::size_t>> largest_namespaces(std::size_t limit) const;
    // Announced peers, optionally in one namespace, from `offset`, at most `limit`; *total gets the count.
    std::vector<PeerInfo> list_peers(std::string_view network, bool filter, std::size_t offset, std::size_t limit,
                                     std::size_t* total) const;

private:
    static constexpr std::uint32_t kNoNamespace = 0xFFFFFFFFu;

    struct Peer {
        bool live = false;
        std::string id;
        PeerKey key;
        std::uint32_t ns = kNoNamespace;
        SharedText discovered_head;  // `peer-discovered` head about this peer, set while announced
        std::int64_t connected_at = 0;
        std::int64_t announced_at = 0;
        AnnounceBudget budget;
    };
    struct Namespace {
        std::string name;
        std::string name_json;  // quoted
        NamespaceMembers members;
    };

    // The access hook (router_access.cpp): false when the announce must not go on (refused, or waiting).
    bool access_allows(Slot slot, const InboundMessage& msg, std::string_view text, Outbox& out, std::int64_t now);
    // A signal in a protected namespace is delivered only between announced (so admitted) members; a sender on
    // another hub was admitted there.
    bool access_blocks_signal(bool sender_announced, const Peer& target, std::string_view ns) const;
    // Whether a namespace shows in /peers and /signaling: a protected one (docs/AUTH.md) does not.
    bool listed(std::string_view ns) const { return !access_ || !access_->is_protected(ns); }
    void handle_announce(Slot slot, const InboundMessage& msg, Outbox& out, std::int64_t now);
    // The abuse budgets (announce_budget.h): false if an announce is refused (counted; the sender told).
    // ANNOUNCE_RATE, for every announce:
    bool announce_allowed(Slot slot, Outbox& out, std::int64_t now);
    // MAX_PEERS_PER_NAMESPACE and NAMESPACE_RATE, for an announce into `name` (nothing if already there):
    bool may_enter(Slot slot, std::string_view name, Outbox& out, std::int64_t now);
    void handle_signal(Slot slot, const InboundMessage& msg, Outbox& out, std::int64_t now);
    void handle_goodbye(Slot slot, const InboundMessage& msg, Outbox& out, std::int64_t now);
    void leave_namespace(Slot slot, Outbox& out, std::int64_t now, bool notify = true);
    void send_error(Slot slot, std::string_view text, Outbox& out, std::int64_t now);
    void send_targeted(Slot to, const SharedText& head, Outbox& out, std::int64_t now);
    // The members of `ns` that an announce or departure of the peer with `key` concerns: all (but `exclude`), or
    // in bounded mode the k closest to `key`.
    void select_members(const Namespace& ns, const PeerKey& key, Slot exclude, std::size_t k,
                        std::vector<Slot>& out) const;
    std::uint32_t find_or_create_namespace(std::string_view name);
    std::string_view effective_namespace(const Peer& p) const;

    SignalingOptions config_;
    std::vector<Peer> peers_;
    std::vector<Slot> free_slots_;
    std::size_t live_ = 0;
    std::size_t announced_ = 0;
    std::unordered_map<std::string, Slot, KeyedHash, std::equal_to<>> by_id_;
    std::vector<Namespace> namespaces_;
    std::vector<std::uint32_t> free_namespaces_;
    std::unordered_map<std::string, std::uint32_t, KeyedHash, std::equal_to<>> ns_by_name_;
    SignalingStats stats_;
    std::vector<Slot> scratch_;
    InboundMessage inbound_;  // reused by on_message, so its strings keep their capacity
    MeshLink* mesh_ = nullptr;
    AccessGate* access_ = nullptr;
};

}  // namespace pigeonhub
