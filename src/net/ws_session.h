// One WebSocket connection on an upgraded TCP socket: reads frames through WsReader, queues outbound frames,
// writes them with vectored non-blocking writes, and runs the close handshake.
//
// Threading: every member runs on the hub's single io thread (SessionHub owns the io_context's only
// runner), so nothing here is locked. Lifetime: shared_ptr, held by SessionHub while open and by pending
// async operations.
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/ws_frame.h"
#include "protocol/outbound.h"
#include "signaling/namespace_members.h"
#include "util/token_bucket.h"

namespace pigeonhub {

class SessionHub;

class WsSession final : public std::enable_shared_from_this<WsSession>, private WsSink {
public:
    static constexpr Slot kNoSlot = 0xFFFFFFFFu;

    WsSession(SessionHub& hub, asio::ip::tcp::socket socket, std::int64_t now_ms);
    ~WsSession() override;

    // Queues bytes that are already framed (the 101 response, control frames).
    void enqueue_raw(SharedText bytes);
    // Queues one text message.
    void enqueue_text(OutFrame frame);
    // Starts the read loop.
    void start_reading();
    // Starts the close handshake: detaches from the router, queues a close frame, then drops the socket
    // once the peer answers or after a grace period.
    void close(std::uint16_t code, std::string_view reason);
    // Drops the socket now.
    void abort();
    // Writes what is queued (called by SessionHub after each batch of events).
    void flush();
    // Liveness: pings, idle timeout, probe deadline, close grace period.
    void tick(std::int64_t now_ms);
    // Another connection asked for our id: ping, and abort if nothing arrives within the probe timeout.
    void probe(std::int64_t now_ms);

    // Keeps `hold` until the socket is closed (what the connection holds elsewhere: its address's slot).
    void keep_until_closed(std::shared_ptr<void> hold) noexcept { hold_ = std::move(hold); }
    void set_slot(Slot s) noexcept { slot_ = s; }
    Slot slot() const noexcept { return slot_; }
    // Wall clock (ms) at the last read from the socket: the time stamp for the messages in that read.
    std::int64_t last_rx_ms() const noexcept { return last_rx_ms_; }
    bool is_open() const noexcept { return state_ == State::open; }
    bool is_closed() const noexcept { return state_ == State::closed; }
    // Bytes queued and not yet written; whether the socket refused the last write (its peer is not reading).
    std::size_t queued_bytes() const noexcept { return queued_bytes_; }
    bool write_blocked() const noexcept { return write_waiting_; }
    std::size_t index = 0;  // position in SessionHub's list, maintained by SessionHub
    bool dirty = false;     // queued in SessionHub's flush list

private:
    enum class State : std::uint8_t { open, closing, closed };
    struct OutItem {
        SharedText head;
        std::uint8_t hdr_len = 0;
        std::uint8_t tail_len = 0;
        std::uint8_t hdr[10];
        char tail[OutFrame::kTailCapacity];
        std::size_t size() const { return hdr_len + head->size() + tail_len; }
    };

    // WsSink
    bool on_message(std::string_view payload, bool binary) override;
    bool on_ping(std::string_view payload) override;
    bool on_pong(std::string_view payload) override;
    bool on_close(std::uint16_t code, std::string_view reason) override;

    enum class WriteResult : std::uint8_t { drained, blocked, failed };

    void on_readable(const asio::error_code& ec);
    // Writes what is queued until it is all written (drained), the socket is full (blocked: a write wait is
    // armed) or the write fails. Never closes the session (callable in the middle of a fan-out).
    WriteResult write_queued();
    // write_queued() at send time (output over the hub's budget, or a light read's reply); a failed write drops the
    // queue.
    void write_now(bool over_budget);
    // Forgets the queued items (written or dropped); keeps the vector's capacity.
    void clear_queue();
    // One turn of reading: up to kReadsPerWakeup reads, then the read is armed again (or paused).
    void read_turn();
    void push(OutItem&& item);
    void detach();
    void finalize();
    void after_drain();

    SessionHub& hub_;
    asio::ip::tcp::socket socket_;
    WsReader reader_;
    std::vector<OutItem> queue_;
    std::size_t queue_head_ = 0;     // first unwritten item
    std::size_t head_offset_ = 0;    // bytes of queue_[queue_head_] already written
    std::size_t queued_bytes_ = 0;
    std::int64_t last_rx_ms_;
    std::int64_t last_ping_ms_ = 0;
    std::int64_t probe_deadline_ms_ = 0;
    std::int64_t close_deadline_ms_ = 0;
    TokenBucket messages_;                // MESSAGE_RATE
    std::int64_t rate_error_ms_ = 0;
    std::shared_ptr<void> hold_;
    Slot slot_ = kNoSlot;
    State state_ = State::open;
    bool reading_ = false;
    bool write_waiting_ = false;
    bool overflow_ = false;
    bool write_failed_ = false;  // write_now() failed: nothing more is queued, flush() aborts
    bool busy_ = false;          // the last read was big: the next turn waits behind the other ready sockets
    bool peer_closed_ = false;
    bool shut_down_send_ = false;
    bool reader_failed_ = false;
};

}  // namespace pigeonhub
