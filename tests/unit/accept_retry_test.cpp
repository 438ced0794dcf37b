#include "net/accept_retry.h"

#include <gtest/gtest.h>

#include <cerrno>

using namespace pigeonhub;

namespace {

std::error_code sys(int e) { return {e, std::system_category()}; }

}  // namespace

TEST(AcceptRetry, Classifies) {
    using K = AcceptRetry::Kind;
    EXPECT_EQ(AcceptRetry::classify(sys(ECANCELED)), K::closed);
    for (int e : {EMFILE, ENFILE, ENOBUFS, ENOMEM}) EXPECT_EQ(AcceptRetry::classify(sys(e)), K::out_of_resources) << e;
    for (int e : {ECONNABORTED, EPROTO, EPERM, ENETUNREACH, EAGAIN, EINTR})
        EXPECT_EQ(AcceptRetry::classify(sys(e)), K::connection_failed) << e;
    EXPECT_EQ(AcceptRetry::classify(sys(EBADF)), K::unexpected);
    EXPECT_TRUE(AcceptRetry::out_of_descriptors(sys(EMFILE)));
    EXPECT_TRUE(AcceptRetry::out_of_descriptors(sys(ENFILE)));
    EXPECT_FALSE(AcceptRetry::out_of_descriptors(sys(ENOBUFS)));
}

TEST(AcceptRetry, ClosedStops) {
    AcceptRetry r;
    auto s = r.on_error(sys(ECANCELED), 1000);
    EXPECT_TRUE(s.stop);
    EXPECT_FALSE(r.failing());
}

TEST(AcceptRetry, OutOfDescriptorsBacksOffShedsAndRecovers) {
    AcceptRetry r;
    std::int64_t now = 1000;
    std::int64_t expected[] = {5, 10, 20, 40, 80, 100, 100, 100};
    for (std::int64_t d : expected) {
        auto s = r.on_error(sys(EMFILE), now);
        EXPECT_FALSE(s.stop);
        EXPECT_TRUE(s.shed);
        EXPECT_EQ(s.delay_ms, d);
        now += d;
    }
    EXPECT_TRUE(r.failing());
    EXPECT_EQ(r.failing_since_ms(), 1000);
    EXPECT_EQ(r.on_accepted(now), now - 1000);
    EXPECT_FALSE(r.failing());
    EXPECT_EQ(r.on_accepted(now + 1), 0) << "not failing any more";
    auto s = r.on_error(sys(ENOBUFS), now + 2);
    EXPECT_EQ(s.delay_ms, AcceptRetry::kFirstDelayMs) << "the backoff starts again after a success";
    EXPECT_FALSE(s.shed) << "a spare descriptor does not help without buffers";
}

TEST(AcceptRetry, AConnectionThatDiedIsSkippedAtOnce) {
    AcceptRetry r;
    auto s = r.on_error(sys(ECONNABORTED), 1000);
    EXPECT_EQ(s.delay_ms, 0);
    EXPECT_FALSE(s.shed);
    EXPECT_FALSE(r.failing()) << "the listener itself is fine";
}

TEST(AcceptRetry, UnexpectedErrorsRetryAtTheLongestDelay) {
    AcceptRetry r;
    auto s = r.on_error(sys(EBADF), 1000);
    EXPECT_EQ(s.delay_ms, AcceptRetry::kMaxDelayMs);
    EXPECT_TRUE(r.failing());
}

TEST(AcceptRetry, LogsAtMostOnceASecondAndCountsTheRest) {
    AcceptRetry r;
    int lines = 0;
    std::uint64_t counted = 0;
    // 3 seconds of failures every 5 ms: one line at the start and one a second after.
    for (std::int64_t t = 0; t < 3000; t += 5) {
        auto s = r.on_error(sys(EMFILE), 10000 + t);
        if (s.log) {
            ++lines;
            counted += s.unlogged + 1;
        }
    }
    EXPECT_EQ(lines, 3);
    auto s = r.on_error(sys(EMFILE), 13000);
    EXPECT_TRUE(s.log);
    counted += s.unlogged + 1;
    EXPECT_EQ(counted, 601u) << "every failure is in some line";
}
