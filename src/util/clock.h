// Wall-clock time in milliseconds since the Unix epoch, as PeerPigeon's `timestamp` fields use.
#pragma once

#include <chrono>
#include <cstdint>

namespace pigeonhub {

inline std::int64_t wall_clock_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace pigeonhub
