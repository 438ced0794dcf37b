// The set of WebSocket sessions of one hub, and the Outbox the Router writes to.
//
// Owns: every WsSession (by position and by router slot), the shared read buffer, the liveness timer and
// the batching of writes (a send marks a session dirty; one posted task flushes all dirty sessions, so the
// frames produced by one burst of input leave in one vectored write per socket).
//
// Output budget (MAX_OUTPUT_BUFFER, issue 14): what one inbound message or departure queues is bounded per socket
// (MAX_SEND_QUEUE) but a crowd leaving one namespace queues N^2/2 peer-disconnected frames before the posted flush
// runs. So while the bytes queued to all sockets together are over the budget, the hub (1) writes a socket's frames
// as soon as it holds its share of half the budget (output_share) instead of at the end of the burst (a write that
// fails drops that socket's queue at once: its peer is gone, and a crowd's departures are mostly frames to peers
// that are leaving too), and (2) stops reading sockets
// (no new input, so no new output) until its writes bring the total under half the budget. Nothing is dropped for a
// peer that reads. A queue that cannot be written (its peer does not read) and keeps the hub over the budget for
// kOutputStallMs is cut off, largest first (closed_output_stall), so that non-readers cannot stop the hub.
// Threading: single-threaded; everything runs on the io_context given to the constructor, which must be run
// by exactly one thread.
#pragma once

#include <asio.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/transport_stats.h"
#include "pigeonhub/config.h"
#include "signaling/outbox.h"
#include "signaling/router.h"

namespace pigeonhub {

class WsSession;

class SessionHub final : public Outbox {
public:
    SessionHub(asio::io_context& io, const SessionOptions& options, Router& router);
    ~SessionHub() override;

    // Takes over a socket whose upgrade request was accepted: sends `response` (the 101), then admits
    // `peer_id` through the router (or closes with 1008 and the router's reason).
    // `creds` (the hub URL's token and password) go to the access gate, if any, with the slot. `hold` is kept until
    // the socket is closed (the address's WebSocket slot); a non-empty `refusal` closes the socket 1008 with it instead.
    void accept(asio::ip::tcp::socket socket, std::string response, const std::string& peer_id,
                auth::JoinCredentials creds = {}, std::shared_ptr<void> hold = {}, std::string_view refusal = {});
    // Namespace access control (docs/AUTH.md): told of each admitted connection and departure. Optional.
    void set_access(AccessGate* gate) noexcept { access_ = gate; }
    // Starts the liveness timer.
    void start();
    // Closes every session with 1001 "Server shutting down"; calls `done` once all are gone or after
    // `grace_ms`.
    void shutdown(std::int64_t grace_ms, std::function<void()> done);

    // Outbox
    void send(Slot to, OutFrame frame) override;
    void probe(Slot slot) override;

    // How long the hub may stay over MAX_OUTPUT_BUFFER before unwritable queues are cut off.
    static constexpr std::int64_t kOutputStallMs = 5000;

    const TransportStats& stats() const noexcept { return stats_; }
    // The highest output queued (bytes, all sockets) since the last call; restarts from what is queued now.
    std::uint64_t take_queued_peak() noexcept {
        const std::uint64_t peak = stats_.queued_bytes_peak;
        stats_.queued_bytes_peak = stats_.queued_bytes;
        return peak;
    }
    const SessionOptions& config() const noexcept { return config_; }
    std::int64_t now_ms() const;

private:
    friend class WsSession;
    // Called by sessions.
    void session_message(WsSession& s, std::string_view payload);
    void session_detached(WsSession& s);
    void session_finalized(WsSession& s);
    void mark_dirty(WsSession& s);
    bool over_budget() const noexcept { return stats_.queued_bytes > config_.max_output_buffer; }
    // While a light read is handled (ws_session.cpp): what it sends is written at once.
    bool writing_through() const noexcept { return writing_through_; }
    void set_writing_through(bool on) noexcept { writing_through_ = on; }
    // What one socket may hold while output is over the budget before it is written: half the budget shared by
    // every socket (so all of them together add at most half the budget again).
    std::size_t output_share() const noexcept {
        return config_.max_output_buffer / 2 / std::max<std::size_t>(1, sessions_.size());
    }
    // `s` stopped reading because output is over the budget; resumed by output_drained().
    void pause_reading(WsSession& s);
    // Called after writes: resumes the paused sessions once output is under half the budget.
    void output_drained();
    char* read_buffer() noexcept { return read_buffer_.data(); }
    std::size_t read_buffer_size() const noexcept { return read_buffer_.size(); }
    TransportStats& mutable_stats() noexcept { return stats_; }

    void flush_dirty();
    void cut_off_stalled(std::int64_t now);
    void arm_tick();
    void on_tick();
    void check_shutdown_done();

    asio::io_context& io_;
    SessionOptions config_;
    Router& router_;
    AccessGate* access_ = nullptr;
    TransportStats stats_;
    std::vector<std::shared_ptr<WsSession>> sessions_;
    std::vector<WsSession*> by_slot_;
    std::vector<std::shared_ptr<WsSession>> dirty_;
    std::vector<std::shared_ptr<WsSession>> graveyard_;
    bool flush_posted_ = false;
    bool writing_through_ = false;
    std::vector<std::shared_ptr<WsSession>> paused_;
    std::int64_t over_budget_since_ms_ = 0;
    std::vector<char> read_buffer_;
    asio::steady_timer tick_timer_;
    std::int64_t tick_ms_;
    bool stopping_ = false;
    std::function<void()> shutdown_done_;
    asio::steady_timer shutdown_timer_;
};

}  // namespace pigeonhub
