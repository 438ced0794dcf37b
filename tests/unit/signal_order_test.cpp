#include "mesh/signal_order.h"

#include <gtest/gtest.h>

#include "mesh/mesh_limits.h"

using namespace pigeonhub;

namespace {
OrderedSignal sig(const std::string& text) { return OrderedSignal{"to", "ns", share(text)}; }
std::string texts(const std::vector<OrderedSignal>& v) {
    std::string s;
    for (const auto& x : v) s += *x.msg;
    return s;
}
}  // namespace

TEST(SignalOrder, InOrderPassesThrough) {
    SignalOrder o;
    std::vector<OrderedSignal> out;
    o.accept("p", 7, 0, sig("a"), 0, out);
    o.accept("p", 7, 1, sig("b"), 0, out);
    EXPECT_EQ(texts(out), "ab");
    EXPECT_FALSE(o.waiting());
}

TEST(SignalOrder, EarlyArrivalsWaitForTheGap) {
    SignalOrder o(250);
    std::vector<OrderedSignal> out;
    o.accept("p", 7, 2, sig("c"), 0, out);
    o.accept("p", 7, 1, sig("b"), 1, out);
    EXPECT_EQ(texts(out), "");
    o.accept("p", 7, 0, sig("a"), 2, out);
    EXPECT_EQ(texts(out), "abc");
}

TEST(SignalOrder, GapIsSkippedAfterTheWait) {
    SignalOrder o(250);
    std::vector<OrderedSignal> out;
    o.accept("p", 7, 0, sig("a"), 0, out);
    o.accept("p", 7, 2, sig("c"), 10, out);
    o.expire(100, out);
    EXPECT_EQ(texts(out), "a");
    o.expire(300, out);
    EXPECT_EQ(texts(out), "ac");
    o.accept("p", 7, 1, sig("b"), 400, out);  // too late: dropped, never out of order
    EXPECT_EQ(texts(out), "ac");
    EXPECT_EQ(o.late_dropped(), 1u);
    EXPECT_EQ(o.gaps_skipped(), 1u);
}

TEST(SignalOrder, NewEpochStartsOverAndPairsAreIndependent) {
    SignalOrder o;
    std::vector<OrderedSignal> out;
    o.accept("p", 1, 0, sig("a"), 0, out);
    o.accept("p", 1, 1, sig("b"), 0, out);
    o.accept("p", 2, 0, sig("c"), 0, out);  // the sender's numbering restarted
    o.accept("q", 9, 0, sig("x"), 0, out);
    EXPECT_EQ(texts(out), "abcx");
}

TEST(SignalNumbering, CountsPerPair) {
    SignalNumbering n;
    auto a0 = n.next("a", 0), a1 = n.next("a", 0), b0 = n.next("b", 0);
    EXPECT_EQ(a0.seq, 0u);
    EXPECT_EQ(a1.seq, 1u);
    EXPECT_EQ(a0.epoch, a1.epoch);
    EXPECT_EQ(b0.seq, 0u);
}

// Several lost signals: once the wait has run out, every gap is skipped in one pass (not one per timer turn).
TEST(SignalOrder, EveryGapWhoseWaitRanOutIsSkippedAtOnce) {
    SignalOrder o(250);
    std::vector<OrderedSignal> out;
    o.accept("p", 7, 0, sig("a"), 0, out);
    o.accept("p", 7, 2, sig("c"), 10, out);  // 1 lost
    o.accept("p", 7, 4, sig("e"), 20, out);  // 3 lost
    o.accept("p", 7, 6, sig("g"), 30, out);  // 5 lost
    o.expire(200, out);
    EXPECT_EQ(texts(out), "a");
    o.expire(300, out);
    EXPECT_EQ(texts(out), "aceg");
    EXPECT_EQ(o.gaps_skipped(), 3u);
    EXPECT_FALSE(o.waiting());
}

// The sender's pair states are forgotten once idle for kIdlePairMs, not only at kMaxSignalPairs: a hub relaying
// between ever new pairs (peers come and go) stays at the pairs of the last minute or two.
TEST(SignalNumbering, ForgetsIdlePairs) {
    SignalNumbering n;
    std::int64_t now = 1'000'000;
    for (int i = 0; i < 1000; ++i) n.next("a" + std::to_string(i) + ">b", now);
    EXPECT_EQ(n.pairs(), 1000u);
    const auto kept = n.next("kept>b", now + mesh::kIdlePairMs / 2);
    now += mesh::kIdlePairMs + 1;
    n.next("fresh>b", now);
    EXPECT_EQ(n.pairs(), 2u) << "the 1,000 idle pairs are forgotten; the one used half a minute ago stays";
    const auto again = n.next("kept>b", now);
    EXPECT_EQ(again.epoch, kept.epoch);
    EXPECT_EQ(again.seq, kept.seq + 1);
}
