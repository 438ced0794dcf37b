// Relay latency: the time from a routed message's arrival (its frame complete, handed to the router) to its send
// being queued on the target socket (or handed to the mesh), in fixed buckets. No allocation per observation.
// Threading: the io thread (kept by SessionHub, read by /metrics).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace pigeonhub {

struct RelayLatency {
    // Upper bounds in nanoseconds; /metrics shows them in seconds.
    static constexpr std::array<std::uint64_t, 12> kBoundsNs = {1'000,     2'500,     5'000,      10'000,
                                                                25'000,    50'000,    100'000,    250'000,
                                                                1'000'000, 5'000'000, 25'000'000, 100'000'000};
    static constexpr std::array<double, 12> kBoundsSeconds = {1e-6,  2.5e-6, 5e-6,   1e-5, 2.5e-5, 5e-5,
                                                              1e-4,  2.5e-4, 1e-3,   5e-3, 2.5e-2, 1e-1};

    std::array<std::uint64_t, kBoundsNs.size() + 1> counts{};  // per bucket, not cumulative; last: above every bound
    std::uint64_t sum_ns = 0;

    void observe(std::uint64_t ns) {
        std::size_t i = 0;
        while (i < kBoundsNs.size() && ns > kBoundsNs[i]) ++i;
        ++counts[i];
        sum_ns += ns;
    }
};

}  // namespace pigeonhub
