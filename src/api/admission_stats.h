// Counters of per-address admission (net/admission.h, net/http_server.cpp) and of the REST rate limits, read by
// /stats and /metrics. Plain values, written and read on the io thread.
#pragma once

#include <cstdint>

namespace pigeonhub {

struct AdmissionStats {
    std::uint64_t ws_cap = 0;           // WebSockets closed 1008: MAX_CONNECTIONS_PER_ADDRESS reached
    std::uint64_t connection_rate = 0;  // connections answered 429: NEW_CONNECTION_RATE exceeded
    std::uint64_t http_cap = 0;         // connections answered 429: MAX_HTTP_PER_ADDRESS reached
    std::uint64_t rest_rate = 0;        // REST requests answered 429: REST_RATE exceeded
    std::uint64_t table_full = 0;       // refused (503 / 1008): MAX_TRACKED_ADDRESSES entries all have something open
    std::uint64_t evicted = 0;          // idle entries forgotten at MAX_TRACKED_ADDRESSES (their rate history lost)
    std::uint64_t forwarded = 0;        // requests from a trusted proxy counted against a forwarded address
    std::uint64_t forwarded_ignored = 0;  // requests with a forwarding header from a peer not in TRUSTED_PROXIES
    std::uint64_t addresses = 0;        // entries in the table now (gauge)
};

}  // namespace pigeonhub
