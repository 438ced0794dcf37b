#include "hub/service_notifier.h"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <chrono>

#include "util/log.h"

namespace pigeonhub {
namespace {

// Until READY=1: how often readiness is looked at. Short, so that READY follows /health within a blink.
constexpr std::int64_t kStartingPollMs = 100;

std::int64_t steady_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

bool service_ready(const ServiceState& s, std::int64_t dht_unready_grace_ms) {
    return s.listening && (s.dht_ready || s.dht_unready_for_ms >= dht_unready_grace_ms);
}

std::string service_status(const ServiceState& s, std::int64_t dht_unready_grace_ms) {
    std::string dht;
    if (s.dht_ready)
        dht = "DHT ready";
    else if (s.dht_unready_for_ms >= dht_unready_grace_ms)
        dht = "DHT not ready for " + std::to_string(s.dht_unready_for_ms / 1000) + " s (serving alone)";
    else
        dht = "DHT connecting";
    return std::string(s.listening ? "" : "not listening, ") + std::to_string(s.connections) + " connections, " +
           std::to_string(s.peers) + " peers (" + std::to_string(s.remote_peers) + " on other hubs), " + dht;
}

ServiceNotices::ServiceNotices(Options options) : options_(options) {}

std::string ServiceNotices::at(const ServiceState& s, std::int64_t now_ms) {
    std::string out;
    bool status_due = !stopped_ && (next_status_ms_ == 0 || now_ms >= next_status_ms_);
    if (!stopped_ && !ready_sent_ && service_ready(s, options_.dht_unready_grace_ms)) {
        ready_sent_ = true;
        out += "READY=1\n";
        status_due = true;  // systemctl status shows the counts from the moment it says "active"
    }
    if (status_due) {
        out += "STATUS=" + service_status(s, options_.dht_unready_grace_ms) + "\n";
        next_status_ms_ = now_ms + options_.status_period_ms;
    }
    if (options_.watchdog_usec > 0 && (next_watchdog_ms_ == 0 || now_ms >= next_watchdog_ms_)) {
        out += "WATCHDOG=1\n";
        next_watchdog_ms_ = now_ms + std::max<std::int64_t>(1, options_.watchdog_usec / 2000);
    }
    return out;
}

std::string ServiceNotices::stopping() {
    if (stopped_) return {};
    stopped_ = true;
    return "STOPPING=1\nSTATUS=stopping\n";
}

std::int64_t ServiceNotices::next_call_in_ms() const noexcept {
    std::int64_t wait = ready_sent_ ? options_.status_period_ms : kStartingPollMs;
    if (options_.watchdog_usec > 0)
        wait = std::min<std::int64_t>(wait, std::max<std::int64_t>(1, options_.watchdog_usec / 2000));
    return std::max<std::int64_t>(1, wait);
}

std::int64_t ServiceNotifier::systemd_watchdog_usec() {
    std::uint64_t usec = 0;
    return sd_watchdog_enabled(0, &usec) > 0 ? static_cast<std::int64_t>(usec) : 0;
}

int ServiceNotifier::systemd_send(const std::string& text) {
    return sd_notify(0, text.c_str());
}

ServiceNotifier::ServiceNotifier(asio::io_context& io, ServiceNotices::Options options, Sample sample, Send send)
    : notices_(options), sample_(std::move(sample)), send_(std::move(send)), timer_(io) {}

void ServiceNotifier::start() {
    tick();
}

void ServiceNotifier::stop() {
    if (stopped_) return;
    stopped_ = true;
    if (enabled_) send(notices_.stopping());
}

void ServiceNotifier::tick() {
    if (!enabled_) return;
    if (const std::string text = notices_.at(sample_(), steady_ms()); !text.empty()) send(text);
    if (!enabled_) return;
    timer_.expires_after(std::chrono::milliseconds(notices_.next_call_in_ms()));
    timer_.async_wait([this](const asio::error_code& ec) {
        if (!ec) tick();
    });
}

void ServiceNotifier::send(const std::string& text) {
    const int r = send_(text);
    if (r == 0) {
        enabled_ = false;  // no NOTIFY_SOCKET: not under systemd (or not Type=notify); nothing to tell
    } else if (r < 0) {
        // A full or vanished socket: systemd will notice the missing watchdog; keep trying on the next tick.
        if (!warned_) log::warn("sd_notify failed (errno {}); retrying quietly", -r);
        warned_ = true;
    }
}

}  // namespace pigeonhub
