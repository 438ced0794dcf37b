#include "signaling/router.h"

#include <algorithm>

#include "pigeonhub/peer_id.h"
#include "protocol/json.h"

namespace pigeonhub {
namespace {

constexpr std::string_view kGlobalJson = "\"global\"";
constexpr Slot kNoSlot = 0xFFFFFFFFu;  // excludes nobody in closest()

// Bumps a per-type counter.
template <typename Array, typename Enum>
void bump(Array& a, Enum e) {
    ++a[static_cast<std::size_t>(e)];
}

// A connection-rejected whose data.reason is "initiator_role_conflict" (the glare tie-break).
bool is_glare_rejection(const InboundMessage& msg) {
    if (!msg.has_data || msg.data.kind != json::Kind::object) return false;
    bool glare = false;
    json::for_each_member(msg.data.raw, [&](std::string_view key, const json::Value& v) {
        if (json::string_equals(key, "reason"))
            glare = v.kind == json::Kind::string && json::string_equals(v.raw, "initiator_role_conflict");
    });
    return glare;
}

}  // namespace

Router::Router(const SignalingOptions& options) : config_(options) {}

AdmitResult Router::admit(std::string_view peer_id, Outbox& out, std::int64_t now_ms) {
    AdmitResult r;
    if (!is_valid_peer_id(peer_id)) {
        ++stats_.rejected_invalid_id;
        r.close_code = 1008;
        r.reason = "Invalid peerId format";
        return r;
    }
    if (auto it = by_id_.find(peer_id); it != by_id_.end()) {
        ++stats_.rejected_duplicate;
        out.probe(it->second);
        r.close_code = 1008;
        r.reason = "Peer already connected";
        return r;
    }
    if (live_ >= config_.max_connections) {
        ++stats_.rejected_full;
        r.close_code = 1008;
        r.reason = "Maximum connections reached";
        return r;
    }
    Slot slot;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        slot = static_cast<Slot>(peers_.size());
        peers_.emplace_back();
    }
    Peer& p = peers_[slot];
    p.live = true;
    p.id.assign(peer_id);
    p.key = PeerKey::from_hex(peer_id);
    p.ns = kNoNamespace;
    p.discovered_head.reset();
    p.connected_at = now_ms;
    p.announced_at = 0;
    p.budget = AnnounceBudget{};
    by_id_.emplace(p.id, slot);
    ++live_;
    ++stats_.admitted;
    r.accepted = true;
    r.slot = slot;
    return r;
}

void Router::greet(Slot slot, Outbox& out, std::int64_t now_ms) {
    out.send(slot, OutFrame(share(outbound::connected(peers_[slot].id, now_ms))));
}

void Router::on_message(Slot slot, std::string_view text, Outbox& out, std::int64_t now) {
    if (slot >= peers_.size() || !peers_[slot].live) return;
    InboundMessage& msg = inbound_;
    switch (parse_inbound(text, msg)) {
    case ParseStatus::invalid_json:
        ++stats_.invalid_json;
        return;
    case ParseStatus::not_object:
        bump(stats_.received, MessageType::unknown);
        send_error(slot, outbound::unroutable_text(msg.type_label), out, now);
        return;
    case ParseStatus::ok:
        break;
    }
    bump(stats_.received, msg.type);
    switch (msg.type) {
    case MessageType::announce:
        if (access_ && !access_allows(slot, msg, text, out, now)) return;
        handle_announce(slot, msg, out, now);
        return;
    case MessageType::goodbye: handle_goodbye(slot, msg, out, now); return;
    case MessageType::connection_rejected:
        if (is_glare_rejection(msg)) {
            // PeerPigeon 1.1.3 sends this when both sides offered at once and it lost the tie-break. Delivering
            // it makes the other side close the connection it is answering, so the pair never connects (seen
            // with real clients); the reference hub never delivers it. Absorb it.
            ++stats_.glare_rejections_absorbed;
            return;
        }
        handle_signal(slot, msg, out, now);
        return;
    case MessageType::offer:
    case MessageType::answer:
    case MessageType::ice_candidate:
    case MessageType::renegotiation_offer:
    case MessageType::renegotiation_answer: handle_signal(slot, msg, out, now); return;
    case MessageType::ping: out.send(slot, OutFrame(share(outbound::pong(peers_[slot].id, now)))); return;
    case MessageType::cleanup:
    case MessageType::cleanup_all: return;  // accepted; clients do not expect a reply
    case MessageType::peer_discovered:
        send_error(slot, "'peer-discovered' messages are accepted only from hubs", out, now);
        return;
    case MessageType::unknown:
    case MessageType::count_: break;
    }
    send_error(slot, outbound::unroutable_text(msg.type_label), out, now);
}

void Router::on_disconnect(Slot slot, Outbox& out, std::int64_t now, bool notify) {
    if (slot >= peers_.size() || !peers_[slot].live) return;
    Peer& p = peers_[slot];
    if (p.ns != kNoNamespace) leave_namespace(slot, out, now, notify);
    if (auto it = by_id_.find(std::string_view(p.id)); it != by_id_.end() && it->second == slot) by_id_.erase(it);
    p.live = false;
    p.id.clear();
    p.id.shrink_to_fit();
    --live_;
    free_slots_.push_back(slot);
}

void Router::send_error(Slot slot, std::string_view text, Outbox& out, std::int64_t now) {
    ++stats_.errors_sent;
    out.send(slot, OutFrame(share(outbound::error(text, now))));
}

void Router::send_targeted(Slot to, const SharedText& head, Outbox& out, std::int64_t now) {
    char buf[OutFrame::kTailCapacity];
    out.send(to, OutFrame(head, outbound::target_tail(buf, peers_[to].id, now)));
}

std::string_view Router::effective_namespace(const Peer& p) const {
    // A connection that never announced counts as `global` for signaling, as in the reference hub.
    return p.ns == kNoNamespace ? kGlobalNamespace : std::string_view(namespaces_[p.ns].name);
}

std::uint32_t Router::find_or_create_namespace(std::string_view name) {
    if (auto it = ns_by_name_.find(name); it != ns_by_name_.end()) return it->second;
    std::uint32_t idx;
    if (!free_namespaces_.empty()) {
        idx = free_namespaces_.back();
        free_namespaces_.pop_back();
    } else {
        idx = static_cast<std::uint32_t>(namespaces_.size());
        namespaces_.emplace_back();
    }
    Namespace& ns = namespaces_[idx];
    ns.name.assign(name);
    ns.name_json.clear();
    json::append_quoted(ns.name_json, name);
    ns_by_name_.emplace(ns.name, idx);
    return idx;
}

void Router::select_members(const Namespace& ns, const PeerKey& key, Slot exclude, std::size_t k,
                            std::vector<Slot>& out) const {
    out.clear();
    if (config_.discovery == DiscoveryMode::all) {
        out.reserve(ns.members.size());
        for (const auto& e : ns.members.entries())
            if (e.slot != exclude) out.push_back(e.slot);
        return;
    }
    ns.members.closest(key, k, exclude, out);
}

bool Router::announce_allowed(Slot slot, Outbox& out, std::int64_t now) {
    Peer& self = peers_[slot];
    if (self.budget.take_announce(config_, now)) return true;
    ++stats_.announce_rate_limited;
    if (self.budget.tell(now)) send_error(slot, "Announce rate limit exceeded: announce dropped", out, now);
    return false;
}

bool Router::may_enter(Slot slot, std::string_view name, Outbox& out, std::int64_t now) {
    Peer& self = peers_[slot];
    if (self.ns != kNoNamespace && namespaces_[self.ns].name == name) return true;  // a re-announce: no move
    const auto it = ns_by_name_.find(name);
    if (config_.max_peers_per_namespace != 0 && it != ns_by_name_.end() &&
        namespaces_[it->second].members.size() >= config_.max_peers_per_namespace) {
        ++stats_.namespace_full;
        send_error(slot, "Namespace full: not joined", out, now);
        return false;
    }
    if (!self.budget.take_namespace(config_, now)) {
        ++stats_.namespace_rate_limited;
        send_error(slot, "Namespace change limit exceeded: not moved", out, now);
        return false;
    }
    return true;
}

void Router::handle_announce(Slot slot, const InboundMessage& msg, Outbox& out, std::int64_t now) {
    if (!announce_allowed(slot, out, now)) return;
    std::string_view name = kGlobalNamespace;
    if (msg.network_kind == NetworkField::invalid ||
        (msg.network_kind == NetworkField::named && msg.network.size() > config_.max_namespace_name)) {
        send_error(slot, "Invalid networkName", out, now);
        return;
    }
    if (msg.network_kind == NetworkField::named) name = msg.network;
    if (name == kHubMeshNamespace) {
        send_error(slot, "Namespace 'pigeonhub-mesh' is reserved for hubs", out, now);
        return;
    }
    std::string_view data_object;
    if (msg.has_data && msg.data.kind != json::Kind::null) {
        if (msg.data.kind != json::Kind::object) {
            send_error(slot, "Invalid announce data", out, now);
            return;
        }
        if (msg.data.raw.size() > config_.max_announce_data) {
            send_error(slot, "Announce data too large", out, now);
            return;
        }
        data_object = msg.data.raw;
    }
    if (!may_enter(slot, name, out, now)) return;

    std::size_t k = config_.discovery_max_peers;
    if (config_.discovery == DiscoveryMode::bounded) {
        std::size_t wanted = msg.max_peers < 0 ? 3 : static_cast<std::size_t>(msg.max_peers);
        k = std::clamp<std::size_t>(wanted, 1, config_.discovery_max_peers);
    }

    Peer& self = peers_[slot];
    const bool same_namespace = self.ns != kNoNamespace && namespaces_[self.ns].name == name;
    if (!same_namespace && self.ns != kNoNamespace) leave_namespace(slot, out, now);

    std::uint32_t ns_idx = same_namespace ? self.ns : find_or_create_namespace(name);
    Namespace& ns = namespaces_[ns_idx];
    const std::string discovery = outbound::discovery_data(self.id, data_object);
    SharedText head = share(outbound::discovered_head(discovery, ns.name_json));
    const bool notify_members = !same_namespace || *head != *self.discovered_head;

    select_members(ns, self.key, slot, k, scratch_);
    if (notify_members) {
        for (Slot m : scratch_) send_targeted(m, head, out, now);
        stats_.discovered_sent += scratch_.size();
    }
    for (Slot m : scratch_) send_targeted(slot, peers_[m].discovered_head, out, now);
    stats_.discovered_sent += scratch_.size();
    if (mesh_) {
        mesh_->for_each_remote(ns.name, [&](const SharedText& remote_head) {
            send_targeted(slot, remote_head, out, now);
            ++stats_.discovered_sent;
        });
        if (notify_members) mesh_->local_joined(ns.name, self.id, discovery);
    }

    if (!same_namespace) {
        ns.members.add(self.key, slot);
        self.ns = ns_idx;
        ++announced_;
    }
    self.discovered_head = std::move(head);
    self.announced_at = now;
}

void Router::handle_signal(Slot slot, const InboundMessage& msg, Outbox& out, std::int64_t now) {
    if (!msg.has_target) {
        bump(stats_.dropped, DropReason::missing_target);
        return;
    }
    if (msg.network_kind == NetworkField::invalid) {
        send_error(slot, "Invalid networkName", out, now);
        return;
    }
    const Peer& sender = peers_[slot];
    std::string_view sender_ns = effective_namespace(sender);
    std::string_view claimed = msg.network_kind == NetworkField::named ? std::string_view(msg.network)
                                                                        : kGlobalNamespace;
    auto it = by_id_.find(std::string_view(msg.target));
    if (it == by_id_.end()) {
        // Not here: another hub may hold it (only announced senders take part in the mesh).
        if (mesh_ && claimed == sender_ns && sender.ns != kNoNamespace && is_valid_peer_id(msg.target)) {
            std::string_view data = msg.has_data ? msg.data.raw : std::string_view();
            if (mesh_->forward_signal(sender.id, msg.target, sender_ns,
                                      outbound::signal(message_type_name(msg.type), data, sender.id, msg.target,
                                                       namespaces_[sender.ns].name_json, now))) {
                bump(stats_.relayed, msg.type);
                ++stats_.relayed_total;
                ++stats_.forwarded_to_mesh;
                return;
            }
        }
        bump(stats_.dropped, DropReason::unknown_target);
        return;
    }
    const Peer& target = peers_[it->second];
    if (sender_ns != effective_namespace(target) || claimed != sender_ns ||
        access_blocks_signal(sender.ns != kNoNamespace, target, sender_ns)) {
        bump(stats_.dropped, DropReason::namespace_mismatch);
        return;
    }
    std::string_view ns_json = sender.ns == kNoNamespace ? kGlobalJson : std::string_view(namespaces_[sender.ns].name_json);
    std::string_view data = msg.has_data ? msg.data.raw : std::string_view();
    out.send(it->second, OutFrame(share(outbound::signal(message_type_name(msg.type), data, sender.id, target.id,
                                                         ns_json, now))));
    bump(stats_.relayed, msg.type);
    ++stats_.relayed_total;
}

void Router::handle_goodbye(Slot slot, const InboundMessage& msg, Outbox& out, std::int64_t now) {
    Peer& self = peers_[slot];
    if (self.ns == kNoNamespace) return;
    const Namespace& ns = namespaces_[self.ns];
    scratch_.clear();
    ns.members.closest(self.key, config_.goodbye_fanout, slot, scratch_);
    if (!scratch_.empty()) {
        std::string_view data = msg.has_data ? msg.data.raw : std::string_view();
        SharedText text = share(outbound::goodbye(data, self.id, ns.name_json, now));
        for (Slot m : scratch_) out.send(m, OutFrame(text));
        stats_.relayed[static_cast<std::size_t>(MessageType::goodbye)] += scratch_.size();
        stats_.relayed_total += scratch_.size();
    }
    leave_namespace(slot, out, now);
}

void Router::leave_namespace(Slot slot, Outbox& out, std::int64_t now, bool notify) {
    Peer& self = peers_[slot];
    const std::uint32_t idx = self.ns;
    Namespace& ns = namespaces_[idx];
    ns.members.remove(self.key, slot);
    if (mesh_) mesh_->local_left(ns.name, self.id);
    self.ns = kNoNamespace;
    self.discovered_head.reset();
    --announced_;
    if (!ns.members.empty()) {
        if (!notify) return;
        // In bounded mode only the k closest hear of the departure (clients ignore peer-disconnected anyway).
        std::size_t k = config_.discovery == DiscoveryMode::all ? ns.members.size() : config_.discovery_max_peers;
        select_members(ns, self.key, slot, k, scratch_);
        SharedText head = share(outbound::disconnected_head(self.id, ns.name_json));
        for (Slot m : scratch_) send_targeted(m, head, out, now);
        stats_.disconnected_sent += scratch_.size();
        return;
    }
    if (auto it = ns_by_name_.find(std::string_view(ns.name)); it != ns_by_name_.end()) ns_by_name_.erase(it);
    ns.name.clear();
    ns.name.shrink_to_fit();
    ns.name_json.clear();
    ns.name_json.shrink_to_fit();
    free_namespaces_.push_back(idx);
}

void Router::remote_peer_discovered(std::string_view ns_name, const PeerKey& key, const SharedText& head,
                                    Outbox& out, std::int64_t now) {
    auto it = ns_by_name_.find(ns_name);
    if (it == ns_by_name_.end()) return;
    select_members(namespaces_[it->second], key, kNoSlot, config_.discovery_max_peers, scratch_);
    for (Slot m : scratch_) send_targeted(m, head, out, now);
    stats_.discovered_sent += scratch_.size();
}

void Router::remote_peer_gone(std::string_view ns_name, std::string_view peer_id, Outbox& out, std::int64_t now) {
    auto it = ns_by_name_.find(ns_name);
    if (it == ns_by_name_.end()) return;
    const Namespace& ns = namespaces_[it->second];
    SharedText head = share(outbound::disconnected_head(peer_id, ns.name_json));
    for (const auto& e : ns.members.entries()) send_targeted(e.slot, head, out, now);
    stats_.disconnected_sent += ns.members.size();
}

bool Router::remote_signal(std::string_view target, std::string_view ns, const SharedText& text, Outbox& out) {
    auto it = by_id_.find(target);
    if (it == by_id_.end()) {
        bump(stats_.dropped, DropReason::unknown_target);
        return false;
    }
    if (effective_namespace(peers_[it->second]) != ns || access_blocks_signal(true, peers_[it->second], ns)) {
        bump(stats_.dropped, DropReason::namespace_mismatch);
        return false;
    }
    out.send(it->second, OutFrame(text));
    ++stats_.delivered_from_mesh;
    return true;
}

std::vector<std::pair<std::string_view, std::size_t>> Router::largest_namespaces(std::size_t limit) const {
    std::vector<std::pair<std::string_view, std::size_t>> v;
    v.reserve(ns_by_name_.size());
    for (const auto& [name, idx] : ns_by_name_)
        if (listed(name)) v.emplace_back(namespaces_[idx].name, namespaces_[idx].members.size());
    std::size_t n = std::min(limit, v.size());
    std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n), v.end(),
                      [](const auto& a, const auto& b) { return a.second > b.second || (a.second == b.second && a.first < b.first); });
    v.resize(n);
    return v;
}

std::vector<PeerInfo> Router::list_peers(std::string_view network, bool filter, std::size_t offset, std::size_t limit,
                                         std::size_t* total) const {
    std::vector<PeerInfo> out;
    auto info = [&](Slot s) {
        const Peer& p = peers_[s];
        return PeerInfo{p.id, namespaces_[p.ns].name, p.connected_at, p.announced_at};
    };
    if (filter) {
        auto it = ns_by_name_.find(network);
        if (it == ns_by_name_.end() || !listed(network)) {
            *total = 0;
            return out;
        }
        const auto& entries = namespaces_[it->second].members.entries();
        *total = entries.size();
        for (std::size_t i = offset; i < entries.size() && out.size() < limit; ++i) out.push_back(info(entries[i].slot));
        return out;
    }
    *total = announced_;
    if (access_) {  // members of protected namespaces are left out
        for (const auto& [name, idx] : ns_by_name_)
            if (!listed(name)) *total -= namespaces_[idx].members.size();
    }
    std::size_t seen = 0;
    for (Slot s = 0; s < peers_.size() && out.size() < limit; ++s) {
        if (!peers_[s].live || peers_[s].ns == kNoNamespace || !listed(namespaces_[peers_[s].ns].name)) continue;
        if (seen++ < offset) continue;
        out.push_back(info(s));
    }
    return out;
}

}  // namespace pigeonhub
