#include "mesh/hub_mesh.h"

#include <chrono>

#include "protocol/json.h"
#include "signaling/peer_key.h"
#include "util/log.h"
#include "util/siphash.h"

namespace pigeonhub {
namespace {

constexpr std::size_t kMaxRemotePeers = 200000;
constexpr std::size_t kSeenSignals = 8192;
constexpr auto kHubRecordPeriod = std::chrono::seconds(10);

std::string quoted(std::string_view s) {
    std::string q;
    json::append_quoted(q, s);
    return q;
}

std::uint64_t hub_record_id(std::string_view hub_id) {
    std::uint64_t id = siphash24(0x7069676f6e687562ull, 0x6875627265636f72ull, hub_id.data(), hub_id.size());
    return id == 0 ? 1 : id;
}

}  // namespace

HubMesh::HubMesh(asio::io_context& io, const Config& config, Router& router, Outbox& out, DhtNode& dht)
    : io_(io), config_(config), router_(router), out_(out), dht_(dht), directory_(kMaxRemotePeers), order_timer_(io), timer_(io) {}

std::int64_t HubMesh::now_ms() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void HubMesh::start() {
    started_ms_ = now_ms();
    hub_id_ = dht_.hub_id();
    inbox_token_ = dht_.listen(mesh::inbox_key(config_.app_id, hub_id_),
                               [this](const std::vector<DhtValue>& v, bool expired) { on_inbox(v, expired); });
    hubs_token_ = dht_.listen(mesh::hubs_key(config_.app_id),
                              [this](const std::vector<DhtValue>& v, bool expired) { on_hubs(v, expired); });
    publish_hub_record();
    arm_timer();
}

void HubMesh::stop() {
    if (stopped_) return;
    stopped_ = true;
    timer_.cancel();
    for (const auto& [key, id] : published_) {
        mesh::Presence p{key.second, hub_id_, key.first, "", true};
        dht_.withdraw(mesh::presence_key(config_.app_id, key.first), id, mesh::encode_presence(p));
    }
    published_.clear();
}

void HubMesh::arm_timer() {
    // Every second: track DHT readiness; every kHubRecordPeriod: refresh this hub's record.
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([this](const asio::error_code& ec) {
        if (ec || stopped_) return;
        const std::int64_t now = now_ms();
        if (dht_.ready()) unready_since_ms_ = 0;
        else if (unready_since_ms_ == 0) unready_since_ms_ = now;
        if (++ticks_ % std::chrono::duration_cast<std::chrono::seconds>(kHubRecordPeriod).count() == 0)
            publish_hub_record();
        arm_timer();
    });
}

void HubMesh::publish_hub_record() {
    dht_.publish(mesh::hubs_key(config_.app_id), hub_record_id(hub_id_),
                 mesh::encode_hub(mesh::own_hub_record(hub_id_, config_, router_.connections())));
    ++stats_.hub_records_published;
}

std::int64_t HubMesh::unready_for_ms(std::int64_t now) const {
    if (dht_.ready()) return 0;
    // Not ready since start counts from start.
    return now - (unready_since_ms_ == 0 ? started_ms_ : unready_since_ms_);
}

void HubMesh::local_joined(std::string_view ns, std::string_view peer_id, std::string_view discovery_data) {
    auto [it, inserted] = listens_.try_emplace(std::string(ns));
    const std::string key = mesh::presence_key(config_.app_id, ns);
    const auto pkey = std::make_pair(std::string(ns), std::string(peer_id));
    const bool new_member = !published_.count(pkey);
    if (inserted) {
        std::string ns_copy(ns);
        it->second.token = dht_.listen(key, [this, ns_copy](const std::vector<DhtValue>& v, bool expired) {
            on_presence(ns_copy, v, expired);
        });
    }
    if (new_member) ++it->second.local_members;
    const std::uint64_t id = mesh::presence_record_id(peer_id, hub_id_);
    published_[pkey] = id;
    mesh::Presence p{std::string(peer_id), hub_id_, std::string(ns), std::string(discovery_data), false};
    dht_.publish(key, id, mesh::encode_presence(p));
    ++stats_.presence_published;
}

void HubMesh::local_left(std::string_view ns, std::string_view peer_id) {
    const auto pkey = std::make_pair(std::string(ns), std::string(peer_id));
    auto pub = published_.find(pkey);
    if (pub == published_.end()) return;
    mesh::Presence p{std::string(peer_id), hub_id_, std::string(ns), "", true};
    dht_.withdraw(mesh::presence_key(config_.app_id, ns), pub->second, mesh::encode_presence(p));
    published_.erase(pub);
    ++stats_.presence_withdrawn;
    auto it = listens_.find(ns);
    if (it != listens_.end() && --it->second.local_members == 0) {
        // Nobody here needs this namespace any more.
        dht_.cancel_listen(it->second.token);
        directory_.drop_namespace(it->first);
        listens_.erase(it);
    }
}

bool HubMesh::forward_signal(std::string_view from, std::string_view target, std::string_view ns,
                             std::string text) {
    const std::string* hub = directory_.hub_of(ns, target);
    if (!hub) return false;
    mesh::Signal s;
    s.from.assign(from);
    s.to.assign(target);
    s.network.assign(ns);
    s.msg = std::move(text);
    auto n = numbering_.next(s.from + ">" + s.to, now_ms());
    s.epoch = n.epoch;
    s.seq = n.seq;
    dht_.send_encrypted(mesh::inbox_key(config_.app_id, *hub), *hub, mesh::encode_signal(s));
    ++stats_.signals_sent;
    return true;
}

void HubMesh::for_each_remote(std::string_view ns, const std::function<void(const SharedText&)>& fn) const {
    directory_.for_each(ns, fn);
}

void HubMesh::on_presence(const std::string& ns, const std::vector<DhtValue>& values, bool expired) {
    if (stopped_ || !listens_.count(ns)) return;  // a late callback for a namespace we left
    const std::int64_t now = now_ms();
    std::string gone_ns, gone_peer;
    std::vector<std::uint64_t> expired_ids;
    for (const auto& v : values) {
        if (v.owner.empty() || v.owner == hub_id_) continue;
        ++stats_.records_received;
        if (expired) {
            expired_ids.push_back(v.id);
            continue;
        }
        // A listen may hand back an older edit of a record (e.g. from another storage node): ignore it, so a
        // withdrawn peer does not come back as a ghost.
        if (auto s = record_seq_.find(v.id); s != record_seq_.end() && v.seq < s->second) continue;
        if (record_seq_.size() > 2 * kMaxRemotePeers) record_seq_.clear();
        record_seq_[v.id] = v.seq;
        auto p = mesh::decode_presence(v.data);
        // A record counts only if its signer is the hub it names, in the namespace it is stored under.
        if (!p || p->hub_id != v.owner || p->network != ns || v.id != mesh::presence_record_id(p->peer_id, p->hub_id)) {
            ++stats_.records_invalid;
            continue;
        }
        if (p->gone) {
            if (directory_.remove(v.id, &gone_ns, &gone_peer) == RemoteDirectory::Change::removed &&
                !router_.is_local(gone_peer))
                router_.remote_peer_gone(gone_ns, gone_peer, out_, now);
            continue;
        }
        // A peer that is connected here (e.g. it failed over to us from a dead hub whose record has not
        // expired yet) is announced locally; another hub's record about it must not add a second entry.
        if (router_.is_local(p->peer_id)) continue;
        SharedText head = share(outbound::discovered_head(p->data, quoted(ns)));
        auto change = directory_.upsert(ns, p->peer_id, p->hub_id, v.id, head);
        if (change == RemoteDirectory::Change::added || change == RemoteDirectory::Change::updated)
            router_.remote_peer_discovered(ns, PeerKey::from_hex(p->peer_id), head, out_, now);
    }
    if (!expired_ids.empty()) confirm_expired(ns, std::move(expired_ids), 3);
}

// OpenDHT also reports values as expired when the node that served them to our listen goes away, even if
// the record lives on elsewhere (seen when a hub was killed: a peer that had moved to a live hub was reported
// gone). So an expiry is checked with a fresh lookup before anyone is told.
// A record still found is looked up again a few times (storage nodes expire it at slightly different times).
void HubMesh::confirm_expired(const std::string& ns, std::vector<std::uint64_t> ids, int attempts_left) {
    dht_.get(mesh::presence_key(config_.app_id, ns), [this, ns, ids = std::move(ids), attempts_left](const std::vector<DhtValue>& live) {
        if (stopped_ || !listens_.count(ns)) return;
        const std::int64_t now = now_ms();
        std::string gone_ns, gone_peer;
        std::vector<std::uint64_t> recheck;
        for (std::uint64_t id : ids) {
            bool still_there = false;
            for (const auto& v : live) still_there = still_there || v.id == id;
            if (still_there) {
                recheck.push_back(id);
                continue;
            }
            record_seq_.erase(id);
            if (directory_.remove(id, &gone_ns, &gone_peer) == RemoteDirectory::Change::removed &&
                !router_.is_local(gone_peer))
                router_.remote_peer_gone(gone_ns, gone_peer, out_, now);
        }
        if (!recheck.empty() && attempts_left > 1) {
            auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::seconds(5));
            timer->async_wait([this, timer, ns, recheck = std::move(recheck), attempts_left](const asio::error_code& ec) mutable {
                if (!ec && !stopped_) confirm_expired(ns, std::move(recheck), attempts_left - 1);
            });
        }
    });
}

void HubMesh::on_inbox(const std::vector<DhtValue>& values, bool expired) {
    if (expired || stopped_) return;
    std::vector<OrderedSignal> ready;
    for (const auto& v : values) {
        if (v.owner.empty()) {
            ++stats_.records_invalid;
            continue;
        }
        if (!seen_.insert(v.id).second) {
            ++stats_.signals_duplicate;  // at most once, even when a listen is refreshed
            continue;
        }
        seen_order_.push_back(v.id);
        if (seen_order_.size() > kSeenSignals) {
            seen_.erase(seen_order_.front());
            seen_order_.pop_front();
        }
        auto s = mesh::decode_signal(v.data);
        if (!s) {
            ++stats_.records_invalid;
            continue;
        }
        ++stats_.signals_received;
        // Ordered per (sending hub, sender, target): each signal travelled as its own DHT put.
        ready.clear();
        order_.accept(v.owner + "/" + s->from + ">" + s->to, s->epoch, s->seq,
                      OrderedSignal{s->to, s->network, share(std::move(s->msg))}, now_ms(), ready);
        deliver(ready);
    }
    if (order_.waiting() && !order_timer_armed_) {
        order_timer_armed_ = true;
        order_timer_.expires_after(std::chrono::milliseconds(50));
        order_timer_.async_wait([this](const asio::error_code& ec) {
            order_timer_armed_ = false;
            if (ec || stopped_) return;
            std::vector<OrderedSignal> late;
            order_.expire(now_ms(), late);
            deliver(late);
            if (order_.waiting()) on_inbox({}, false);  // re-arms the timer
        });
    }
}

void HubMesh::deliver(std::vector<OrderedSignal>& ready) {
    for (auto& r : ready)
        if (!router_.remote_signal(r.to, r.ns, r.msg, out_)) ++stats_.signals_undeliverable;
    ready.clear();
}

void HubMesh::on_hubs(const std::vector<DhtValue>& values, bool expired) {
    for (const auto& v : values) {
        if (expired) {
            hubs_.erase(v.id);
            continue;
        }
        auto h = mesh::decode_hub(v.data);
        if (!h || h->hub_id != v.owner || v.id != hub_record_id(h->hub_id)) {
            ++stats_.records_invalid;
            continue;
        }
        if (hubs_.size() < 10000 || hubs_.count(v.id)) hubs_[v.id] = std::move(*h);
    }
}

std::vector<mesh::HubRecord> HubMesh::hubs() const {
    std::vector<mesh::HubRecord> out;
    bool self_seen = false;
    for (const auto& [id, h] : hubs_) {
        out.push_back(h);
        self_seen = self_seen || h.hub_id == hub_id_;
    }
    if (!self_seen) out.insert(out.begin(), mesh::own_hub_record(hub_id_, config_, router_.connections()));
    return out;
}

}  // namespace pigeonhub
