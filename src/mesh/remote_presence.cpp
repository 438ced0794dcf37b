#include "mesh/remote_presence.h"

#include "mesh/mesh_limits.h"
#include "mesh/mesh_records.h"
#include "protocol/json.h"
#include "signaling/peer_key.h"

namespace pigeonhub {
namespace {

std::string quoted(std::string_view s) {
    std::string q;
    json::append_quoted(q, s);
    return q;
}

}  // namespace

RemotePresence::RemotePresence(asio::io_context& io, std::string app_id, std::uint32_t buckets, DhtPort& dht,
                               const Membership& membership, PageKeyOf page_key_of, Router& router, Outbox& out,
                               MeshStats& stats, Clock clock, std::uint32_t page_rate)
    : io_(io),
      app_id_(std::move(app_id)),
      buckets_(buckets),
      dht_(dht),
      membership_(membership),
      page_key_of_(std::move(page_key_of)),
      router_(router),
      out_(out),
      stats_(stats),
      clock_(std::move(clock)),
      directory_(mesh::kMaxRemotePeers),
      versions_(mesh::kMaxRemotePages),
      pending_(mesh::kMaxPendingPages, mesh::kMaxPendingBytes, mesh::kPendingMs),
      budget_(page_rate) {}

void RemotePresence::listen(const std::string& ns) {
    if (stopped_ || listens_.count(ns)) return;
    std::string key = mesh::presence_key(app_id_, ns, buckets_);
    listens_.emplace(ns, key);
    auto [it, fresh] = keys_.try_emplace(key);
    ++it->second.namespaces;
    if (fresh) {
        it->second.token = dht_.listen(key, [this, key](const std::vector<DhtValue>& v, bool expired) {
            on_values(key, v, expired);
        });
        return;
    }
    // The key is listened to for another namespace of its bucket: the pages of `ns` it holds were delivered and
    // ignored. A lookup brings them (OpenDHT answers it from the listen's own values: docs/MESH.md).
    dht_.get(key, [this, alive = std::weak_ptr<char>(alive_), key, ns](const std::vector<DhtValue>& live) {
        if (alive.expired() || !listening(ns)) return;
        on_values(key, live, false, ns);
    });
}

void RemotePresence::unlisten(const std::string& ns) {
    auto it = listens_.find(ns);
    if (it == listens_.end()) return;
    auto key = keys_.find(it->second);
    if (key != keys_.end() && --key->second.namespaces == 0) {  // the bucket's last local namespace
        dht_.cancel_listen(key->second.token);
        keys_.erase(key);
    }
    listens_.erase(it);
    directory_.drop_namespace(ns);
    versions_.forget_group(ns);
    pending_.remove_if([&](const std::string&, const Held& h) { return h.ns == ns; });
    std::erase_if(deferred_, [&](const auto& d) { return d.second.ns == ns; });
}

void RemotePresence::stop() {
    stopped_ = true;
    for (const auto& [key, listen] : keys_) dht_.cancel_listen(listen.token);
    keys_.clear();
    listens_.clear();
}

void RemotePresence::on_values(const std::string& key, const std::vector<DhtValue>& values, bool expired,
                               std::string_view only_ns) {
    if (!listening_key(key)) return;  // a late callback for a key we left
    std::vector<PageValue> gone;  // pages whose current value expired
    // Pages that passed every check. Applied after the batch is read, only the newest edit of each page: a batch
    // (a listen's first one, a lookup) may hold a page's old edits beside its tombstone, in any order, and
    // applying an old edit first would announce peers that left long ago.
    std::vector<std::pair<const DhtValue*, mesh::PresencePage>> verified;
    const std::int64_t now = clock_();
    for (const auto& v : values) {
        if (expired) {
            // A held value that expired must not be applied later (its peers would stay forever).
            if (pending_.remove_if([&](const std::string&, const Held& h) { return h.value.id == v.id; }))
                stats_.refuse(RecordKind::presence, Refusal::not_member);
            if (!deferred_.empty()) std::erase_if(deferred_, [&](const auto& d) { return d.second.value.id == v.id; });
            // Only the expiry of a page's current value means anything; superseded edits expire all the time (and
            // this hub's own pages, never offered, and the pages of the bucket's other namespaces are unknown here).
            auto page = versions_.record_of(v.id);
            if (!page) continue;
            if (versions_.live(*page)) gone.emplace_back(*page, v.id);
            else versions_.forget(*page);  // a tombstone ran out: the page is long gone
            continue;
        }
        // Pages are plain values (page_signature.h): who wrote one is what it says, until its signature is checked
        // with the page key of the hub it names.
        auto p = mesh::decode_presence(v.data);
        if (p && p->hub_id == hub_id_) continue;  // this hub's own page (a forged one changes nothing here)
        if (p && !only_ns.empty() && p->network != only_ns) continue;  // the listen delivered it
        ++stats_.records_received;
        if (!p) {
            ++stats_.records_invalid;
            continue;
        }
        const std::string& ns = p->network;
        auto listened = listens_.find(ns);
        if (listened == listens_.end() || listened->second != key) {
            // Stored under another key than its namespace's: never counts. Under its own: a namespace of the
            // bucket that has no member here (the price of sharing keys, docs/MESH.md).
            if (mesh::presence_key(app_id_, ns, buckets_) != key) ++stats_.records_invalid;
            else ++stats_.records_other_namespace;
            continue;
        }
        switch (const auto verdict = membership_.of(p->hub_id, now)) {
        case Membership::Verdict::member: break;
        case Membership::Verdict::unknown:
            if (auto dropped = pending_.hold(p->hub_id, Held{ns, v}, v.data.size(), now))
                stats_.refuse(RecordKind::presence, Refusal::not_member, dropped);
            continue;
        case Membership::Verdict::refused:
        case Membership::Verdict::revoked: stats_.refuse(RecordKind::presence, refusal_of(verdict)); continue;
        }
        const mesh::PageKey* page_key = page_key_of_ ? page_key_of_(p->hub_id) : nullptr;
        if (!page_key) {  // a member whose hub record (with its page key) was not heard yet: wait for it
            if (auto dropped = pending_.hold(p->hub_id, Held{ns, v}, v.data.size(), now))
                stats_.refuse(RecordKind::presence, Refusal::not_member, dropped);
            continue;
        }
        if (!mesh::verify_page(key, v.data, *page_key)) {
            stats_.refuse(RecordKind::presence, Refusal::bad_signature);
            continue;
        }
        verified.emplace_back(&v, std::move(*p));
    }
    std::map<std::uint64_t, std::uint64_t> newest;  // page -> the highest seq in this batch
    for (const auto& [v, p] : verified) {
        auto& seq = newest[mesh::presence_page_id(p.hub_id, p.network, p.page)];
        seq = std::max(seq, p.seq);
    }
    for (auto& [v, p] : verified) {
        const std::string& ns = p.network;
        const std::uint64_t page = mesh::presence_page_id(p.hub_id, ns, p.page);
        // Charged once the page is known to be its hub's (a forged one cannot spend an honest hub's budget) and newer
        // than the edit held and than the batch's other edits of it (a replay of its genuine old pages cannot either).
        if (p.seq < newest[page] || !versions_.newer(page, p.seq)) {
            ++stats_.records_stale;
            continue;
        }
        if (!applying_deferred_ && !budget_.take(p.hub_id, now)) {
            ++stats_.records_throttled;
            defer(ns, p.hub_id, page, p.seq, *v);
            continue;
        }
        switch (versions_.offer(page, ns, p.hub_id, v->id, p.seq, !p.peers.empty())) {
        case RecordVersions::Offer::stale: ++stats_.records_stale; continue;
        case RecordVersions::Offer::full: stats_.refuse(RecordKind::presence, Refusal::over_bound); continue;
        case RecordVersions::Offer::newest: break;
        }
        std::vector<RemoteDirectory::Entry> entries;
        entries.reserve(p.peers.size());
        for (auto& e : p.peers) {
            // A peer connected here (e.g. it failed over to us from a dead hub whose page has not expired
            // yet) is announced locally; another hub's page about it must not add a second entry.
            if (router_.is_local(e.peer_id)) continue;
            // The data as the peer announced it, however the page was written: peerId is the entry's, isHub is
            // false (never taken from a remote page: any key holder can write one).
            const std::string data = outbound::discovery_data(e.peer_id, e.data);
            entries.push_back({std::move(e.peer_id), share(outbound::discovered_head(data, quoted(ns)))});
        }
        announce(ns, directory_.apply_page(ns, p.hub_id, page, std::move(entries)));
    }
    if (!gone.empty()) confirm_expired(key, std::move(gone), mesh::kExpiryLookups);
}

void RemotePresence::admitted(const std::string& hub) {
    for (auto& h : pending_.take(hub)) {
        auto listened = listens_.find(h.ns);
        if (listened != listens_.end() && !stopped_) on_values(listened->second, {std::move(h.value)}, false, h.ns);
    }
}

void RemotePresence::drop_hub(const std::string& hub, Refusal why) {
    if (auto n = pending_.remove_if([&](const std::string& owner, const Held&) { return owner == hub; }))
        stats_.refuse(RecordKind::presence, why, n);
    for (auto& [ns, diff] : directory_.drop_hub(hub)) announce(ns, diff);
    versions_.forget_owner(hub);
    std::erase_if(deferred_, [&](const auto& d) { return d.second.hub == hub; });
    budget_.forget(hub);
}

void RemotePresence::tick(std::int64_t now) {
    if (auto n = pending_.expire(now)) stats_.refuse(RecordKind::presence, Refusal::not_member, n);
    apply_deferred(now);
}

void RemotePresence::defer(const std::string& ns, const std::string& hub, std::uint64_t page, std::uint64_t seq,
                           const DhtValue& v) {
    auto it = deferred_.find(page);
    if (it != deferred_.end()) {
        if (seq > it->second.seq) it->second = Deferred{ns, hub, seq, v};  // an older edit waiting is dropped unseen
        return;
    }
    if (deferred_.size() >= mesh::kMaxDeferredPages) {
        stats_.refuse(RecordKind::presence, Refusal::rate_limited);
        return;
    }
    deferred_.emplace(page, Deferred{ns, hub, seq, v});
}

// The waiting pages of hubs that have tokens again, each charged one, in page order (no hub is starved: a hub's
// pages are charged to that hub's bucket only).
void RemotePresence::apply_deferred(std::int64_t now) {
    for (auto it = deferred_.begin(); it != deferred_.end();) {
        if (!listening(it->second.ns)) {
            it = deferred_.erase(it);
            continue;
        }
        if (!budget_.take(it->second.hub, now)) {
            ++it;
            continue;
        }
        Deferred d = std::move(it->second);
        it = deferred_.erase(it);
        applying_deferred_ = true;
        on_values(listens_.find(d.ns)->second, {std::move(d.value)}, false, d.ns);
        applying_deferred_ = false;
    }
}

// What the lookup finds is applied like any listened value first (a newer edit there settles it); a page whose
// current value is gone is dropped, one still found is looked up again a few times.
void RemotePresence::confirm_expired(const std::string& key, std::vector<PageValue> pages, int attempts_left) {
    dht_.get(key, [this, alive = std::weak_ptr<char>(alive_), key, pages = std::move(pages),
                   attempts_left](const std::vector<DhtValue>& live) {
        if (alive.expired() || !listening_key(key)) return;
        on_values(key, live, false);
        std::vector<PageValue> recheck;
        for (const auto& [page, value_id] : pages) {
            if (!versions_.is_current(page, value_id)) continue;  // replaced by a newer edit meanwhile
            bool still_there = false;
            for (const auto& v : live) still_there = still_there || v.id == value_id;
            if (still_there) {
                recheck.emplace_back(page, value_id);
                continue;
            }
            versions_.forget(page);
            std::string page_ns;
            auto diff = directory_.drop_page(page, &page_ns);
            announce(page_ns, diff);
        }
        if (recheck.empty() || attempts_left <= 1) return;
        auto timer = std::make_shared<asio::steady_timer>(io_, mesh::kExpiryRecheck);
        timer->async_wait([this, alive = std::weak_ptr<char>(alive_), timer, key, recheck = std::move(recheck),
                           attempts_left](const asio::error_code& ec) mutable {
            if (!ec && !alive.expired() && !stopped_) confirm_expired(key, std::move(recheck), attempts_left - 1);
        });
    });
}

void RemotePresence::announce(const std::string& ns, const RemoteDirectory::Diff& diff) {
    const std::int64_t now = clock_();
    for (const auto& e : diff.upserted) router_.remote_peer_discovered(ns, PeerKey::from_hex(e.peer), e.head, out_, now);
    for (const auto& peer : diff.removed)
        if (!router_.is_local(peer)) router_.remote_peer_gone(ns, peer, out_, now);
}

}  // namespace pigeonhub
