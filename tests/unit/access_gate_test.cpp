// The hub's access gate (src/hub/access_gate.h): password checks off the io thread, the bound on checks at once,
// one check per password however many connections bring it, the cache, departures while a check runs.
#include "hub/access_gate.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>

#include "auth/password_hash.h"
#include "auth/token.h"
#include "util/hex.h"

using namespace pigeonhub;
using auth::Verdict;

namespace {

const data::Ed25519Key kIssuer = data::Ed25519Key::from_seed(std::array<std::uint8_t, 32>{5});

auth::AccessPolicy policy() {
    std::string key;
    hex::append(key, kIssuer.public_key.data(), kIssuer.public_key.size());
    const std::string hash = auth::make_password_hash("right", auth::Argon2Params{64, 1, 1});
    std::string e;
    auto p = auth::AccessPolicy::parse(R"({"namespaces":{"club":{"argon2id":[")" + hash + R"("],"ed25519":[")" + key +
                                           R"("]}}})",
                                       &e);
    EXPECT_TRUE(p) << e;
    return *p;
}

class AccessGateTest : public ::testing::Test {
protected:
    void make(std::uint32_t max_verifications) {
        AccessOptions o;
        o.max_verifications = max_verifications;
        gate = std::make_unique<HubAccessGate>(io, policy(), o);
        gate->set_resume([this](Slot s, std::string_view text) { resumed[s] = std::string(text); });
    }
    // Runs the io_context until `n` announces were handed back (or 10 s).
    void wait_resumed(std::size_t n) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (resumed.size() < n && std::chrono::steady_clock::now() < until) {
            io.restart();
            io.run_for(std::chrono::milliseconds(5));
        }
        ASSERT_EQ(resumed.size(), n);
    }
    Verdict check(Slot s, const char* ns = "club") { return gate->check(s, ns, "announce " + std::to_string(s), 1000); }

    asio::io_context io;
    std::unique_ptr<HubAccessGate> gate;
    std::map<Slot, std::string> resumed;
};

}  // namespace

TEST_F(AccessGateTest, PasswordCheckedOffThreadThenCached) {
    make(2);
    gate->attach(0, {"", "right"});
    EXPECT_EQ(check(0), Verdict::pending);
    wait_resumed(1);
    EXPECT_EQ(resumed[0], "announce 0");
    EXPECT_EQ(check(0), Verdict::allowed);  // what the router does with the handed-back announce
    gate->attach(1, {"", "right"});
    EXPECT_EQ(check(1), Verdict::allowed);  // cached: no second argon2id
    gate->attach(2, {"", "wrong"});
    EXPECT_EQ(check(2), Verdict::pending);
    wait_resumed(2);
    EXPECT_EQ(check(2), Verdict::wrong_password);
    const AccessStats s = gate->stats();
    EXPECT_EQ(s.password_checks, 2u);
    EXPECT_EQ(s.password_cache_hits, 3u);
    EXPECT_EQ(s.password_cache_size, 2u);
    EXPECT_EQ(s.password_checks_running, 0u);
    EXPECT_EQ(s.announces[static_cast<std::size_t>(Verdict::pending)], 2u);
    EXPECT_EQ(s.denied(), 1u);
}

TEST_F(AccessGateTest, BoundedAndOneCheckPerPassword) {
    make(1);
    gate->attach(0, {"", "right"});
    gate->attach(1, {"", "guess"});
    gate->attach(2, {"", "right"});
    EXPECT_EQ(check(0), Verdict::pending);
    EXPECT_EQ(check(1), Verdict::busy);     // a second check would exceed AUTH_MAX_VERIFICATIONS=1
    EXPECT_EQ(check(2), Verdict::pending);  // waits for the check of the same password
    EXPECT_EQ(gate->stats().password_checks_running, 1u);
    wait_resumed(2);
    EXPECT_EQ(resumed.count(0), 1u);
    EXPECT_EQ(resumed.count(2), 1u);
    EXPECT_EQ(gate->stats().password_checks, 1u);
    EXPECT_EQ(gate->stats().announces[static_cast<std::size_t>(Verdict::busy)], 1u);
}

TEST_F(AccessGateTest, DepartureDropsTheWaitingAnnounce) {
    make(2);
    gate->attach(0, {"", "right"});
    gate->attach(1, {"", "other"});
    EXPECT_EQ(check(0), Verdict::pending);
    EXPECT_EQ(check(1), Verdict::pending);
    gate->detach(0);
    gate->attach(0, {"", ""});  // the slot is reused by another connection
    wait_resumed(1);
    EXPECT_EQ(resumed.count(0), 0u);
    EXPECT_EQ(resumed.count(1), 1u);
    EXPECT_EQ(check(0), Verdict::missing);
}

TEST_F(AccessGateTest, TokensAndOpenNamespacesNeedNoWorker) {
    make(1);
    gate->attach(0, {auth::issue_ed25519("club", 10, kIssuer), "wrong"});
    EXPECT_EQ(check(0), Verdict::allowed);  // 1000 ms = second 1, before exp 10
    gate->attach(1, {});
    EXPECT_EQ(check(1, "lobby"), Verdict::allowed);
    EXPECT_EQ(check(1), Verdict::missing);
    EXPECT_FALSE(gate->is_protected("lobby"));
    EXPECT_TRUE(gate->is_protected("club"));
    EXPECT_EQ(gate->stats().password_checks, 0u);
}
