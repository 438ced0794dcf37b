// The abuse budgets of announces: the token bucket, the per-connection budget, and the Router's replies at each
// bound (README "Bounds").
#include "signaling/announce_budget.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "recording_outbox.h"
#include "signaling/router.h"
#include "util/token_bucket.h"

using namespace pigeonhub;
using pigeonhub::testing::RecordingOutbox;

TEST(TokenBucket, StartsFullThenRefillsAtTheRate) {
    TokenBucket b;
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(b.take(5000, 1, 1000.0, 3)) << i;  // burst 3 at once
    EXPECT_FALSE(b.take(5000, 1, 1000.0, 3));
    EXPECT_FALSE(b.take(5999, 1, 1000.0, 3));  // 0.999 of a token
    EXPECT_TRUE(b.take(6000, 1, 1000.0, 3));
    EXPECT_FALSE(b.take(6000, 1, 1000.0, 3));
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(b.take(60000, 1, 1000.0, 3)) << i;  // never more than the burst
    EXPECT_FALSE(b.take(60000, 1, 1000.0, 3));
}

TEST(TokenBucket, WorksFromTimeZero) {
    TokenBucket b;
    EXPECT_TRUE(b.take(0, 30, 60000.0, 1));
    EXPECT_FALSE(b.take(1000, 30, 60000.0, 1));
    EXPECT_TRUE(b.take(2000, 30, 60000.0, 1));  // 30 a minute: one every 2 s
}

TEST(AnnounceBudget, ZeroMeansNoLimitAndRefusalsAreToldOncePerSecond) {
    SignalingOptions o;
    o.announce_rate = 0;
    o.namespace_rate = 0;
    AnnounceBudget b;
    for (int i = 0; i < 10000; ++i) {
        ASSERT_TRUE(b.take_announce(o, 0));
        ASSERT_TRUE(b.take_namespace(o, 0));
    }
    EXPECT_TRUE(b.tell(0));
    EXPECT_FALSE(b.tell(999));
    EXPECT_TRUE(b.tell(1000));
}

namespace {

std::string id(char c) { return std::string(40, c); }

class BudgetTest : public ::testing::Test {
protected:
    void make(const SignalingOptions& o) { router = std::make_unique<Router>(o); }
    Slot join(char c) {
        auto r = router->admit(id(c), out, 0);
        EXPECT_TRUE(r.accepted);
        return r.slot;
    }
    void announce(Slot s, const std::string& ns, std::int64_t now, const std::string& data = "") {
        std::string msg = R"({"type":"announce","networkName":")" + ns + "\"";
        if (!data.empty()) msg += ",\"data\":" + data;
        router->on_message(s, msg + "}", out, now);
    }
    // The `error` texts `s` was sent (and forgets what it was sent).
    std::vector<std::string> errors(Slot s) {
        std::vector<std::string> v;
        for (const auto& m : out.take(s))
            if (m.rfind(R"({"type":"error")", 0) == 0) v.push_back(m);
        return v;
    }
    std::size_t members(const std::string& ns) {
        std::size_t total = 0;
        router->list_peers(ns, true, 0, 0, &total);
        return total;
    }

    std::unique_ptr<Router> router;
    RecordingOutbox out;
};

}  // namespace

TEST_F(BudgetTest, AnnouncesOverTheRateAreDroppedAndToldOncePerSecond) {
    SignalingOptions o;
    o.announce_rate = 60;  // one a second
    o.announce_burst = 3;
    make(o);
    Slot a = join('a'), b = join('b');
    announce(b, "n", 0);
    for (int i = 0; i < 3; ++i) announce(a, "n", 0);  // the burst: the first joins, two re-announces
    EXPECT_TRUE(errors(a).empty());
    out.take(b);
    announce(a, "n", 0, R"({"x":1})");  // over the budget: dropped, so b hears nothing of the new data
    announce(a, "n", 10, R"({"x":2})");
    auto e = errors(a);
    ASSERT_EQ(e.size(), 1u);  // one error for both
    EXPECT_NE(e[0].find("Announce rate limit exceeded: announce dropped"), std::string::npos);
    EXPECT_TRUE(out.take(b).empty());
    EXPECT_EQ(router->stats().announce_rate_limited, 2u);
    announce(a, "n", 1000, R"({"x":3})");  // a token again: b learns the new data
    auto to_b = out.take(b);
    ASSERT_EQ(to_b.size(), 1u);
    EXPECT_NE(to_b[0].find(R"("x":3)"), std::string::npos);
    EXPECT_TRUE(errors(a).empty());
}

TEST_F(BudgetTest, NamespaceRateRefusesTheMoveAndKeepsTheConnectionWhereItWas) {
    SignalingOptions o;
    o.announce_rate = 0;
    o.namespace_rate = 2;  // two a minute, burst two
    make(o);
    Slot a = join('a');
    announce(a, "n1", 0);
    announce(a, "n2", 0);
    EXPECT_TRUE(errors(a).empty());
    announce(a, "n3", 0);
    auto e = errors(a);
    ASSERT_EQ(e.size(), 1u);
    EXPECT_NE(e[0].find("Namespace change limit exceeded: not moved"), std::string::npos);
    EXPECT_EQ(members("n2"), 1u);
    EXPECT_EQ(members("n3"), 0u);
    EXPECT_EQ(router->stats().namespace_rate_limited, 1u);
    announce(a, "n2", 0);  // a re-announce is no move
    EXPECT_TRUE(errors(a).empty());
    announce(a, "n3", 30000);  // half a minute: one namespace more
    EXPECT_TRUE(errors(a).empty());
    EXPECT_EQ(members("n3"), 1u);
    EXPECT_EQ(members("n2"), 0u);
}

TEST_F(BudgetTest, FullNamespaceRefusesTheNewcomerUntilAMemberLeaves) {
    SignalingOptions o;
    o.max_peers_per_namespace = 2;
    make(o);
    Slot a = join('a'), b = join('b'), c = join('c');
    announce(a, "n", 0);
    announce(b, "n", 0);
    out.take(a);
    out.take(b);
    announce(c, "other", 0);
    announce(c, "n", 0);
    auto e = errors(c);
    ASSERT_EQ(e.size(), 1u);
    EXPECT_NE(e[0].find("Namespace full: not joined"), std::string::npos);
    EXPECT_TRUE(out.take(a).empty());  // nobody in n heard of c
    EXPECT_EQ(members("n"), 2u);
    EXPECT_EQ(members("other"), 1u);  // c stayed where it was
    EXPECT_EQ(router->stats().namespace_full, 1u);
    announce(a, "n", 0);  // a member re-announcing into its full namespace is fine
    EXPECT_TRUE(errors(a).empty());
    router->on_disconnect(a, out, 0);
    announce(c, "n", 0);
    EXPECT_TRUE(errors(c).empty());
    EXPECT_EQ(members("n"), 2u);
}

TEST_F(BudgetTest, DefaultsLeaveAClientThatAnnouncesOncePerConnectionAlone) {
    make(SignalingOptions{});
    // 200 connections in one namespace, each announcing once, as PeerPigeon 1.1.3 does; and one reconnecting
    // (a new connection each time) every second for a minute.
    for (int i = 0; i < 200; ++i) {
        std::string pid(40, '0');
        std::snprintf(pid.data(), 41, "%040x", i + 1);
        auto r = router->admit(pid, out, 0);
        ASSERT_TRUE(r.accepted);
        announce(r.slot, "room", i);
    }
    for (int t = 0; t < 60; ++t) {
        auto r = router->admit(id('e'), out, 1000 * t);
        ASSERT_TRUE(r.accepted);
        announce(r.slot, "room", 1000 * t);
        router->on_disconnect(r.slot, out, 1000 * t);
    }
    const auto& s = router->stats();
    EXPECT_EQ(s.announce_rate_limited + s.namespace_rate_limited + s.namespace_full, 0u);
    EXPECT_EQ(s.errors_sent, 0u);
}
