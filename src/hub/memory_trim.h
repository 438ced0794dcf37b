// Gives freed heap back to the kernel after a crowd leaves (issue 14, "memory comes back"). glibc keeps what a burst
// of peers freed (pigeonhubd raises M_TRIM_THRESHOLD to 8 MiB so that relaying does not fault pages back in, and
// fragmentation keeps the rest): after 2,000 peers leave one namespace the hub stayed at ~26 MB instead of ~14 MB.
// So the hub calls malloc_trim(0) when the connection count has fallen by kStep since its highest point since the
// last trim, checked every few seconds, and once more kAgainAfterChecks checks later: a few ms of CPU after a mass
// departure, nothing while the load is steady.
#pragma once

#include <cstddef>

namespace pigeonhub {

class MemoryTrim {
public:
    static constexpr std::size_t kStep = 256;

    // Checks after a trim at which the heap is trimmed once more (what the departed peers left in timed state, DHT
    // values and their expiry, is freed over the following seconds).
    static constexpr int kAgainAfterChecks = 15;

    // The connection count now (called every few seconds); true when the heap should be trimmed.
    bool should_trim(std::size_t connections) {
        if (connections > high_) high_ = connections;
        if (connections + kStep <= high_) {
            high_ = connections;
            again_in_ = kAgainAfterChecks;
            return true;
        }
        if (again_in_ > 0 && --again_in_ == 0) return connections <= high_;
        return false;
    }

    // malloc_trim(0): returns the free memory at the top of the heap and in free chunks to the kernel.
    static void trim();

private:
    std::size_t high_ = 0;
    int again_in_ = 0;
};

}  // namespace pigeonhub
