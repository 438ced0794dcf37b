// Gives freed heap back to the kernel after a crowd leaves (issue 14, "memory comes back"). glibc keeps what a burst
// of peers freed (pigeonhubd raises M_TRIM_THRESHOLD to 8 MiB so that relaying does not fault pages back in, and
// fragmentation keeps the rest): after 2,000 peers leave one namespace the hub stayed at ~26 MB instead of ~14 MB.
// So the hub calls malloc_trim(0) when the connection count has fallen by kStep since its highest point since the
// last trim, checked every few seconds, again kSettleChecks checks after the last such fall (a departure of 10,000
// peers takes several checks) and once more kAgainAfterChecks checks later: a few ms of CPU after a mass departure,
// nothing while the load is steady. The same after an output burst (a crowd joining one namespace queues
// up to MAX_OUTPUT_BUFFER of peer-discovered frames): once kBurstBytes or more were queued since the last check and
// the queues are empty again.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pigeonhub {

class MemoryTrim {
public:
    static constexpr std::size_t kStep = 256;

    // Checks after the last fall at which the heap is trimmed again (the departure is over), and once more (what the
    // departed peers left in timed state, DHT values and their expiry, is freed over the following seconds).
    static constexpr int kSettleChecks = 2;
    static constexpr int kAgainAfterChecks = 15;
    // Output queued at once (bytes, all sockets) that counts as a burst, and what counts as empty again.
    static constexpr std::uint64_t kBurstBytes = 8u << 20;
    static constexpr std::uint64_t kQuietBytes = 256u << 10;

    // The connection count now, the highest output queued since the last check and the output queued now (called
    // every few seconds); true when the heap should be trimmed.
    bool should_trim(std::size_t connections, std::uint64_t queued_peak = 0, std::uint64_t queued_now = 0) {
        if (queued_peak > burst_) burst_ = queued_peak;
        if (connections > high_) high_ = connections;
        const bool burst_done = burst_ >= kBurstBytes && queued_now <= kQuietBytes;
        if (burst_done || connections + kStep <= high_) {
            burst_ = 0;
            high_ = connections;
            settle_in_ = kSettleChecks;
            again_in_ = kAgainAfterChecks;
            return true;
        }
        bool trim = false;
        if (settle_in_ > 0 && --settle_in_ == 0) trim = true;
        if (again_in_ > 0 && --again_in_ == 0) trim = true;
        return trim;
    }

    // malloc_trim(0): returns the free memory at the top of the heap and in free chunks to the kernel.
    static void trim();

private:
    std::size_t high_ = 0;
    std::uint64_t burst_ = 0;
    int settle_in_ = 0;
    int again_in_ = 0;
};

}  // namespace pigeonhub
