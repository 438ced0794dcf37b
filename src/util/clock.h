// Wall-clock time in milliseconds since the Unix epoch, as PeerPigeon's `timestamp` fields use.
#pragma once

#include <chrono>
#include <cstdint>

namespace pigeonhub {

inline std::int64_t wall_clock_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// The same clock in microseconds (record edit numbers, mesh_records.h).
inline std::uint64_t wall_clock_us() {
    using namespace std::chrono;
    return static_cast<std::uint64_t>(duration_cast<microseconds>(system_clock::now().time_since_epoch()).count());
}

}  // namespace pigeonhub
