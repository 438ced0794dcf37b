// Counters kept by the WebSocket transport (net/session_hub.cpp), read by /stats. Plain values read on the io thread.
#pragma once

#include <cstdint>

#include "api/relay_latency.h"

namespace pigeonhub {

struct TransportStats {
    std::uint64_t sessions = 0;            // open WebSocket sockets (admitted or being closed)
    std::uint64_t upgrades = 0;            // 101 responses sent
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
    std::uint64_t messages_in = 0;         // complete data messages received
    std::uint64_t messages_out = 0;        // data messages queued
    std::uint64_t closed_too_big = 0;      // 1009
    std::uint64_t closed_protocol = 0;     // 1002
    std::uint64_t closed_bad_utf8 = 0;     // 1007
    std::uint64_t closed_idle = 0;         // idle timeout
    std::uint64_t closed_probe = 0;        // silent after a duplicate-id probe
    std::uint64_t closed_overflow = 0;     // send queue over MAX_SEND_QUEUE
    std::uint64_t closed_output_stall = 0; // cut off: its unwritable queue held the hub over MAX_OUTPUT_BUFFER
    std::uint64_t output_paused = 0;       // times reading stopped because output was over MAX_OUTPUT_BUFFER
    std::uint64_t written_at_once = 0;     // frames written as sent (not batched): output over MAX_OUTPUT_BUFFER
    std::uint64_t pings_sent = 0;
    std::uint64_t rate_limited = 0;        // messages dropped by MESSAGE_RATE
    std::uint64_t queued_bytes = 0;        // bytes queued to every socket, not yet written (now)
    std::uint64_t queued_bytes_peak = 0;   // the highest queued_bytes since the hub's last memory check (it resets it)
    RelayLatency relay_latency;            // arrival to send queued, of each routed message
};

}  // namespace pigeonhub
