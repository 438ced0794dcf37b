#include "mesh/signal_order.h"

#include "mesh/mesh_limits.h"
#include "util/random.h"

namespace pigeonhub {
namespace {

using mesh::kIdlePairMs;
using mesh::kMaxHeldPerPair;
constexpr std::size_t kMaxPairs = mesh::kMaxSignalPairs;

std::uint64_t random_epoch() {
    std::uint64_t e = 0;
    random_bytes(&e, sizeof e);
    return e;
}

}  // namespace

SignalNumbering::Number SignalNumbering::next(const std::string& pair, std::int64_t now) {
    // Idle pairs are forgotten once a minute (amortized: one pass per kIdlePairMs), and at the bound. Before, only at
    // the bound: a hub relaying between ever new pairs grew to kMaxPairs (~15 MB) first (the soak's drift).
    if (now - swept_ms_ >= kIdlePairMs || pairs_.size() >= kMaxPairs) {
        swept_ms_ = now;
        for (auto it = pairs_.begin(); it != pairs_.end();)
            it = now - it->second.used_ms > kIdlePairMs ? pairs_.erase(it) : std::next(it);
        if (pairs_.size() >= kMaxPairs) pairs_.clear();  // a new epoch tells receivers to start over
    }
    auto [it, fresh] = pairs_.try_emplace(pair);
    if (fresh) it->second = State{random_epoch(), 0, now};
    it->second.used_ms = now;
    return Number{it->second.epoch, it->second.next++};
}

void SignalOrder::accept(const std::string& pair, std::uint64_t epoch, std::uint32_t seq, OrderedSignal s,
                         std::int64_t now, std::vector<OrderedSignal>& out) {
    if (pairs_.size() >= kMaxPairs && !pairs_.count(pair)) expire(now, out);
    State& st = pairs_[pair];
    if (st.epoch != epoch) {
        // A new numbering (first signal of the pair, or the sender started over): begin at 0.
        if (!st.held.empty()) {
            waiting_ -= st.held.size();
            for (auto& [n, held] : st.held) out.push_back(std::move(held));
            st.held.clear();
        }
        st.epoch = epoch;
        st.expected = 0;
    }
    st.used_ms = now;
    if (seq < st.expected) {
        ++late_dropped_;  // its turn is over (a later one was delivered)
        return;
    }
    if (seq == st.expected) {
        out.push_back(std::move(s));
        ++st.expected;
        release_in_order(st, out);
        return;
    }
    if (st.held.size() >= kMaxHeldPerPair) {
        // Give up waiting for the gap rather than hold more.
        ++gaps_skipped_;
        st.expected = st.held.begin()->first;
        release_in_order(st, out);
    }
    if (st.held.empty()) st.held_since_ms = now;
    if (st.held.emplace(seq, std::move(s)).second) ++waiting_;
}

void SignalOrder::release_in_order(State& st, std::vector<OrderedSignal>& out) {
    while (!st.held.empty() && st.held.begin()->first == st.expected) {
        out.push_back(std::move(st.held.begin()->second));
        st.held.erase(st.held.begin());
        --waiting_;
        ++st.expected;
    }
    if (!st.held.empty()) st.held_since_ms = st.used_ms;
}

void SignalOrder::expire(std::int64_t now, std::vector<OrderedSignal>& out) {
    for (auto it = pairs_.begin(); it != pairs_.end();) {
        State& st = it->second;
        // Every gap whose wait ran out at once: several lost signals must not cost a timer turn each.
        while (!st.held.empty() && now - st.held_since_ms >= max_wait_ms_) {
            ++gaps_skipped_;
            st.expected = st.held.begin()->first;
            release_in_order(st, out);
        }
        if (st.held.empty() && now - st.used_ms > kIdlePairMs) it = pairs_.erase(it);
        else ++it;
    }
}

}  // namespace pigeonhub
