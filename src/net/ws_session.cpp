#include "net/ws_session.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <span>

#include "net/session_hub.h"
#include "util/log.h"

namespace pigeonhub {
namespace {

constexpr std::int64_t kCloseGraceMs = 2000;  // how long a closing socket waits for the peer's close
constexpr int kReadsPerWakeup = 4;            // fairness: then other sockets get their turn
// Latency for light sockets under load (issue 14): a read of at most kLightReadBytes is "light" (a signal or two):
// what it sends goes out at once instead of at the end of the burst. A socket whose last read was kBusyReadBytes or
// more is "busy": its next turn waits behind every socket ready in the same wake-up, so a light one's message is
// not queued behind a busy one's whole batch.
constexpr std::size_t kLightReadBytes = 4096;
constexpr std::size_t kBusyReadBytes = 16384;
constexpr std::size_t kItemsPerWrite = 48;    // items gathered into one writev (3 buffers each)

const SharedText& ping_frame() {
    static const SharedText frame = share(std::string("\x89\x00", 2));  // empty ping, immutable
    return frame;
}

}  // namespace

WsSession::WsSession(SessionHub& hub, asio::ip::tcp::socket socket, std::int64_t now_ms)
    : hub_(hub), socket_(std::move(socket)), reader_(hub.config().max_message_size), last_rx_ms_(now_ms) {
    asio::error_code ec;
    socket_.non_blocking(true, ec);
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

WsSession::~WsSession() = default;

void WsSession::push(OutItem&& item) {
    if (state_ == State::closed) return;
    queued_bytes_ += item.size();
    auto& stats = hub_.mutable_stats();
    stats.queued_bytes += item.size();
    if (stats.queued_bytes > stats.queued_bytes_peak) stats.queued_bytes_peak = stats.queued_bytes;
    queue_.push_back(std::move(item));
    hub_.mark_dirty(*this);
}

void WsSession::enqueue_raw(SharedText bytes) {
    OutItem item;
    item.head = std::move(bytes);
    push(std::move(item));
}

void WsSession::enqueue_text(OutFrame frame) {
    if (state_ != State::open || write_failed_) return;
    const std::size_t len = frame.size();
    if (queued_bytes_ + len > hub_.config().max_send_queue) {
        // Closing here would re-enter the router in the middle of a fan-out; flush() closes instead.
        overflow_ = true;
        hub_.mark_dirty(*this);
        return;
    }
    OutItem item;
    item.hdr_len = static_cast<std::uint8_t>(write_frame_header(item.hdr, WsOpcode::text, len));
    item.head = std::move(frame.head);
    item.tail_len = frame.tail_len;
    std::memcpy(item.tail, frame.tail, frame.tail_len);
    ++hub_.mutable_stats().messages_out;
    push(std::move(item));
    // Over the hub's output budget (session_hub.h): write now rather than hold the frames until the end of the
    // burst, a few at a time (this socket's share of the budget) so that a crowd's fan-out is not a write per frame.
    if (hub_.over_budget() && queued_bytes_ >= hub_.output_share()) write_now(/*over_budget=*/true);
    else if (hub_.writing_through()) write_now(/*over_budget=*/false);
}

void WsSession::start_reading() {
    if (reading_ || state_ == State::closed) return;
    reading_ = true;
    socket_.async_wait(asio::socket_base::wait_read,
                       [self = shared_from_this()](const asio::error_code& ec) { self->on_readable(ec); });
}

void WsSession::on_readable(const asio::error_code& ec) {
    if (state_ == State::closed) {
        reading_ = false;
        return;
    }
    if (ec) {
        reading_ = false;
        if (ec != asio::error::operation_aborted) abort();
        return;
    }
    if (busy_) {
        // Behind the sockets that are ready now (reading_ stays set: nothing else arms a read meanwhile).
        asio::post(socket_.get_executor(), [self = shared_from_this()] { self->read_turn(); });
        return;
    }
    read_turn();
}

void WsSession::read_turn() {
    reading_ = false;
    if (state_ == State::closed) return;
    busy_ = false;
    auto& stats = hub_.mutable_stats();
    for (int i = 0; i < kReadsPerWakeup && state_ != State::closed; ++i) {
        if (hub_.over_budget()) {
            // Backpressure: no new input while the hub's output is over MAX_OUTPUT_BUFFER (session_hub.h).
            hub_.pause_reading(*this);
            return;
        }
        asio::error_code rec;
        std::size_t n = socket_.read_some(asio::buffer(hub_.read_buffer(), hub_.read_buffer_size()), rec);
        if (rec == asio::error::would_block || rec == asio::error::try_again) break;
        if (rec) {
            // EOF or reset: the peer is gone (a half-closed peer that still reads gets nothing more from us).
            if (state_ == State::open) detach();
            finalize();
            return;
        }
        stats.bytes_in += n;
        last_rx_ms_ = hub_.now_ms();
        probe_deadline_ms_ = 0;
        // While closing, frames are still parsed (to see the peer's close) but messages are dropped. After a
        // framing error the stream cannot be parsed any more: bytes are discarded until the peer's EOF (an
        // immediate close() with unread data would reset the connection and lose our close frame).
        if (reader_failed_) continue;
        if (n >= kBusyReadBytes) busy_ = true;
        hub_.set_writing_through(n <= kLightReadBytes);
        std::uint16_t code = reader_.feed(hub_.read_buffer(), n, *this);
        hub_.set_writing_through(false);
        if (code) {
            reader_failed_ = true;
            if (state_ != State::open) continue;
            if (code == 1009) ++stats.closed_too_big;
            else if (code == 1007) ++stats.closed_bad_utf8;
            else ++stats.closed_protocol;
            close(code, code == 1009 ? "Message too big" : code == 1007 ? "Invalid UTF-8" : "Protocol error");
        }
        if (n < hub_.read_buffer_size()) break;
    }
    if (state_ != State::closed) start_reading();
}

bool WsSession::on_message(std::string_view payload, bool /*binary*/) {
    if (state_ != State::open) return true;
    ++hub_.mutable_stats().messages_in;
    if (const std::uint32_t rate = hub_.config().message_rate) {
        // `rate` per second, bursts of 2 * rate.
        const std::int64_t now = last_rx_ms_;
        if (!messages_.take(now, rate, 1000.0, 2.0 * rate)) {
            ++hub_.mutable_stats().rate_limited;
            if (now - rate_error_ms_ >= 1000) {  // tell the sender, at most once a second
                rate_error_ms_ = now;
                enqueue_text(OutFrame(share(outbound::error("Rate limit exceeded: message dropped", now))));
            }
            return true;
        }
    }
    hub_.session_message(*this, payload);
    return state_ == State::open;
}

bool WsSession::on_ping(std::string_view payload) {
    if (state_ != State::open) return true;
    std::string frame;
    std::uint8_t hdr[10];
    std::size_t h = write_frame_header(hdr, WsOpcode::pong, payload.size());
    frame.append(reinterpret_cast<const char*>(hdr), h);
    frame.append(payload);
    enqueue_raw(share(std::move(frame)));
    return true;
}

bool WsSession::on_pong(std::string_view) { return true; }

bool WsSession::on_close(std::uint16_t code, std::string_view) {
    peer_closed_ = true;
    if (state_ == State::open) {
        // Echo the peer's code (1000 when it sent none), as RFC 6455 5.5.1 asks; dropped after the echo.
        close(code == 1005 ? 1000 : code, "");
    } else if (queue_head_ >= queue_.size()) {
        finalize();  // the answer to our own close: done
    }
    return false;
}

void WsSession::close(std::uint16_t code, std::string_view reason) {
    if (state_ != State::open) return;
    detach();
    state_ = State::closing;
    close_deadline_ms_ = hub_.now_ms() + kCloseGraceMs;
    enqueue_raw(share(make_close_frame(code, reason)));
}

void WsSession::abort() {
    if (state_ == State::open) detach();
    finalize();
}

void WsSession::detach() {
    if (slot_ == kNoSlot) return;
    hub_.session_detached(*this);
    slot_ = kNoSlot;
}

void WsSession::finalize() {
    if (state_ == State::closed) return;
    state_ = State::closed;
    asio::error_code ec;
    socket_.close(ec);
    hold_.reset();
    queue_.clear();
    queue_.shrink_to_fit();
    hub_.mutable_stats().queued_bytes -= queued_bytes_;
    queued_bytes_ = 0;
    hub_.session_finalized(*this);
}

void WsSession::flush() {
    if (write_failed_) {
        abort();
        return;
    }
    if (overflow_ && state_ == State::open) {
        overflow_ = false;
        ++hub_.mutable_stats().closed_overflow;
        close(1008, "Send queue overflow");
    }
    if (write_waiting_ || state_ == State::closed) return;
    switch (write_queued()) {
    case WriteResult::failed:
        abort();
        return;
    case WriteResult::blocked:
        return;
    case WriteResult::drained:
        break;
    }
    after_drain();
    hub_.output_drained();
}

void WsSession::write_now(bool over_budget) {
    if (write_waiting_ || write_failed_ || state_ == State::closed) return;
    if (over_budget) ++hub_.mutable_stats().written_at_once;
    switch (write_queued()) {
    case WriteResult::failed:
        // The peer is gone. Closing here would re-enter the router in the middle of a fan-out: drop what is
        // queued now, refuse what comes, and let flush() abort.
        write_failed_ = true;
        hub_.mutable_stats().queued_bytes -= queued_bytes_;
        queued_bytes_ = 0;
        clear_queue();
        hub_.mark_dirty(*this);
        return;
    case WriteResult::blocked:
        return;
    case WriteResult::drained:
        clear_queue();
        return;
    }
}

void WsSession::clear_queue() {
    queue_.clear();
    queue_head_ = 0;
    head_offset_ = 0;
}

WsSession::WriteResult WsSession::write_queued() {
    auto& stats = hub_.mutable_stats();
    while (queue_head_ < queue_.size()) {
        std::array<asio::const_buffer, kItemsPerWrite * 3> bufs;
        std::size_t nb = 0;
        for (std::size_t i = queue_head_; i < queue_.size() && nb + 3 <= bufs.size(); ++i) {
            const OutItem& it = queue_[i];
            std::size_t skip = i == queue_head_ ? head_offset_ : 0;
            auto add = [&](const void* p, std::size_t n) {
                if (skip >= n) {
                    skip -= n;
                    return;
                }
                bufs[nb++] = asio::const_buffer(static_cast<const char*>(p) + skip, n - skip);
                skip = 0;
            };
            add(it.hdr, it.hdr_len);
            add(it.head->data(), it.head->size());
            add(it.tail, it.tail_len);
        }
        asio::error_code ec;
        std::size_t written = socket_.write_some(std::span<const asio::const_buffer>(bufs.data(), nb), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
            write_waiting_ = true;
            socket_.async_wait(asio::socket_base::wait_write, [self = shared_from_this()](const asio::error_code& wec) {
                self->write_waiting_ = false;
                if (wec) {
                    if (wec != asio::error::operation_aborted) self->abort();
                    return;
                }
                self->flush();
            });
            return WriteResult::blocked;
        }
        if (ec) return WriteResult::failed;
        stats.bytes_out += written;
        queued_bytes_ -= written;
        stats.queued_bytes -= written;
        // Retire fully written items.
        std::size_t left = written;
        while (left > 0 && queue_head_ < queue_.size()) {
            std::size_t remaining = queue_[queue_head_].size() - head_offset_;
            if (left >= remaining) {
                left -= remaining;
                queue_[queue_head_].head.reset();
                ++queue_head_;
                head_offset_ = 0;
            } else {
                head_offset_ += left;
                left = 0;
            }
        }
    }
    return WriteResult::drained;
}

void WsSession::after_drain() {
    clear_queue();
    // An idle socket holds no queue (120 B per item of capacity, kept per socket otherwise);
    // a busy one allocates it again once per burst.
    queue_.shrink_to_fit();
    if (state_ == State::closing) {
        if (peer_closed_) {
            finalize();
        } else if (!shut_down_send_) {
            shut_down_send_ = true;
            asio::error_code ec;
            socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
        }
    }
}

void WsSession::probe(std::int64_t now_ms) {
    if (state_ != State::open || probe_deadline_ms_ != 0) return;
    probe_deadline_ms_ = now_ms + hub_.config().probe_timeout_ms;
    last_ping_ms_ = now_ms;
    ++hub_.mutable_stats().pings_sent;
    enqueue_raw(ping_frame());
}

void WsSession::tick(std::int64_t now_ms) {
    if (state_ == State::closing) {
        if (now_ms >= close_deadline_ms_) finalize();
        return;
    }
    if (state_ != State::open) return;
    const auto& cfg = hub_.config();
    auto& stats = hub_.mutable_stats();
    const std::int64_t idle = now_ms - last_rx_ms_;
    if (probe_deadline_ms_ != 0 && now_ms >= probe_deadline_ms_) {
        ++stats.closed_probe;
        abort();  // silent after a ping: treat as dead, free its id now
        return;
    }
    if (idle >= static_cast<std::int64_t>(cfg.signaling_timeout_ms)) {
        ++stats.closed_idle;
        close(1001, "Idle timeout");
        return;
    }
    if (idle >= static_cast<std::int64_t>(cfg.ping_interval_ms) &&
        now_ms - last_ping_ms_ >= static_cast<std::int64_t>(cfg.ping_interval_ms)) {
        last_ping_ms_ = now_ms;
        ++stats.pings_sent;
        enqueue_raw(ping_frame());
    }
}

}  // namespace pigeonhub
