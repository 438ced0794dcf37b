// A token bucket on a caller-supplied clock: `rate` tokens per `period_ms`, holding at most `burst`, full at first.
// The limits are passed to take() rather than stored, so that one per connection costs 16 bytes.
// Pure; not thread-safe (one owner).
#pragma once

#include <algorithm>
#include <cstdint>

namespace pigeonhub {

class TokenBucket {
public:
    // Takes one token if one is there (true), else takes nothing (false). `now_ms` must not go backwards.
    // REQUIRES: burst >= 1, period_ms > 0.
    bool take(std::int64_t now_ms, double rate, double period_ms, double burst) {
        tokens_ = tokens_ < 0 ? burst
                              : std::min(burst, tokens_ + static_cast<double>(now_ms - at_ms_) * (rate / period_ms));
        at_ms_ = now_ms;
        if (tokens_ < 1.0) return false;
        tokens_ -= 1.0;
        return true;
    }

private:
    double tokens_ = -1.0;  // < 0: never used (full)
    std::int64_t at_ms_ = 0;
};

}  // namespace pigeonhub
