#include "mesh/hub_mesh.h"

#include <chrono>

#include "protocol/json.h"
#include "signaling/peer_key.h"
#include "util/clock.h"
#include "util/log.h"

namespace pigeonhub {
namespace {

constexpr std::size_t kMaxRemotePeers = 200000;
constexpr std::size_t kMaxRemotePages = 200000;  // remote presence pages tracked (each lists at least one peer)
constexpr std::size_t kSeenSignals = 8192;
constexpr auto kHubRecordPeriod = std::chrono::seconds(10);
constexpr std::size_t kPageBudget = 48 * 1024;  // bytes of peer entries per presence page (OpenDHT: 64 KiB max)
constexpr auto kFlushDelay = std::chrono::milliseconds(20);
// Sealed links: receiving hubs this hub keeps a key for; sealed signals held for a key (and for how long);
// key requests per hub and in all.
constexpr std::size_t kMaxLinks = 4096;
constexpr std::size_t kMaxHeld = 1024;
constexpr std::int64_t kHoldMs = 2000;
constexpr std::int64_t kKeyAskIntervalMs = 1000;
constexpr int kKeyAsksPerSecond = 20;

std::string quoted(std::string_view s) {
    std::string q;
    json::append_quoted(q, s);
    return q;
}

}  // namespace

HubMesh::HubMesh(asio::io_context& io, const Config& config, Router& router, Outbox& out, DhtPort& dht)
    : io_(io),
      config_(config),
      router_(router),
      out_(out),
      dht_(dht),
      directory_(kMaxRemotePeers),
      versions_(kMaxRemotePages),
      edits_(wall_clock_us()),
      order_timer_(io),
      flush_timer_(io),
      timer_(io) {}

bool HubMesh::listening(const std::string& ns) const {
    if (stopped_) return false;
    auto it = locals_.find(ns);
    return it != locals_.end() && it->second.listening;
}

std::int64_t HubMesh::now_ms() const { return wall_clock_ms(); }

void HubMesh::start() {
    started_ms_ = now_ms();
    unready_since_ms_ = started_ms_;  // not ready since start, until the first tick sees it ready
    hub_id_ = dht_.hub_id();
    keyring_.emplace(hub_id_);
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
    flush_timer_.cancel();
    // Withdraw every page we publish, at once.
    for (auto& [ns, local] : locals_) {
        for (std::size_t i = 0; i < local.pages.size(); ++i) {
            if (local.pages[i].peers.empty()) continue;
            local.pages[i].peers.clear();
            local.dirty.insert(i);
        }
        flush_namespace(ns, local);
    }
    locals_.clear();
}

void HubMesh::arm_timer() {
    // Every second: track DHT readiness; every kHubRecordPeriod: refresh this hub's record.
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([this](const asio::error_code& ec) {
        if (ec || stopped_) return;
        const std::int64_t now = now_ms();
        if (dht_.ready()) unready_since_ms_ = 0;
        else if (unready_since_ms_ == 0) unready_since_ms_ = now;
        expire_held(now);
        if (++ticks_ % std::chrono::duration_cast<std::chrono::seconds>(kHubRecordPeriod).count() == 0)
            publish_hub_record();
        arm_timer();
    });
}

void HubMesh::publish_hub_record() {
    dht_.publish(mesh::hubs_key(config_.app_id), mesh::hub_record_id(hub_id_),
                 mesh::encode_hub(mesh::own_hub_record(hub_id_, config_, router_.connections(), static_cast<std::uint64_t>(now_ms()))));
    ++stats_.hub_records_published;
}

std::int64_t HubMesh::unready_for_ms(std::int64_t now) const {
    if (dht_.ready()) return 0;
    // unready_since_ms_ is 0 only after a tick saw the DHT ready: it went away since, not yet seen by a tick.
    return unready_since_ms_ == 0 ? 0 : now - unready_since_ms_;
}

void HubMesh::local_joined(std::string_view ns, std::string_view peer_id, std::string_view discovery_data) {
    auto [it, inserted] = locals_.try_emplace(std::string(ns));
    LocalNamespace& local = it->second;
    if (!local.listening) {
        std::string ns_copy(ns);
        local.listen_token = dht_.listen(mesh::presence_key(config_.app_id, ns),
                                         [this, ns_copy](const std::vector<DhtValue>& v, bool expired) {
                                             on_presence(ns_copy, v, expired);
                                         });
        local.listening = true;
    }
    const std::string peer(peer_id);
    const std::size_t entry_bytes = peer.size() + discovery_data.size() + 32;
    std::size_t index;
    if (auto p = local.page_of.find(peer); p != local.page_of.end()) {
        index = p->second;
        auto& page = local.pages[index];
        page.bytes -= page.peers[peer].size() + peer.size() + 32;
        page.peers[peer].assign(discovery_data);
        page.bytes += entry_bytes;
    } else {
        // First page with room (pages stay under kPageBudget so that a record fits OpenDHT's value limit).
        index = local.pages.size();
        for (std::size_t i = 0; i < local.pages.size(); ++i)
            if (local.pages[i].bytes + entry_bytes <= kPageBudget) {
                index = i;
                break;
            }
        if (index == local.pages.size()) local.pages.emplace_back();
        local.pages[index].peers.emplace(peer, std::string(discovery_data));
        local.pages[index].bytes += entry_bytes;
        local.page_of.emplace(peer, index);
        ++local.members;
    }
    local.dirty.insert(index);
    schedule_flush();
}

void HubMesh::local_left(std::string_view ns, std::string_view peer_id) {
    auto it = locals_.find(ns);
    if (it == locals_.end()) return;
    LocalNamespace& local = it->second;
    auto p = local.page_of.find(peer_id);
    if (p == local.page_of.end()) return;
    auto& page = local.pages[p->second];
    auto entry = page.peers.find(p->first);
    page.bytes -= entry->second.size() + entry->first.size() + 32;
    page.peers.erase(entry);
    local.dirty.insert(p->second);
    local.page_of.erase(p);
    ++stats_.presence_withdrawn;
    if (--local.members == 0 && local.listening) {
        // Nobody here needs this namespace any more; its pages are withdrawn by the next flush.
        dht_.cancel_listen(local.listen_token);
        local.listening = false;
        directory_.drop_namespace(it->first);
        versions_.forget_group(it->first);
    }
    schedule_flush();
}

void HubMesh::schedule_flush() {
    if (flush_armed_ || stopped_) return;
    flush_armed_ = true;
    // While the signing thread is idle, a change goes out at once (on the loop's next turn, so that the rest of
    // the current burst of reads joins it); while it is busy, changes within kFlushDelay of the last flush share
    // one signed record per page (each signature costs about a millisecond of CPU).
    const auto since = std::chrono::steady_clock::now() - last_flush_;
    const bool now_ok = since >= kFlushDelay || dht_.records_signing() == 0;
    flush_timer_.expires_after(now_ok ? std::chrono::steady_clock::duration::zero() : kFlushDelay - since);
    flush_timer_.async_wait([this](const asio::error_code& ec) {
        flush_armed_ = false;
        if (ec || stopped_) return;
        last_flush_ = std::chrono::steady_clock::now();
        for (auto it = locals_.begin(); it != locals_.end();) {
            flush_namespace(it->first, it->second);
            it = (it->second.members == 0 && !it->second.listening) ? locals_.erase(it) : std::next(it);
        }
    });
}

void HubMesh::flush_namespace(const std::string& ns, LocalNamespace& local) {
    const std::string key = mesh::presence_key(config_.app_id, ns);
    for (std::size_t index : local.dirty) {
        const auto& page = local.pages[index];
        mesh::PresencePage record{hub_id_, ns, {}, static_cast<std::uint32_t>(index), edits_.next(wall_clock_us())};
        for (const auto& [peer, data] : page.peers) record.peers.push_back({peer, data});
        const std::uint64_t id = mesh::presence_page_id(hub_id_, ns, index);
        if (record.peers.empty()) {
            dht_.withdraw(key, id, mesh::encode_presence(record));
        } else {
            dht_.publish(key, id, mesh::encode_presence(record));
            ++stats_.presence_published;
        }
    }
    local.dirty.clear();
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
    const std::int64_t now = now_ms();
    auto n = numbering_.next(s.from + ">" + s.to, now);
    s.epoch = n.epoch;
    s.seq = n.seq;
    dht_.send_plain(mesh::inbox_key(config_.app_id, *hub), link_to(*hub, now).seal(mesh::encode_signal(s)));
    ++stats_.signals_sent;
    return true;
}

// The sealer for `hub`, created (and its key sent, signed and encrypted to that hub) on first use.
hub_link::Sealer& HubMesh::link_to(const std::string& hub, std::int64_t now) {
    auto it = out_links_.find(hub);
    if (it == out_links_.end()) {
        if (out_links_.size() >= kMaxLinks) out_links_.erase(out_links_.begin());  // a new key if it comes back
        it = out_links_.emplace(hub, OutLink{hub_link::Sealer(hub_id_, hub, hub_link::LinkKey::random())}).first;
        send_link_key(hub, now);
    }
    return it->second.sealer;
}

void HubMesh::send_link_key(const std::string& hub, std::int64_t now) {
    auto it = out_links_.find(hub);
    if (it == out_links_.end()) return;
    it->second.key_sent_ms = now;
    dht_.send_encrypted(mesh::inbox_key(config_.app_id, hub), hub, hub_link::encode_key_message(it->second.sealer.key()));
    ++stats_.link_keys_sent;
}

void HubMesh::for_each_remote(std::string_view ns, const std::function<void(const SharedText&)>& fn) const {
    directory_.for_each(ns, fn);
}

void HubMesh::on_presence(const std::string& ns, const std::vector<DhtValue>& values, bool expired) {
    if (!listening(ns)) return;  // a late callback for a namespace we left
    const std::int64_t now = now_ms();
    std::vector<std::pair<std::uint64_t, std::uint64_t>> gone;  // (page, value id) whose current value expired
    for (const auto& v : values) {
        if (v.owner.empty() || v.owner == hub_id_) continue;
        ++stats_.records_received;
        if (expired) {
            // Only the expiry of a page's current value means anything; superseded edits expire all the time.
            auto page = versions_.record_of(v.id);
            if (!page) continue;
            if (versions_.live(*page)) gone.emplace_back(*page, v.id);
            else versions_.forget(*page);  // a tombstone ran out: the page is long gone
            continue;
        }
        auto p = mesh::decode_presence(v.data);
        // A page counts only if its signer is the hub it names, in the namespace it is stored under.
        if (!p || p->hub_id != v.owner || p->network != ns) {
            ++stats_.records_invalid;
            continue;
        }
        const std::uint64_t page = mesh::presence_page_id(p->hub_id, ns, p->page);
        switch (versions_.offer(page, ns, v.id, p->seq, !p->peers.empty())) {
        case RecordVersions::Offer::stale: ++stats_.records_stale; continue;
        case RecordVersions::Offer::full: ++stats_.records_refused; continue;
        case RecordVersions::Offer::newest: break;
        }
        std::vector<RemoteDirectory::Entry> entries;
        entries.reserve(p->peers.size());
        for (auto& e : p->peers) {
            // A peer connected here (e.g. it failed over to us from a dead hub whose page has not expired
            // yet) is announced locally; another hub's page about it must not add a second entry.
            if (router_.is_local(e.peer_id)) continue;
            entries.push_back({std::move(e.peer_id), share(outbound::discovered_head(e.data, quoted(ns)))});
        }
        announce_diff(ns, directory_.apply_page(ns, p->hub_id, page, std::move(entries)), now);
    }
    if (!gone.empty()) confirm_expired(ns, std::move(gone), 3);
}

// OpenDHT also reports values as expired when the node that served them to our listen goes away, even if
// the record lives on elsewhere (seen when a hub was killed: a peer that had moved to a live hub was reported
// gone). So an expiry is checked with a fresh lookup before anyone is told; what the lookup finds is applied
// like any listened value first (a newer edit there settles it).
// A value still found is looked up again a few times (storage nodes expire it at slightly different times).
void HubMesh::confirm_expired(const std::string& ns, std::vector<std::pair<std::uint64_t, std::uint64_t>> pages,
                              int attempts_left) {
    dht_.get(mesh::presence_key(config_.app_id, ns), [this, ns, pages = std::move(pages), attempts_left](const std::vector<DhtValue>& live) {
        if (!listening(ns)) return;
        on_presence(ns, live, false);
        const std::int64_t now = now_ms();
        std::vector<std::pair<std::uint64_t, std::uint64_t>> recheck;
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
            announce_diff(ns, directory_.drop_page(page, &page_ns), now);
        }
        if (!recheck.empty() && attempts_left > 1) {
            auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::seconds(5));
            timer->async_wait([this, timer, ns, recheck = std::move(recheck), attempts_left](const asio::error_code& ec) mutable {
                if (!ec && !stopped_) confirm_expired(ns, std::move(recheck), attempts_left - 1);
            });
        }
    });
}

void HubMesh::announce_diff(const std::string& ns, const RemoteDirectory::Diff& diff, std::int64_t now) {
    for (const auto& e : diff.upserted) router_.remote_peer_discovered(ns, PeerKey::from_hex(e.peer), e.head, out_, now);
    for (const auto& peer : diff.removed)
        if (!router_.is_local(peer)) router_.remote_peer_gone(ns, peer, out_, now);
}

void HubMesh::on_inbox(const std::vector<DhtValue>& values, bool expired) {
    if (expired || stopped_) return;
    const std::int64_t now = now_ms();
    for (const auto& v : values) {
        if (!seen_.insert(v.id).second) {
            ++stats_.signals_duplicate;  // at most once, even when a listen is refreshed
            continue;
        }
        seen_order_.push_back(v.id);
        if (seen_order_.size() > kSeenSignals) {
            seen_.erase(seen_order_.front());
            seen_order_.pop_front();
        }
        if (v.owner.empty()) {
            on_sealed(v.data, now);  // a signal: unsigned, sealed with a link key
        } else if (auto key = hub_link::decode_key_message(v.data)) {
            keyring_->add(v.owner, *key);  // signed by its owner and encrypted to us
            ++stats_.link_keys_received;
            release_held(v.owner, now);
        } else if (auto asked = hub_link::decode_key_request(v.data)) {
            // The hub lost or never got our key (it restarted, or the key message is late): send it again.
            auto link = out_links_.find(v.owner);
            if (link != out_links_.end() && now - link->second.key_sent_ms >= kKeyAskIntervalMs) send_link_key(v.owner, now);
        } else {
            ++stats_.records_invalid;
        }
    }
    arm_order_timer();
}

void HubMesh::on_sealed(std::string data, std::int64_t now) {
    auto h = hub_link::parse_sealed(data);
    if (!h) {
        ++stats_.records_invalid;
        return;
    }
    std::string plain;
    switch (keyring_->open(data, *h, plain)) {
    case hub_link::Keyring::Opened::ok: accept_signal(std::string(h->from_hub), plain, now); return;
    case hub_link::Keyring::Opened::unknown_key: {
        std::string from(h->from_hub);
        const std::uint64_t key_id = h->key_id;
        if (held_.size() >= kMaxHeld) {
            held_.pop_front();
            ++stats_.signals_unopened;
        }
        held_.push_back(Held{std::move(data), now});
        request_link_key(from, key_id, now);
        return;
    }
    case hub_link::Keyring::Opened::forged:
    case hub_link::Keyring::Opened::replayed: ++stats_.signals_unopened; return;
    }
}

// Asks `hub` for its key: only hubs with a record in the mesh, once a second per hub, kKeyAsksPerSecond in all
// (each request costs an RSA signature and encryption, and sealed values are unsigned: anyone can put one).
void HubMesh::request_link_key(const std::string& hub, std::uint64_t key_id, std::int64_t now) {
    if (!hubs_.count(hub)) return;
    auto [it, first] = key_asked_ms_.try_emplace(hub, now);
    if (!first && now - it->second < kKeyAskIntervalMs) return;
    it->second = now;
    if (now / 1000 != key_asks_second_) {
        key_asks_second_ = now / 1000;
        key_asks_in_second_ = 0;
    }
    if (++key_asks_in_second_ > kKeyAsksPerSecond) return;
    dht_.send_encrypted(mesh::inbox_key(config_.app_id, hub), hub, hub_link::encode_key_request(key_id));
}

// A key arrived: open what was held for it, in arrival order.
void HubMesh::release_held(const std::string& from_hub, std::int64_t now) {
    std::deque<Held> keep;
    std::vector<Held> now_open;
    for (auto& h : held_) {
        auto hdr = hub_link::parse_sealed(h.data);  // held values parsed once already
        if (hdr->from_hub == from_hub && keyring_->has(from_hub, hdr->key_id)) now_open.push_back(std::move(h));
        else keep.push_back(std::move(h));
    }
    held_.swap(keep);
    for (auto& h : now_open) on_sealed(std::move(h.data), now);
}

void HubMesh::expire_held(std::int64_t now) {
    while (!held_.empty() && now - held_.front().since_ms >= kHoldMs) {
        held_.pop_front();
        ++stats_.signals_unopened;
    }
    if (key_asked_ms_.size() > kMaxLinks) key_asked_ms_.clear();  // bounded; only a rate limit
}

void HubMesh::accept_signal(const std::string& from_hub, std::string_view text, std::int64_t now) {
    auto s = mesh::decode_signal(text);
    if (!s) {
        ++stats_.records_invalid;
        return;
    }
    ++stats_.signals_received;
    // Ordered per (sending hub, sender, target): each signal travelled as its own DHT put.
    ready_.clear();
    order_.accept(from_hub + "/" + s->from + ">" + s->to, s->epoch, s->seq,
                  OrderedSignal{s->to, s->network, share(std::move(s->msg))}, now, ready_);
    deliver(ready_);
}

// While signals wait for a missing predecessor, release them every 50 ms once their wait is over.
void HubMesh::arm_order_timer() {
    if (!order_.waiting() || order_timer_armed_) return;
    order_timer_armed_ = true;
    order_timer_.expires_after(std::chrono::milliseconds(50));
    order_timer_.async_wait([this](const asio::error_code& ec) {
        order_timer_armed_ = false;
        if (ec || stopped_) return;
        std::vector<OrderedSignal> late;
        order_.expire(now_ms(), late);
        deliver(late);
        arm_order_timer();
    });
}

void HubMesh::deliver(std::vector<OrderedSignal>& ready) {
    for (auto& r : ready)
        if (!router_.remote_signal(r.to, r.ns, r.msg, out_)) ++stats_.signals_undeliverable;
    ready.clear();
}

void HubMesh::on_hubs(const std::vector<DhtValue>& values, bool expired) {
    for (const auto& v : values) {
        if (expired) {
            // Only the value a hub is known by: an older one of a restarted hub may expire after the new one came.
            auto it = hubs_.find(v.owner);
            if (it != hubs_.end() && it->second.value_id == v.id) hubs_.erase(it);
            continue;
        }
        auto h = mesh::decode_hub(v.data);
        if (!h || h->hub_id != v.owner) {
            ++stats_.records_invalid;
            continue;
        }
        auto it = hubs_.find(h->hub_id);
        if (it == hubs_.end()) {
            if (hubs_.size() >= 10000) continue;  // bounded: further hubs are not listed
            const std::string hub = h->hub_id;
            hubs_.emplace(hub, KnownHub{v.id, std::move(*h)});
            // Signals from it may already wait for its key (keys are asked only of hubs with a record).
            for (const auto& held : held_) {
                auto hdr = hub_link::parse_sealed(held.data);
                if (hdr->from_hub != hub) continue;
                request_link_key(hub, hdr->key_id, now_ms());
                break;
            }
        } else if (h->updated_ms >= it->second.record.updated_ms) {
            it->second = KnownHub{v.id, std::move(*h)};
        }
    }
}

std::vector<mesh::HubRecord> HubMesh::hubs() const {
    std::vector<mesh::HubRecord> out;
    bool self_seen = false;
    for (const auto& [id, h] : hubs_) {
        out.push_back(h.record);
        self_seen = self_seen || id == hub_id_;
    }
    if (!self_seen)
        out.insert(out.begin(), mesh::own_hub_record(hub_id_, config_, router_.connections(), static_cast<std::uint64_t>(now_ms())));
    return out;
}

}  // namespace pigeonhub
