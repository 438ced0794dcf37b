// A clock handed to parts that keep time (milliseconds since the Unix epoch), so that tests can move it by hand.
#pragma once

#include <cstdint>
#include <functional>

#include "util/clock.h"

namespace pigeonhub {

using Clock = std::function<std::int64_t()>;

inline Clock system_clock_ms() { return [] { return wall_clock_ms(); }; }

}  // namespace pigeonhub
