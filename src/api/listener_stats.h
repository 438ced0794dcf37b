// State and counters of the listening socket (net/listener.cpp) and of the bound on plain HTTP connections
// (net/http_server.cpp), read by /health and /stats. Plain values, written and read on the io thread.
#pragma once

#include <cstdint>
#include <string>

namespace pigeonhub {

struct ListenerStats {
    std::uint64_t accepted = 0;                // TCP connections accepted (HTTP; WebSockets start as HTTP)
    std::uint64_t accept_errors = 0;           // failed accept() calls, every kind
    std::uint64_t out_of_descriptors = 0;      // of which EMFILE or ENFILE
    std::uint64_t shed = 0;                    // connections answered 503 and closed on the spare descriptor
    std::string last_error;                    // the last accept() error ("" if none yet)
    bool accept_failing = false;               // accept() failing (backing off) since accept_failing_since_ms
    std::int64_t accept_failing_since_ms = 0;  // wall clock

    std::uint32_t max_http_connections = 0;  // the bound in force (MAX_HTTP_CONNECTIONS, or its derived default)
    std::uint64_t http_at_bound = 0;         // times accepting paused because the bound was reached
    bool paused_at_bound = false;            // paused now, since paused_since_ms
    std::int64_t paused_since_ms = 0;        // wall clock
};

}  // namespace pigeonhub
