// What the accept loop (net/listener.cpp) does after each accept() outcome. Pure: no I/O, the time is passed in;
// unit-tested in tests/unit/accept_retry_test.cpp.
//
// accept() fails for four kinds of reasons:
//  - closed: the listener was closed (ECANCELED, asio's operation_aborted): stop.
//  - out of resources: the process or the system lacks what a new connection needs: descriptors (EMFILE, ENFILE),
//    socket buffers or memory (ENOBUFS, ENOMEM). The connection stays in the listen backlog and the listening
//    socket stays readable, so accepting again at once would spin on the same error. Retry after a backoff of
//    5 ms doubling up to 100 ms: the loop accepts again at most ~100 ms after the resource is freed, at a cost of
//    at most ten failed accept() calls a second meanwhile. Out of descriptors, also shed (see Listener).
//  - connection failed: one pending connection died before it was accepted (ECONNABORTED, EPROTO, EPERM from a
//    firewall, and the network errors that accept(2) says to treat like EAGAIN): accept the next one at once.
//  - unexpected: anything else (not expected from a listening socket): retry after the longest backoff. The loop
//    never gives up; /health reports it (failing_since_ms).
// Every failure may be logged, at most one line a second; the line counts the failures since the previous one.
//
// Threading: a plain value, owned by one Listener.
#pragma once

#include <cstdint>
#include <system_error>

namespace pigeonhub {

class AcceptRetry {
public:
    enum class Kind { closed, out_of_resources, connection_failed, unexpected };

    static constexpr std::int64_t kFirstDelayMs = 5;
    static constexpr std::int64_t kMaxDelayMs = 100;
    static constexpr std::int64_t kLogIntervalMs = 1000;

    static Kind classify(const std::error_code& ec) noexcept;
    // EMFILE or ENFILE: what a spare descriptor can work around.
    static bool out_of_descriptors(const std::error_code& ec) noexcept;

    struct Step {
        bool stop = false;           // closed: accept no more
        std::int64_t delay_ms = 0;   // wait this long before the next accept() (0: at once)
        bool shed = false;           // out of descriptors: shed the backlog on the spare descriptor
        bool log = false;            // write one log line for this failure now
        std::uint64_t unlogged = 0;  // failures since the previous line, this one excluded (for that line)
    };

    // After a failed accept() at `now_ms`.
    Step on_error(const std::error_code& ec, std::int64_t now_ms) noexcept;
    // After a successful accept() at `now_ms`. Returns how long accept() had been failing (0 if it was not); the
    // backoff starts again from kFirstDelayMs.
    std::int64_t on_accepted(std::int64_t now_ms) noexcept;

    // Whether accept() is failing (out of resources or unexpected) since the last successful accept(), and since
    // when (the time of the first failure of the run).
    bool failing() const noexcept { return failing_; }
    std::int64_t failing_since_ms() const noexcept { return failing_since_ms_; }

private:
    bool failing_ = false;
    std::int64_t failing_since_ms_ = 0;
    std::int64_t next_delay_ms_ = kFirstDelayMs;
    std::int64_t last_log_ms_ = -kLogIntervalMs;
    bool logged_once_ = false;
    std::uint64_t unlogged_ = 0;
};

}  // namespace pigeonhub
