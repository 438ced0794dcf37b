#include "mesh/record_versions.h"

#include <gtest/gtest.h>

using namespace pigeonhub;
using Offer = RecordVersions::Offer;

// Each edit of a record is a new value; the newest by seq wins, whatever order the values arrive in.
TEST(RecordVersions, NewestSeqWinsInAnyOrder) {
    RecordVersions v(10);
    EXPECT_EQ(v.offer(1, "ns", "h", 100, 5, true), Offer::newest);
    EXPECT_EQ(v.offer(1, "ns", "h", 101, 7, true), Offer::newest);
    EXPECT_EQ(v.offer(1, "ns", "h", 99, 6, true), Offer::stale);   // an older edit arriving late
    EXPECT_EQ(v.offer(1, "ns", "h", 101, 7, true), Offer::stale);  // the same value again (a listen refresh)
    EXPECT_TRUE(v.is_current(1, 101));
    EXPECT_FALSE(v.is_current(1, 100));
}

// Only the current value's expiry names a record; superseded values expire as noise.
TEST(RecordVersions, ExpiryOfSupersededValuesIsNoise) {
    RecordVersions v(10);
    v.offer(1, "ns", "h", 100, 5, true);
    v.offer(1, "ns", "h", 101, 6, true);
    EXPECT_FALSE(v.record_of(100));
    ASSERT_TRUE(v.record_of(101));
    EXPECT_EQ(*v.record_of(101), 1u);
}

// A tombstone is held (not live) so that older edits arriving after it stay ignored.
TEST(RecordVersions, TombstoneKeepsOlderEditsOut) {
    RecordVersions v(10);
    v.offer(1, "ns", "h", 100, 5, true);
    EXPECT_EQ(v.offer(1, "ns", "h", 102, 9, false), Offer::newest);
    EXPECT_FALSE(v.live(1));
    EXPECT_EQ(v.offer(1, "ns", "h", 100, 5, true), Offer::stale);
    EXPECT_EQ(v.offer(1, "ns", "h", 103, 10, true), Offer::newest);  // filled again: a newer edit
    EXPECT_TRUE(v.live(1));
}

TEST(RecordVersions, ForgetAndForgetGroup) {
    RecordVersions v(10);
    v.offer(1, "a", "h", 100, 1, true);
    v.offer(2, "a", "h", 200, 1, true);
    v.offer(3, "b", "h", 300, 1, true);
    v.forget(1);
    EXPECT_FALSE(v.record_of(100));
    EXPECT_EQ(v.offer(1, "a", "h", 100, 1, true), Offer::newest);  // forgotten: the same edit is news again
    v.forget_group("a");
    EXPECT_EQ(v.size(), 1u);
    EXPECT_FALSE(v.record_of(200));
    EXPECT_TRUE(v.record_of(300));
    v.forget_group("nothing");
    v.forget(42);
    EXPECT_EQ(v.size(), 1u);
}

TEST(RecordVersions, BoundRefusesNewRecordsButNotEdits) {
    RecordVersions v(2);
    v.offer(1, "a", "h", 100, 1, true);
    v.offer(2, "a", "h", 200, 1, true);
    EXPECT_EQ(v.offer(3, "a", "h", 300, 1, true), Offer::full);
    EXPECT_EQ(v.offer(2, "a", "h", 201, 2, true), Offer::newest);  // records already held still move on
    EXPECT_EQ(v.size(), 2u);
    v.forget(1);
    EXPECT_EQ(v.offer(3, "a", "h", 300, 1, true), Offer::newest);
}
