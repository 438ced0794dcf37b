// When the hub gives freed heap back: after the connection count falls by kStep from its high-water mark, and once
// more some checks later; never while the load is steady or growing.
#include "hub/memory_trim.h"

#include <gtest/gtest.h>

using pigeonhub::MemoryTrim;

TEST(MemoryTrim, AfterACrowdLeavesAndOnceMore) {
    MemoryTrim t;
    for (std::size_t c : {0u, 100u, 2000u, 1900u, 1800u}) EXPECT_FALSE(t.should_trim(c)) << c;
    EXPECT_TRUE(t.should_trim(1000)) << "fell by kStep or more from 2000";
    EXPECT_FALSE(t.should_trim(1000)) << "the mark restarts from here";
    for (int i = 1; i < MemoryTrim::kAgainAfterChecks - 1; ++i) EXPECT_FALSE(t.should_trim(1000)) << i;
    EXPECT_TRUE(t.should_trim(1000)) << "once more, for what timed state freed since";
    for (int i = 0; i < 3 * MemoryTrim::kAgainAfterChecks; ++i) EXPECT_FALSE(t.should_trim(1000)) << "then quiet";
    EXPECT_FALSE(t.should_trim(1000 - MemoryTrim::kStep + 1));
    EXPECT_TRUE(t.should_trim(1000 - MemoryTrim::kStep));
}

TEST(MemoryTrim, SteadyOrGrowingLoadNeverTrims) {
    MemoryTrim t;
    for (std::size_t c = 0; c < 100000; c += 50) EXPECT_FALSE(t.should_trim(c));
    for (int i = 0; i < 100; ++i) EXPECT_FALSE(t.should_trim(100000 - (i % 2) * 100));
}

TEST(MemoryTrim, AfterAnOutputBurstIsWritten) {
    MemoryTrim t;
    EXPECT_FALSE(t.should_trim(2000, MemoryTrim::kBurstBytes - 1, 0)) << "not a burst";
    EXPECT_FALSE(t.should_trim(2000, MemoryTrim::kBurstBytes, MemoryTrim::kQuietBytes + 1)) << "still queued";
    EXPECT_TRUE(t.should_trim(2000, 0, 0)) << "the burst seen before is written now";
    EXPECT_FALSE(t.should_trim(2000, 0, 0)) << "once per burst";
}
