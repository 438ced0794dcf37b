// When the hub gives freed heap back: after the connection count falls by kStep from its high-water mark, when the
// fall has settled, and once more some checks later; after an output burst is written; never while the load is
// steady or growing.
#include "hub/memory_trim.h"

#include <gtest/gtest.h>

using pigeonhub::MemoryTrim;

TEST(MemoryTrim, AfterACrowdLeavesAndOnceMore) {
    MemoryTrim t;
    for (std::size_t c : {0u, 100u, 2000u, 1900u, 1800u}) EXPECT_FALSE(t.should_trim(c)) << c;
    EXPECT_TRUE(t.should_trim(1000)) << "fell by kStep or more from 2000";
    int check = 0;
    auto next = [&] { ++check; return t.should_trim(1000); };
    while (check + 1 < MemoryTrim::kSettleChecks) EXPECT_FALSE(next()) << check;
    EXPECT_TRUE(next()) << "again once the departure has settled";
    while (check + 1 < MemoryTrim::kAgainAfterChecks) EXPECT_FALSE(next()) << check;
    EXPECT_TRUE(next()) << "once more, for what timed state freed since";
    for (int i = 0; i < 3 * MemoryTrim::kAgainAfterChecks; ++i) EXPECT_FALSE(t.should_trim(1000)) << "then quiet";
    EXPECT_FALSE(t.should_trim(1000 - MemoryTrim::kStep + 1));
    EXPECT_TRUE(t.should_trim(1000 - MemoryTrim::kStep));
}

TEST(MemoryTrim, ALongDepartureIsTrimmedAsItGoesAndWhenItEnds) {
    MemoryTrim t;
    EXPECT_FALSE(t.should_trim(10000));
    for (std::size_t c = 9000; c >= 1000; c -= 1000) EXPECT_TRUE(t.should_trim(c)) << c;
    for (int i = 1; i < MemoryTrim::kSettleChecks; ++i) EXPECT_FALSE(t.should_trim(1000));
    EXPECT_TRUE(t.should_trim(1000)) << "the departure is over";
}

TEST(MemoryTrim, AfterAnOutputBurstIsWritten) {
    MemoryTrim t;
    EXPECT_FALSE(t.should_trim(2000, MemoryTrim::kBurstBytes - 1, 0)) << "not a burst";
    EXPECT_FALSE(t.should_trim(2000, MemoryTrim::kBurstBytes, MemoryTrim::kQuietBytes + 1)) << "still queued";
    EXPECT_TRUE(t.should_trim(2000, 0, 0)) << "the burst seen before is written now";
    EXPECT_FALSE(t.should_trim(2000, 0, 0)) << "once per burst";
}
