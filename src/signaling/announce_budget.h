// The abuse budgets of one connection's announces (README "Bounds"): ANNOUNCE_RATE with ANNOUNCE_BURST, and
// NAMESPACE_RATE. A PeerPigeon 1.1.3 client announces once per connection (SignalingClient's onopen; it must
// disconnect to change namespace), so honest clients never meet them; a socket that re-announces in a loop
// makes the hub send it every member of its namespace each time, and one that hops namespaces leaves DHT
// state behind for each.
// Pure; owned by the Router (its thread).
#pragma once

#include <cstdint>
#include <limits>

#include "pigeonhub/config.h"
#include "util/token_bucket.h"

namespace pigeonhub {

class AnnounceBudget {
public:
    // An announce arrives: true if it is within ANNOUNCE_RATE (always with ANNOUNCE_RATE=0).
    bool take_announce(const SignalingOptions& o, std::int64_t now_ms) {
        return o.announce_rate == 0 || announces_.take(now_ms, o.announce_rate, 60000.0, o.announce_burst);
    }
    // The connection enters a namespace it is not in: true if within NAMESPACE_RATE (always with 0).
    bool take_namespace(const SignalingOptions& o, std::int64_t now_ms) {
        return o.namespace_rate == 0 || namespaces_.take(now_ms, o.namespace_rate, 60000.0, o.namespace_rate);
    }
    // A refused announce: true if the sender should be told now (at most once a second, so that refusals do not
    // become an amplifier of their own).
    bool tell(std::int64_t now_ms) {
        if (now_ms - told_at_ms_ < 1000) return false;
        told_at_ms_ = now_ms;
        return true;
    }

private:
    TokenBucket announces_;
    TokenBucket namespaces_;
    std::int64_t told_at_ms_ = std::numeric_limits<std::int64_t>::min() / 2;
};

}  // namespace pigeonhub
