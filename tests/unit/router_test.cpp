#include "signaling/router.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "protocol/json.h"
#include "recording_outbox.h"

using namespace pigeonhub;
using pigeonhub::testing::RecordingOutbox;

namespace {

std::string id(char c) { return std::string(40, c); }

class RouterTest : public ::testing::Test {
protected:
    Slot join(char c) {
        auto r = router.admit(id(c), out, 1000);
        EXPECT_TRUE(r.accepted);
        router.greet(r.slot, out, 1000);
        out.take(r.slot);
        return r.slot;
    }
    void send(Slot s, const std::string& text) { router.on_message(s, text, out, 2000); }
    void announce(Slot s, const std::string& ns, const std::string& data = "") {
        std::string msg = R"({"type":"announce","networkName":")" + ns + "\"";
        if (!data.empty()) msg += ",\"data\":" + data;
        send(s, msg + "}");
    }

    SignalingOptions config;
    Router router{config};
    RecordingOutbox out;
};

}  // namespace

TEST_F(RouterTest, AdmissionOrderAndReasons) {
    SignalingOptions c;
    c.max_connections = 1;
    Router r(c);
    EXPECT_EQ(r.admit("xyz", out, 0).reason, "Invalid peerId format");
    EXPECT_EQ(r.admit(std::string(39, 'a'), out, 0).reason, "Invalid peerId format");
    auto a = r.admit(id('a'), out, 0);
    ASSERT_TRUE(a.accepted);
    auto dup = r.admit(id('a'), out, 0);
    EXPECT_FALSE(dup.accepted);
    EXPECT_EQ(dup.close_code, 1008);
    EXPECT_EQ(dup.reason, "Peer already connected");
    EXPECT_EQ(out.probed, std::vector<Slot>{a.slot});
    EXPECT_EQ(r.admit(id('b'), out, 0).reason, "Maximum connections reached");
    EXPECT_TRUE(r.admit(id('A'), out, 0).accepted == false);  // full; case-distinct ids are different peers
    r.on_disconnect(a.slot, out, 0);
    EXPECT_TRUE(r.admit(id('A'), out, 0).accepted);
}

TEST_F(RouterTest, GreetSendsConnected) {
    auto r = router.admit(id('a'), out, 5);
    router.greet(r.slot, out, 5);
    EXPECT_EQ(out.take(r.slot), std::vector<std::string>{outbound::connected(id('a'), 5)});
}

TEST_F(RouterTest, AnnounceDiscoversBothWaysWithinNamespace) {
    Slot a = join('a'), b = join('b'), c = join('c');
    announce(a, "n1", R"({"peerId":")" + id('a') + R"(","x":1})");
    announce(c, "other");
    EXPECT_TRUE(out.take(a).empty());
    announce(b, "n1");
    auto to_a = out.take(a);
    auto to_b = out.take(b);
    ASSERT_EQ(to_a.size(), 1u);
    ASSERT_EQ(to_b.size(), 1u);
    EXPECT_EQ(to_a[0], R"({"type":"peer-discovered","data":{"peerId":")" + id('b') +
                           R"(","isHub":false},"networkName":"n1","fromPeerId":"system","targetPeerId":")" + id('a') +
                           R"(","timestamp":2000})");
    EXPECT_NE(to_b[0].find(R"("data":{"peerId":")" + id('a') + R"(","isHub":false,"x":1})"), std::string::npos);
    EXPECT_TRUE(out.take(c).empty());
    EXPECT_EQ(router.namespaces(), 2u);
    EXPECT_EQ(router.announced_peers(), 3u);
}

TEST_F(RouterTest, AllModeTellsEveryMember) {
    std::vector<Slot> slots;
    for (char c : std::string("abcdef")) {
        slots.push_back(join(c));
        announce(slots.back(), "big");
    }
    EXPECT_EQ(out.take(slots.back()).size(), 5u);
}

TEST_F(RouterTest, HubClaimsGainNothing) {
    Slot a = join('a'), b = join('b');
    announce(a, "n", R"({"isHub":true,"peerId":")" + id('7') + "\"}");
    announce(b, "n");
    auto to_b = out.take(b);
    ASSERT_EQ(to_b.size(), 1u);
    EXPECT_NE(to_b[0].find(R"("data":{"peerId":")" + id('a') + R"(","isHub":false})"), std::string::npos);
    send(a, R"({"type":"announce","networkName":"pigeonhub-mesh","data":{"isHub":true}})");
    auto to_a = out.take(a);
    ASSERT_EQ(to_a.size(), 2u);  // the discovery of b, then the error
    EXPECT_NE(to_a[1].find("reserved for hubs"), std::string::npos);
    send(a, R"({"type":"peer-discovered","networkName":"n","data":{"peerId":")" + id('9') + "\"}}");
    to_a = out.take(a);
    ASSERT_EQ(to_a.size(), 1u);
    EXPECT_NE(to_a[0].find("accepted only from hubs"), std::string::npos);
    EXPECT_TRUE(out.take(b).empty());
}

TEST_F(RouterTest, SignalsCarryTheRealSender) {
    Slot a = join('a'), b = join('b');
    announce(a, "n");
    announce(b, "n");
    out.sent.clear();
    send(a, R"({"type":"offer","data":{"type":"offer","sdp":"v=0"},"targetPeerId":")" + id('b') +
                R"(","networkName":"n","fromPeerId":")" + id('c') + R"(","maxPeers":3})");
    auto to_b = out.take(b);
    ASSERT_EQ(to_b.size(), 1u);
    EXPECT_EQ(to_b[0], R"({"type":"offer","data":{"type":"offer","sdp":"v=0"},"fromPeerId":")" + id('a') +
                           R"(","targetPeerId":")" + id('b') + R"(","networkName":"n","timestamp":2000})");
}

TEST_F(RouterTest, AllSignalTypesAreRouted) {
    Slot a = join('a'), b = join('b');
    for (const char* t : {"offer", "answer", "ice-candidate", "connection-rejected", "renegotiation-offer",
                          "renegotiation-answer"}) {
        send(a, std::string(R"({"type":")") + t + R"(","data":{},"targetPeerId":")" + id('b') + "\"}");
        auto to_b = out.take(b);
        ASSERT_EQ(to_b.size(), 1u) << t;
        EXPECT_NE(to_b[0].find(R"("networkName":"global")"), std::string::npos);
    }
    EXPECT_TRUE(out.take(a).empty());
}

TEST_F(RouterTest, GlareRejectionIsAbsorbedOtherRejectionsAreRouted) {
    Slot a = join('a'), b = join('b');
    send(b, R"({"type":"connection-rejected","data":{"reason":"initiator_role_conflict"},"targetPeerId":")" + id('a') + "\"}");
    EXPECT_TRUE(out.take(a).empty());
    EXPECT_TRUE(out.take(b).empty());
    EXPECT_EQ(router.stats().glare_rejections_absorbed, 1u);
    send(b, R"({"type":"connection-rejected","data":{"reason":"max_peers_reached"},"targetPeerId":")" + id('a') + "\"}");
    EXPECT_EQ(out.take(a).size(), 1u);
}

TEST_F(RouterTest, SignalDropsAreSilentAndCounted) {
    Slot a = join('a'), b = join('b'), c = join('c');
    announce(a, "n");
    announce(b, "n");
    announce(c, "m");
    out.sent.clear();
    send(a, R"({"type":"offer","data":{}})");                                                      // no target
    send(a, R"({"type":"offer","data":{},"targetPeerId":")" + id('d') + R"(","networkName":"n"})");   // unknown
    send(a, R"({"type":"offer","data":{},"targetPeerId":")" + id('c') + R"(","networkName":"n"})");   // other ns
    send(a, R"({"type":"offer","data":{},"targetPeerId":")" + id('c') + R"(","networkName":"m"})");   // claims m
    send(a, R"({"type":"offer","data":{},"targetPeerId":")" + id('b') + R"(","networkName":"m"})");   // claim differs
    EXPECT_TRUE(out.sent[a].empty());
    EXPECT_TRUE(out.sent[b].empty());
    EXPECT_TRUE(out.sent[c].empty());
    const auto& d = router.stats().dropped;
    EXPECT_EQ(d[static_cast<int>(DropReason::missing_target)], 1u);
    EXPECT_EQ(d[static_cast<int>(DropReason::unknown_target)], 1u);
    EXPECT_EQ(d[static_cast<int>(DropReason::namespace_mismatch)], 3u);
}

TEST_F(RouterTest, ReannounceElsewhereLeavesTheOldNamespace) {
    Slot a = join('a'), b = join('b'), c = join('c');
    announce(a, "old");
    announce(b, "old");
    announce(c, "new");
    out.sent.clear();
    announce(b, "new");
    auto to_a = out.take(a);
    ASSERT_EQ(to_a.size(), 1u);
    EXPECT_NE(to_a[0].find(R"("type":"peer-disconnected")"), std::string::npos);
    EXPECT_EQ(out.take(c).size(), 1u);  // discovered b
    EXPECT_EQ(out.take(b).size(), 1u);  // discovered c
    Slot d = join('d');
    announce(d, "old");
    EXPECT_EQ(out.take(d).size(), 1u);  // only a is left in "old"
}

TEST_F(RouterTest, ReannounceSameNamespaceOnlyResendsWhenDataChanged) {
    Slot a = join('a'), b = join('b');
    announce(a, "n");
    announce(b, "n");
    out.sent.clear();
    announce(b, "n");
    EXPECT_TRUE(out.take(a).empty());
    EXPECT_EQ(out.take(b).size(), 1u);
    announce(b, "n", R"({"v":2})");
    EXPECT_EQ(out.take(a).size(), 1u);
}

TEST_F(RouterTest, GoodbyeThenCloseNotifiesOnce) {
    Slot a = join('a'), b = join('b'), c = join('c');
    announce(a, "n");
    announce(b, "n");
    announce(c, "other");
    out.sent.clear();
    send(b, R"({"type":"goodbye","data":{"peerId":")" + id('b') + R"("}})");  // no networkName, as on unload
    auto to_a = out.take(a);
    ASSERT_EQ(to_a.size(), 2u);
    EXPECT_NE(to_a[0].find(R"("type":"goodbye")"), std::string::npos);
    EXPECT_NE(to_a[0].find(R"("networkName":"n")"), std::string::npos);
    EXPECT_NE(to_a[1].find(R"("type":"peer-disconnected")"), std::string::npos);
    router.on_disconnect(b, out, 3000);
    EXPECT_TRUE(out.take(a).empty());
    EXPECT_TRUE(out.take(c).empty());
}

TEST_F(RouterTest, CloseNotifiesOnlyTheNamespace) {
    Slot a = join('a'), b = join('b'), c = join('c');
    announce(a, "n");
    announce(b, "n");
    announce(c, "other");
    out.sent.clear();
    router.on_disconnect(b, out, 3000);
    EXPECT_EQ(out.take(a).size(), 1u);
    EXPECT_TRUE(out.take(c).empty());
    router.on_disconnect(b, out, 3000);  // a second call is harmless
    EXPECT_TRUE(out.take(a).empty());
    EXPECT_EQ(router.connections(), 2u);
}

TEST_F(RouterTest, GoodbyeKeepsTheIdAndAllowsReannounce) {
    Slot a = join('a'), b = join('b');
    announce(a, "n");
    send(a, R"({"type":"goodbye"})");
    EXPECT_FALSE(router.admit(id('a'), out, 0).accepted);  // the socket still holds its id
    announce(a, "n");
    announce(b, "n");
    EXPECT_EQ(out.take(b).size(), 1u);
}

TEST_F(RouterTest, FieldTypeErrors) {
    Slot a = join('a');
    send(a, R"({"type":"announce","networkName":{"x":1}})");
    send(a, R"({"type":"announce","data":"str"})");
    send(a, std::string(R"({"type":"announce","networkName":")") + std::string(300, 'n') + "\"}");
    send(a, std::string(R"({"type":"announce","data":{"k":")") + std::string(5000, 'v') + "\"}}");
    auto to_a = out.take(a);
    ASSERT_EQ(to_a.size(), 4u);
    EXPECT_NE(to_a[0].find("Invalid networkName"), std::string::npos);
    EXPECT_NE(to_a[1].find("Invalid announce data"), std::string::npos);
    EXPECT_NE(to_a[2].find("Invalid networkName"), std::string::npos);
    EXPECT_NE(to_a[3].find("Announce data too large"), std::string::npos);
    EXPECT_EQ(router.announced_peers(), 0u);
}

TEST_F(RouterTest, PingCleanupUnknownAndInvalid) {
    Slot a = join('a');
    send(a, R"({"type":"ping"})");
    send(a, R"({"type":"cleanup"})");
    send(a, R"({"type":"cleanup-all"})");
    send(a, "garbage");
    send(a, "null");
    send(a, R"({"type":"peer-disconnected"})");
    auto to_a = out.take(a);
    ASSERT_EQ(to_a.size(), 3u);
    EXPECT_EQ(to_a[0], outbound::pong(id('a'), 2000));
    EXPECT_EQ(to_a[1], outbound::error(outbound::unroutable_text("undefined"), 2000));
    EXPECT_EQ(to_a[2], outbound::error(outbound::unroutable_text("peer-disconnected"), 2000));
    EXPECT_EQ(router.stats().invalid_json, 1u);
}

TEST(RouterBounded, NewcomerLearnsOnlyItsClosestMembers) {
    SignalingOptions c;
    c.discovery = DiscoveryMode::bounded;
    c.discovery_max_peers = 4;
    Router r(c);
    RecordingOutbox out;
    std::vector<Slot> slots;
    const char* ids[] = {"0000000000000000000000000000000000000001", "0000000000000000000000000000000000000002",
                         "0000000000000000000000000000000000000003", "8000000000000000000000000000000000000000",
                         "8000000000000000000000000000000000000001", "ffffffffffffffffffffffffffffffffffffffff"};
    for (const char* i : ids) {
        auto a = r.admit(i, out, 0);
        slots.push_back(a.slot);
        r.on_message(a.slot, R"({"type":"announce","networkName":"b"})", out, 0);
    }
    out.sent.clear();
    auto n = r.admit("0000000000000000000000000000000000000000", out, 0);
    r.on_message(n.slot, R"({"type":"announce","networkName":"b","maxPeers":2})", out, 0);
    auto got = out.take(n.slot);
    ASSERT_EQ(got.size(), 2u);
    const std::string both = got[0] + got[1];
    EXPECT_NE(both.find(std::string("\"peerId\":\"") + ids[0]), std::string::npos);
    EXPECT_NE(both.find(std::string("\"peerId\":\"") + ids[1]), std::string::npos);
    EXPECT_EQ(out.take(slots[0]).size(), 1u);
    EXPECT_EQ(out.take(slots[1]).size(), 1u);
    EXPECT_TRUE(out.take(slots[5]).empty());
    // maxPeers above the cap is clamped.
    auto m = r.admit("fffffffffffffffffffffffffffffffffffffff0", out, 0);
    r.on_message(m.slot, R"({"type":"announce","networkName":"b","maxPeers":100})", out, 0);
    EXPECT_EQ(out.take(m.slot).size(), 4u);
}
