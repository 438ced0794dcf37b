// What the Replicator counts (/stats "data"). Plain values.
#pragma once

#include <cstdint>

namespace pigeonhub {

struct ReplicationStats {
    std::uint64_t sent = 0;      // jobs a peer accepted (2xx)
    std::uint64_t refused = 0;   // jobs a peer refused (4xx)
    std::uint64_t failed = 0;    // jobs given up after kAttempts (no reply, or 5xx)
    std::uint64_t dropped = 0;   // jobs dropped at the bound
    std::uint64_t retries = 0;
};

}  // namespace pigeonhub
