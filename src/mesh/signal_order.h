// Keeps signals between two peers in order across the DHT, where each signal is an independent put.
//
// The sending hub numbers the signals of each (sender, target) pair: an epoch (random, per pair state) and a
// sequence from 0. The receiving hub delivers them in that order: a signal that arrives early waits for the
// missing ones at most `max_wait_ms`, then the gap is skipped; a signal older than one already delivered is
// dropped. Both sides are bounded (pairs idle for a minute are forgotten; at most 64 waiting per pair).
// Pure logic with an explicit clock; owned by HubMesh on the io thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "protocol/outbound.h"

namespace pigeonhub {

struct OrderedSignal {
    std::string to;
    std::string ns;
    SharedText msg;
};

// Sender side.
class SignalNumbering {
public:
    struct Number {
        std::uint64_t epoch;
        std::uint32_t seq;
    };
    Number next(const std::string& pair, std::int64_t now_ms);
    std::size_t pairs() const noexcept { return pairs_.size(); }

private:
    struct State {
        std::uint64_t epoch;
        std::uint32_t next;
        std::int64_t used_ms;
    };
    std::unordered_map<std::string, State> pairs_;
    std::int64_t swept_ms_ = 0;  // when idle pairs were last forgotten
};

// Receiver side.
class SignalOrder {
public:
    explicit SignalOrder(std::int64_t max_wait_ms = 250) : max_wait_ms_(max_wait_ms) {}

    // Appends to `out`, in order, the signals that can be delivered now.
    void accept(const std::string& pair, std::uint64_t epoch, std::uint32_t seq, OrderedSignal s, std::int64_t now_ms,
                std::vector<OrderedSignal>& out);
    // Releases signals that waited longer than max_wait_ms for a gap, and forgets idle pairs.
    void expire(std::int64_t now_ms, std::vector<OrderedSignal>& out);
    bool waiting() const noexcept { return waiting_ > 0; }

    std::uint64_t late_dropped() const noexcept { return late_dropped_; }
    std::uint64_t gaps_skipped() const noexcept { return gaps_skipped_; }

private:
    struct State {
        std::uint64_t epoch = 0;
        std::uint32_t expected = 0;
        std::map<std::uint32_t, OrderedSignal> held;
        std::int64_t held_since_ms = 0;
        std::int64_t used_ms = 0;
    };
    void release_in_order(State& st, std::vector<OrderedSignal>& out);

    std::int64_t max_wait_ms_;
    std::unordered_map<std::string, State> pairs_;
    std::size_t waiting_ = 0;
    std::uint64_t late_dropped_ = 0;
    std::uint64_t gaps_skipped_ = 0;
};

}  // namespace pigeonhub
