#include "protocol/outbound.h"

#include <gtest/gtest.h>

#include "protocol/json.h"

using namespace pigeonhub;

TEST(Outbound, ConnectedShape) {
    EXPECT_EQ(outbound::connected("ab", 7), R"({"type":"connected","data":{"peerId":"ab"},"fromPeerId":"system","timestamp":7})");
}

TEST(Outbound, DiscoveryDataCannotOverridePeerIdOrIsHub) {
    std::string d = outbound::discovery_data("aa", R"({"peerId":"77","isHub":true,"peer\u0049d":"x","foo":{"a":[1]}})");
    EXPECT_EQ(d, R"({"peerId":"aa","isHub":false,"foo":{"a":[1]}})");
    EXPECT_EQ(outbound::discovery_data("aa", ""), R"({"peerId":"aa","isHub":false})");
}

TEST(Outbound, PeerDiscoveredHeadPlusTailIsTheReferenceShape) {
    std::string head = outbound::discovered_head(R"({"peerId":"bb","isHub":false})", "\"net\"");
    char buf[OutFrame::kTailCapacity];
    OutFrame f(share(head), outbound::target_tail(buf, "aa", 1795474767368));
    EXPECT_EQ(f.text(), R"({"type":"peer-discovered","data":{"peerId":"bb","isHub":false},"networkName":"net","fromPeerId":"system","targetPeerId":"aa","timestamp":1795474767368})");
    EXPECT_TRUE(json::validate(f.text()));
    EXPECT_EQ(f.size(), f.text().size());
}

TEST(Outbound, TailFitsTheLongestIdAndTimestamp) {
    char buf[OutFrame::kTailCapacity];
    std::string id(40, 'f');
    auto t = outbound::target_tail(buf, id, INT64_MAX);
    EXPECT_EQ(t, id + R"(","timestamp":9223372036854775807})");
}

TEST(Outbound, SignalShapeAndOmittedData) {
    EXPECT_EQ(outbound::signal("offer", R"({"sdp":"x"})", "aa", "bb", "\"n\"", 5),
              R"({"type":"offer","data":{"sdp":"x"},"fromPeerId":"aa","targetPeerId":"bb","networkName":"n","timestamp":5})");
    EXPECT_EQ(outbound::signal("answer", "", "aa", "bb", "\"n\"", 5),
              R"({"type":"answer","fromPeerId":"aa","targetPeerId":"bb","networkName":"n","timestamp":5})");
}

TEST(Outbound, OtherShapes) {
    EXPECT_EQ(outbound::goodbye(R"({"peerId":"aa"})", "aa", "\"n\"", 1),
              R"({"type":"goodbye","data":{"peerId":"aa"},"fromPeerId":"aa","networkName":"n","timestamp":1})");
    EXPECT_EQ(outbound::pong("aa", 3), R"({"type":"pong","data":{"timestamp":3},"fromPeerId":"system","targetPeerId":"aa","timestamp":3})");
    EXPECT_EQ(outbound::error("e\"", 2), R"({"type":"error","error":"e\"","timestamp":2})");
    EXPECT_EQ(outbound::unroutable_text("x"),
              "Signaling server does not route 'x' messages. Use WebRTC data channels for peer-to-peer communication.");
}
