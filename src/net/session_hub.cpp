#include "net/session_hub.h"

#include <algorithm>
#include <chrono>

#include "net/ws_session.h"
#include "util/clock.h"
#include "util/log.h"

namespace pigeonhub {
namespace {

constexpr std::size_t kReadBufferSize = 64 * 1024;

std::int64_t tick_interval(const SessionOptions& c) {
    std::int64_t m = std::min<std::int64_t>({c.ping_interval_ms, c.signaling_timeout_ms, c.probe_timeout_ms});
    return std::clamp<std::int64_t>(m / 4, 20, 1000);
}

}  // namespace

SessionHub::SessionHub(asio::io_context& io, const SessionOptions& config, Router& router)
    : io_(io),
      config_(config),
      router_(router),
      read_buffer_(kReadBufferSize),
      tick_timer_(io),
      tick_ms_(tick_interval(config)),
      shutdown_timer_(io) {}

SessionHub::~SessionHub() {
    stopping_ = true;
    auto all = std::move(sessions_);  // abort() removes sessions from sessions_
    sessions_.clear();
    for (auto& s : all) s->abort();
}

std::int64_t SessionHub::now_ms() const { return wall_clock_ms(); }

void SessionHub::accept(asio::ip::tcp::socket socket, std::string response, const std::string& peer_id,
                        auth::JoinCredentials creds, std::shared_ptr<void> hold, std::string_view refusal) {
    const std::int64_t now = now_ms();
    auto session = std::make_shared<WsSession>(*this, std::move(socket), now);
    session->keep_until_closed(std::move(hold));
    session->index = sessions_.size();
    sessions_.push_back(session);
    ++stats_.sessions;
    ++stats_.upgrades;
    session->enqueue_raw(share(std::move(response)));
    if (stopping_) {
        session->close(1001, "Server shutting down");
        return;
    }
    if (!refusal.empty()) {
        session->close(1008, refusal);
        session->start_reading();
        return;
    }
    AdmitResult r = router_.admit(peer_id, *this, now);
    if (!r.accepted) {
        session->close(r.close_code, r.reason);
        session->start_reading();
        return;
    }
    if (by_slot_.size() <= r.slot) by_slot_.resize(r.slot + 1, nullptr);
    by_slot_[r.slot] = session.get();
    session->set_slot(r.slot);
    if (access_) access_->attach(r.slot, std::move(creds));
    router_.greet(r.slot, *this, now);
    session->start_reading();
}

void SessionHub::send(Slot to, OutFrame frame) {
    if (to >= by_slot_.size() || !by_slot_[to]) return;
    by_slot_[to]->enqueue_text(std::move(frame));
}

void SessionHub::probe(Slot slot) {
    if (slot >= by_slot_.size() || !by_slot_[slot]) return;
    by_slot_[slot]->probe(now_ms());
}

void SessionHub::session_message(WsSession& s, std::string_view payload) {
    if (s.slot() == WsSession::kNoSlot) return;
    // Relay latency: one clock read per message, a second only for a routed one (relayed here or to the mesh).
    const SignalingStats& rs = router_.stats();
    const std::uint64_t routed_before = rs.relayed_total;
    const auto arrived = std::chrono::steady_clock::now();
    router_.on_message(s.slot(), payload, *this, s.last_rx_ms());  // read once per socket read, not per message
    if (rs.relayed_total != routed_before)
        stats_.relay_latency.observe(static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - arrived).count()));
}

void SessionHub::pause_reading(WsSession& s) {
    ++stats_.output_paused;
    paused_.push_back(s.shared_from_this());
}

void SessionHub::output_drained() {
    if (paused_.empty() || stats_.queued_bytes > config_.max_output_buffer / 2) return;
    auto resume = std::move(paused_);
    paused_.clear();
    for (auto& s : resume) s->start_reading();
}

void SessionHub::session_detached(WsSession& s) {
    const Slot slot = s.slot();
    if (slot < by_slot_.size()) by_slot_[slot] = nullptr;
    // At shutdown nobody needs to hear about departures (and a mass departure would be quadratic).
    router_.on_disconnect(slot, *this, now_ms(), /*notify=*/!stopping_);
    if (access_) access_->detach(slot);
}

void SessionHub::session_finalized(WsSession& s) {
    // Swap-remove; keep the object alive until the current handler returns.
    const std::size_t i = s.index;
    if (i < sessions_.size() && sessions_[i].get() == &s) {
        graveyard_.push_back(std::move(sessions_[i]));
        if (i + 1 != sessions_.size()) {
            sessions_[i] = std::move(sessions_.back());
            sessions_[i]->index = i;
        }
        sessions_.pop_back();
        --stats_.sessions;
    }
    if (!flush_posted_) {
        flush_posted_ = true;
        asio::post(io_, [this] { flush_dirty(); });
    }
    if (stopping_) check_shutdown_done();
}

void SessionHub::mark_dirty(WsSession& s) {
    if (s.dirty) return;
    s.dirty = true;
    dirty_.push_back(s.shared_from_this());
    if (!flush_posted_) {
        flush_posted_ = true;
        asio::post(io_, [this] { flush_dirty(); });
    }
}

void SessionHub::flush_dirty() {
    flush_posted_ = false;
    std::vector<std::shared_ptr<WsSession>> batch;
    batch.swap(dirty_);
    for (auto& s : batch) {
        s->dirty = false;
        s->flush();
    }
    graveyard_.clear();
    if (dirty_.capacity() > 4096 && dirty_.empty()) dirty_.shrink_to_fit();
    output_drained();
}

void SessionHub::start() { arm_tick(); }

void SessionHub::arm_tick() {
    tick_timer_.expires_after(std::chrono::milliseconds(tick_ms_));
    tick_timer_.async_wait([this](const asio::error_code& ec) {
        if (ec) return;
        on_tick();
        arm_tick();
    });
}

void SessionHub::on_tick() {
    const std::int64_t now = now_ms();
    cut_off_stalled(now);
    // Backwards, so that a session removing itself (swap-remove) never hides one not yet visited.
    for (std::size_t i = sessions_.size(); i-- > 0;) {
        if (i >= sessions_.size()) continue;
        auto keep = sessions_[i];
        keep->tick(now);
    }
}

void SessionHub::cut_off_stalled(std::int64_t now) {
    if (!over_budget()) {
        over_budget_since_ms_ = 0;
        return;
    }
    if (over_budget_since_ms_ == 0) over_budget_since_ms_ = now;
    if (now - over_budget_since_ms_ < kOutputStallMs) return;
    // Largest unwritable queues first, until the hub is under the budget again.
    std::vector<std::shared_ptr<WsSession>> stalled;
    for (auto& s : sessions_)
        if (s->write_blocked()) stalled.push_back(s);
    std::sort(stalled.begin(), stalled.end(),
              [](const auto& a, const auto& b) { return a->queued_bytes() > b->queued_bytes(); });
    for (auto& s : stalled) {
        if (!over_budget()) break;
        ++stats_.closed_output_stall;
        s->abort();
    }
    over_budget_since_ms_ = over_budget() ? now : 0;
    output_drained();
}

void SessionHub::shutdown(std::int64_t grace_ms, std::function<void()> done) {
    stopping_ = true;
    shutdown_done_ = std::move(done);
    for (std::size_t i = sessions_.size(); i-- > 0;) {
        if (i >= sessions_.size()) continue;
        auto keep = sessions_[i];
        keep->close(1001, "Server shutting down");
    }
    shutdown_timer_.expires_after(std::chrono::milliseconds(grace_ms));
    shutdown_timer_.async_wait([this](const asio::error_code& ec) {
        if (ec) return;
        for (std::size_t i = sessions_.size(); i-- > 0;) {
            if (i >= sessions_.size()) continue;
            auto keep = sessions_[i];
            keep->abort();
        }
        check_shutdown_done();
    });
    check_shutdown_done();
}

void SessionHub::check_shutdown_done() {
    if (!sessions_.empty() || !shutdown_done_) return;
    tick_timer_.cancel();
    shutdown_timer_.cancel();
    auto done = std::move(shutdown_done_);
    shutdown_done_ = nullptr;
    // Let the last close frames and flushes run first.
    asio::post(io_, [this, done = std::move(done)] {
        flush_dirty();
        done();
    });
}

}  // namespace pigeonhub
