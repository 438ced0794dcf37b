// Tells systemd (Type=notify) how the hub is doing, over the sd_notify(3) protocol: READY=1 once it serves,
// STATUS= with its counts every few seconds, WATCHDOG=1 while the io_context turns, STOPPING=1 at shutdown.
//
// Two halves: ServiceNotices decides what to say and when (pure: a state and a time in, the text of one datagram
// out); ServiceNotifier runs it on a timer of the hub's io_context and hands the text to sd_notify. Without
// NOTIFY_SOCKET (not started by systemd) the first sd_notify returns 0 and the notifier stops for good.
#pragma once

#include <asio.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace pigeonhub {

// What the notices are made of, sampled from the hub.
struct ServiceState {
    bool listening = false;               // HTTP listens (and the hub is not shutting down)
    bool dht_ready = false;               // DhtNode::ready(): connected, or a one-node DHT that runs
    std::int64_t dht_unready_for_ms = 0;  // HubMesh::unready_for_ms: how long the DHT has not been ready
    std::size_t connections = 0;          // open WebSocket peers on this hub
    std::size_t peers = 0;                // announced peers on this hub
    std::size_t remote_peers = 0;         // peers on other hubs of the mesh
};

// Ready for systemd: listening, and the DHT ready or not ready for longer than the grace (a hub whose mesh is
// unreachable still serves its own peers; systemd should not hold it in "activating" forever).
bool service_ready(const ServiceState& s, std::int64_t dht_unready_grace_ms);

// The STATUS= text (one line), e.g. "12 connections, 10 peers (35 on other hubs), DHT ready".
std::string service_status(const ServiceState& s, std::int64_t dht_unready_grace_ms);

// The schedule, without I/O. Not thread-safe: owned by whoever calls it (ServiceNotifier: the io thread).
class ServiceNotices {
public:
    struct Options {
        std::int64_t dht_unready_grace_ms = 30000;  // Config::mesh.dht_unready_grace_ms
        std::int64_t status_period_ms = 5000;       // STATUS= at most this often (and at READY)
        std::int64_t watchdog_usec = 0;             // WATCHDOG_USEC from sd_watchdog_enabled; 0: no WATCHDOG=1
    };
    explicit ServiceNotices(Options options);

    // The datagram to send at `now_ms` (newline-separated assignments), or "" when nothing is due.
    // READY=1 at most once; WATCHDOG=1 every half watchdog interval, from the first call, ready or not.
    std::string at(const ServiceState& s, std::int64_t now_ms);
    // "STOPPING=1\nSTATUS=stopping": at shutdown; after it, at() says only WATCHDOG=1 (a drain may outlast
    // WatchdogSec while the hub still serves).
    std::string stopping();

    bool ready_sent() const noexcept { return ready_sent_; }
    // How long the caller may wait before calling at() again: short until READY (not to delay it), then the
    // shorter of the status period and half the watchdog interval.
    std::int64_t next_call_in_ms() const noexcept;

private:
    Options options_;
    bool ready_sent_ = false;
    bool stopped_ = false;
    std::int64_t next_status_ms_ = 0;    // 0: due now
    std::int64_t next_watchdog_ms_ = 0;  // 0: due now
};

// ServiceNotices on the io_context, talking to systemd. Owned by the io thread (Hub::Parts); every method runs there.
class ServiceNotifier {
public:
    using Sample = std::function<ServiceState()>;
    // Sends one datagram; the sd_notify result: > 0 sent, 0 no NOTIFY_SOCKET, < 0 -errno.
    using Send = std::function<int(const std::string&)>;

    // The watchdog interval systemd asks for (sd_watchdog_enabled: WATCHDOG_USEC, for this PID), or 0.
    static std::int64_t systemd_watchdog_usec();
    // sd_notify(0, text).
    static int systemd_send(const std::string& text);

    ServiceNotifier(asio::io_context& io, ServiceNotices::Options options, Sample sample, Send send = systemd_send);

    // Starts the timer (and says the first things at once). REQUIRES: `sample` is callable until stop().
    void start();
    // Sends STOPPING=1 (when enabled); the timer goes on for WATCHDOG=1 only, until the io_context stops.
    // Idempotent.
    void stop();

    bool enabled() const noexcept { return enabled_; }

private:
    void tick();
    void send(const std::string& text);

    ServiceNotices notices_;
    Sample sample_;
    Send send_;
    asio::steady_timer timer_;
    bool enabled_ = true;
    bool stopped_ = false;
    bool warned_ = false;  // one log line for failing sends, not one per tick
};

}  // namespace pigeonhub
