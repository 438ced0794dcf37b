#include "mesh/signal_relay.h"

#include <algorithm>

#include "mesh/mesh_limits.h"
#include "mesh/mesh_records.h"

namespace pigeonhub {

SignalRelay::SignalRelay(asio::io_context& io, std::string app_id, DhtPort& dht, const Membership& membership,
                         Router& router, Outbox& out, MeshStats& stats, Clock clock, std::uint32_t signal_rate)
    : app_id_(std::move(app_id)),
      dht_(dht),
      membership_(membership),
      router_(router),
      out_(out),
      stats_(stats),
      clock_(std::move(clock)),
      pending_keys_(mesh::kMaxPendingKeys, mesh::kMaxPendingKeys * sizeof(hub_link::LinkKey), mesh::kPendingMs),
      budget_(signal_rate),
      order_timer_(io) {}

void SignalRelay::start(std::string hub_id) {
    hub_id_ = std::move(hub_id);
    keyring_.emplace(hub_id_);
    inbox_token_ = dht_.listen(mesh::inbox_key(app_id_, hub_id_),
                               [this](const std::vector<DhtValue>& v, bool expired) { on_inbox(v, expired); });
    started_ = true;
}

void SignalRelay::stop() {
    if (stopped_) return;
    stopped_ = true;
    order_timer_.cancel();
    if (started_) dht_.cancel_listen(inbox_token_);
}

void SignalRelay::send(std::string_view from, std::string_view target, std::string_view ns, std::string text,
                       const std::string& to_hub, std::int64_t now) {
    mesh::Signal s;
    s.from.assign(from);
    s.to.assign(target);
    s.network.assign(ns);
    s.msg = std::move(text);
    auto n = numbering_.next(s.from + ">" + s.to, now);
    s.epoch = n.epoch;
    s.seq = n.seq;
    dht_.send_plain(mesh::inbox_key(app_id_, to_hub), link_to(to_hub, now).seal(mesh::encode_signal(s)));
    ++stats_.signals_sent;
}

// The sealer for `hub`, created (and its key sent, signed and encrypted to that hub) on first use.
hub_link::Sealer& SignalRelay::link_to(const std::string& hub, std::int64_t now) {
    auto it = out_links_.find(hub);
    if (it == out_links_.end()) {
        if (out_links_.size() >= mesh::kMaxLinks) out_links_.erase(out_links_.begin());  // a new key if it comes back
        it = out_links_.emplace(hub, OutLink{hub_link::Sealer(hub_id_, hub, hub_link::LinkKey::random())}).first;
        send_key(hub, now);
    }
    return it->second.sealer;
}

void SignalRelay::send_key(const std::string& hub, std::int64_t now) {
    auto it = out_links_.find(hub);
    if (it == out_links_.end()) return;
    it->second.key_sent_ms = now;
    dht_.send_encrypted(mesh::inbox_key(app_id_, hub), hub, hub_link::encode_key_message(it->second.sealer.key()));
    ++stats_.link_keys_sent;
}

void SignalRelay::on_inbox(const std::vector<DhtValue>& values, bool expired) {
    if (expired || stopped_) return;
    const std::int64_t now = clock_();
    for (const auto& v : values) {
        if (!seen_.insert(v.id).second) {
            ++stats_.signals_duplicate;  // at most once, even when a listen is refreshed
            continue;
        }
        seen_order_.push_back(v.id);
        if (seen_order_.size() > mesh::kSeenSignals) {
            seen_.erase(seen_order_.front());
            seen_order_.pop_front();
        }
        if (v.owner.empty()) {
            on_sealed(v.data, now);  // a signal: unsigned, sealed with a link key
        } else if (auto key = hub_link::decode_key_message(v.data)) {
            // Signed by its owner and encrypted to us; taken from members only.
            switch (const auto verdict = membership_.of(v.owner, now)) {
            case Membership::Verdict::member:
                keyring_->add(v.owner, *key);
                ++stats_.link_keys_received;
                release_held(v.owner, now);
                break;
            case Membership::Verdict::unknown:
                if (auto dropped = pending_keys_.hold(v.owner, *key, sizeof *key, now))
                    stats_.refuse(RecordKind::link_key, Refusal::not_member, dropped);
                break;
            default: stats_.refuse(RecordKind::link_key, refusal_of(verdict)); break;
            }
        } else if (auto asked = hub_link::decode_key_request(v.data)) {
            if (const auto verdict = membership_.of(v.owner, now); verdict != Membership::Verdict::member) {
                stats_.refuse(RecordKind::key_request, refusal_of(verdict));
                continue;
            }
            // The hub lost or never got our key (it restarted, or the key message is late): send it again.
            auto link = out_links_.find(v.owner);
            if (link != out_links_.end() && now - link->second.key_sent_ms >= mesh::kKeyAskIntervalMs)
                send_key(v.owner, now);
        } else {
            ++stats_.records_invalid;
        }
    }
    arm_order_timer();
}

void SignalRelay::on_sealed(std::string data, std::int64_t now) {
    auto h = hub_link::parse_sealed(data);
    if (!h) {
        ++stats_.records_invalid;
        return;
    }
    if (const auto verdict = membership_.of(h->from_hub, now);
        verdict == Membership::Verdict::refused || verdict == Membership::Verdict::revoked) {
        stats_.refuse(RecordKind::signal, refusal_of(verdict));  // (the header is not authenticated: just a hint)
        return;
    }
    std::string plain;
    switch (keyring_->open(data, *h, plain)) {
    case hub_link::Keyring::Opened::ok:
        // Charged once it opened with the hub's key: a forged header cannot spend another hub's budget.
        if (!budget_.take(h->from_hub, now)) {
            ++stats_.records_throttled;
            stats_.refuse(RecordKind::signal, Refusal::rate_limited);
            return;
        }
        accept(std::string(h->from_hub), plain, now);
        return;
    case hub_link::Keyring::Opened::unknown_key: {
        std::string from(h->from_hub);
        const std::uint64_t key_id = h->key_id;
        if (held_.size() >= mesh::kMaxHeld) {
            held_.pop_front();
            ++stats_.signals_unopened;
        }
        held_.push_back(Held{std::move(data), now});
        request_key(from, key_id, now);
        return;
    }
    case hub_link::Keyring::Opened::forged:
    case hub_link::Keyring::Opened::replayed: ++stats_.signals_unopened; return;
    }
}

// Asks `hub` for its key: only member hubs, once a second per hub, kKeyAsksPerSecond in all.
void SignalRelay::request_key(const std::string& hub, std::uint64_t key_id, std::int64_t now) {
    if (membership_.of(hub, now) != Membership::Verdict::member) return;
    auto [it, first] = key_asked_ms_.try_emplace(hub, now);
    if (!first && now - it->second < mesh::kKeyAskIntervalMs) return;
    it->second = now;
    if (now / 1000 != key_asks_second_) {
        key_asks_second_ = now / 1000;
        key_asks_in_second_ = 0;
    }
    if (++key_asks_in_second_ > mesh::kKeyAsksPerSecond) return;
    dht_.send_encrypted(mesh::inbox_key(app_id_, hub), hub, hub_link::encode_key_request(key_id));
}

void SignalRelay::admitted(const std::string& hub, std::int64_t now) {
    for (const auto& key : pending_keys_.take(hub)) {
        keyring_->add(hub, key);
        ++stats_.link_keys_received;
    }
    release_held(hub, now);
    for (const auto& held : held_) {
        auto hdr = hub_link::parse_sealed(held.data);
        if (hdr->from_hub != hub) continue;
        request_key(hub, hdr->key_id, now);
        return;
    }
}

void SignalRelay::drop_hub(const std::string& hub, Refusal why) {
    budget_.forget(hub);
    out_links_.erase(hub);
    keyring_->forget(hub);
    if (auto n = pending_keys_.remove_if([&](const std::string& owner, const hub_link::LinkKey&) { return owner == hub; }))
        stats_.refuse(RecordKind::link_key, why, n);
    const std::size_t before = held_.size();
    held_.erase(std::remove_if(held_.begin(), held_.end(),
                               [&](const Held& h) { return hub_link::parse_sealed(h.data)->from_hub == hub; }),
                held_.end());
    if (before != held_.size()) stats_.refuse(RecordKind::signal, why, before - held_.size());
}

// A key arrived: open what was held for it, in arrival order.
void SignalRelay::release_held(const std::string& from_hub, std::int64_t now) {
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

void SignalRelay::tick(std::int64_t now) {
    while (!held_.empty() && now - held_.front().since_ms >= mesh::kHoldMs) {
        held_.pop_front();
        ++stats_.signals_unopened;
    }
    if (key_asked_ms_.size() > mesh::kMaxLinks) key_asked_ms_.clear();  // bounded; only a rate limit
    if (auto n = pending_keys_.expire(now)) stats_.refuse(RecordKind::link_key, Refusal::not_member, n);
    std::vector<OrderedSignal> late;
    order_.expire(now, late);
    deliver(late);
}

void SignalRelay::accept(const std::string& from_hub, std::string_view text, std::int64_t now) {
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

void SignalRelay::arm_order_timer() {
    if (!order_.waiting() || order_timer_armed_) return;
    order_timer_armed_ = true;
    order_timer_.expires_after(mesh::kOrderTick);
    order_timer_.async_wait([this](const asio::error_code& ec) {
        order_timer_armed_ = false;
        if (ec || stopped_) return;
        std::vector<OrderedSignal> late;
        order_.expire(clock_(), late);
        deliver(late);
        arm_order_timer();
    });
}

void SignalRelay::deliver(std::vector<OrderedSignal>& ready) {
    for (auto& r : ready)
        if (!router_.remote_signal(r.to, r.ns, r.msg, out_)) ++stats_.signals_undeliverable;
    ready.clear();
}

}  // namespace pigeonhub
