#include "mesh/record_budget.h"

#include <gtest/gtest.h>

using pigeonhub::RecordBudget;

TEST(RecordBudget, BurstOfTwiceTheRateThenTheRate) {
    RecordBudget b(10);
    int taken = 0;
    while (b.take("hub-a", 0)) ++taken;
    EXPECT_EQ(taken, 20) << "a burst of twice the rate";
    EXPECT_FALSE(b.has_token("hub-a", 50));
    EXPECT_EQ(b.throttled(50), 1u);
    EXPECT_TRUE(b.take("hub-a", 100)) << "one token every 100 ms at 10/s";
    EXPECT_FALSE(b.take("hub-a", 100));
    taken = 0;
    for (std::int64_t t = 100; t <= 1100; t += 10) taken += b.take("hub-a", t);
    EXPECT_EQ(taken, 10) << "then the rate";
}

TEST(RecordBudget, HubsHaveTheirOwnBuckets) {
    RecordBudget b(5);
    while (b.take("flooder", 0)) {
    }
    EXPECT_TRUE(b.take("honest", 0)) << "another hub's flood spends nothing of this one's";
    EXPECT_EQ(b.throttled(0), 1u);
    b.forget("flooder");
    EXPECT_TRUE(b.take("flooder", 0)) << "forgotten: a full bucket again";
}

TEST(RecordBudget, ZeroIsNoLimit) {
    RecordBudget b(0);
    EXPECT_FALSE(b.limited());
    for (int i = 0; i < 100000; ++i) ASSERT_TRUE(b.take("hub", 0));
    EXPECT_EQ(b.throttled(0), 0u);
}

TEST(RecordBudget, ClockGoingBackTakesNothingExtra) {
    RecordBudget b(1);
    EXPECT_TRUE(b.take("hub", 10000));
    EXPECT_TRUE(b.take("hub", 10000));
    EXPECT_FALSE(b.take("hub", 5000));
    EXPECT_FALSE(b.take("hub", 10500));
    EXPECT_TRUE(b.take("hub", 11000));
}
