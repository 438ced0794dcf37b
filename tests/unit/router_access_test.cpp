// The router's access hook (src/signaling/router_access.cpp) with a scripted gate: a refused announce gets the
// error and no discovery either way, leaves its old namespace, and signals of a protected namespace reach only
// announced members; a pending announce waits and goes on when handed back.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "recording_outbox.h"
#include "signaling/router.h"

using namespace pigeonhub;
using pigeonhub::testing::RecordingOutbox;
using auth::Verdict;

namespace {

std::string id(char c) { return std::string(40, c); }

// Protects the namespaces in `verdicts`: each slot gets the verdict scripted for it (allowed by default).
class ScriptedGate : public AccessGate {
public:
    Verdict check(Slot slot, std::string_view ns, std::string_view text, std::int64_t) override {
        ++checks;
        if (!protected_ns.count(std::string(ns))) return Verdict::allowed;
        auto it = verdicts.find(slot);
        const Verdict v = it == verdicts.end() ? Verdict::allowed : it->second;
        if (v == Verdict::pending) waiting[slot] = std::string(text);
        return v;
    }
    bool is_protected(std::string_view ns) const override { return protected_ns.count(std::string(ns)) > 0; }
    void attach(Slot, auth::JoinCredentials) override {}
    void detach(Slot) override {}
    std::set<std::string> protected_ns;
    std::map<Slot, Verdict> verdicts;
    std::map<Slot, std::string> waiting;
    int checks = 0;
};

class RouterAccessTest : public ::testing::Test {
protected:
    RouterAccessTest() { router.set_access(&gate); }
    Slot join(char c) {
        auto r = router.admit(id(c), out, 1000);
        EXPECT_TRUE(r.accepted);
        out.take(r.slot);
        return r.slot;
    }
    void announce(Slot s, const std::string& ns) {
        router.on_message(s, R"({"type":"announce","networkName":")" + ns + "\"}", out, 2000);
    }
    void offer(Slot from, char to, const std::string& ns) {
        router.on_message(from, R"({"type":"offer","targetPeerId":")" + id(to) + R"(","networkName":")" + ns +
                                    R"(","data":{"sdp":"x"}})",
                          out, 2000);
    }
    static bool has(const std::vector<std::string>& v, const std::string& needle) {
        for (const auto& s : v)
            if (s.find(needle) != std::string::npos) return true;
        return false;
    }
    SignalingOptions config;
    Router router{config};
    RecordingOutbox out;
    ScriptedGate gate;
};

}  // namespace

TEST_F(RouterAccessTest, RefusedAnnounceGetsErrorAndNoDiscovery) {
    gate.protected_ns = {"vault"};
    const Slot a = join('a'), b = join('b'), c = join('c');
    gate.verdicts[c] = Verdict::expired;
    announce(a, "vault");
    announce(b, "vault");
    out.take(a);
    out.take(b);
    announce(c, "vault");
    auto to_c = out.take(c);
    ASSERT_EQ(to_c.size(), 1u);
    EXPECT_NE(to_c[0].find(R"("type":"error")"), std::string::npos);
    EXPECT_NE(to_c[0].find("Access denied: token expired"), std::string::npos);
    EXPECT_TRUE(out.take(a).empty());  // a and b never hear of c
    EXPECT_TRUE(out.take(b).empty());
    EXPECT_EQ(router.announced_peers(), 2u);
    // c's signals into the namespace are dropped, and so are the members' signals to c.
    offer(c, 'a', "vault");
    offer(a, 'c', "vault");
    EXPECT_TRUE(out.take(a).empty());
    EXPECT_TRUE(out.take(c).empty());
    // Members still reach each other.
    offer(a, 'b', "vault");
    EXPECT_TRUE(has(out.take(b), R"("type":"offer")"));
}

TEST_F(RouterAccessTest, RefusalLeavesTheOldNamespace) {
    gate.protected_ns = {"vault"};
    const Slot a = join('a'), b = join('b');
    announce(a, "lobby");
    announce(b, "lobby");
    out.take(a);
    gate.verdicts[b] = Verdict::missing;
    announce(b, "vault");
    EXPECT_TRUE(has(out.take(a), "peer-disconnected"));
    EXPECT_TRUE(has(out.take(b), "requires a token or password"));
    EXPECT_EQ(router.announced_peers(), 1u);
}

TEST_F(RouterAccessTest, ProtectedGlobalNeedsAnnouncedMembers) {
    gate.protected_ns = {"global"};
    const Slot a = join('a'), b = join('b');
    announce(a, "global");          // admitted (no verdict scripted)
    offer(b, 'a', "global");        // b never announced: it counts as global for signaling, but may not reach a
    EXPECT_TRUE(out.take(a).empty());
    offer(a, 'b', "global");
    EXPECT_TRUE(out.take(b).empty());
}

TEST_F(RouterAccessTest, PendingAnnounceGoesOnWhenHandedBack) {
    gate.protected_ns = {"club"};
    const Slot a = join('a'), b = join('b');
    announce(a, "club");
    out.take(a);
    gate.verdicts[b] = Verdict::pending;
    announce(b, "club");
    EXPECT_TRUE(out.take(a).empty());
    EXPECT_TRUE(out.take(b).empty());  // no reply yet
    ASSERT_EQ(gate.waiting.count(b), 1u);
    gate.verdicts[b] = Verdict::allowed;  // the check came back
    router.on_message(b, gate.waiting[b], out, 3000);
    EXPECT_TRUE(has(out.take(a), id('b')));
    EXPECT_TRUE(has(out.take(b), id('a')));
}

TEST_F(RouterAccessTest, OpenNamespacesAndInvalidNamesSkipTheGate) {
    gate.protected_ns = {"vault"};
    const Slot a = join('a'), b = join('b');
    announce(a, "open");
    announce(b, "open");
    EXPECT_TRUE(has(out.take(a), id('b')));
    const int before = gate.checks;
    router.on_message(a, R"({"type":"announce","networkName":7})", out, 2000);
    EXPECT_EQ(gate.checks, before);  // answered by the router's own check
    EXPECT_TRUE(has(out.take(a), "Invalid networkName"));
}
