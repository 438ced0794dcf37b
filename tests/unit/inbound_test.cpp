#include "protocol/inbound.h"

#include <gtest/gtest.h>

using namespace pigeonhub;

TEST(Inbound, ParsesAnnounceAsRealClientsSendIt) {
    InboundMessage m;
    ASSERT_EQ(parse_inbound(R"({"type":"announce","data":{"peerId":"ab"},"maxPeers":3,"networkName":"capture"})", m),
              ParseStatus::ok);
    EXPECT_EQ(m.type, MessageType::announce);
    EXPECT_TRUE(m.has_data);
    EXPECT_EQ(m.data.raw, R"({"peerId":"ab"})");
    EXPECT_EQ(m.network_kind, NetworkField::named);
    EXPECT_EQ(m.network, "capture");
    EXPECT_EQ(m.max_peers, 3);
}

TEST(Inbound, ClassifiesEveryKnownType) {
    const char* names[] = {"announce", "goodbye", "offer", "answer", "ice-candidate", "connection-rejected",
                           "renegotiation-offer", "renegotiation-answer", "ping", "cleanup", "cleanup-all",
                           "peer-discovered"};
    for (std::size_t i = 0; i < std::size(names); ++i) {
        InboundMessage m;
        std::string text = std::string(R"({"type":")") + names[i] + "\"}";
        ASSERT_EQ(parse_inbound(text, m), ParseStatus::ok);
        EXPECT_EQ(static_cast<std::size_t>(m.type), i) << names[i];
        EXPECT_EQ(message_type_name(m.type), names[i]);
    }
}

TEST(Inbound, InvalidAndNonObjectJson) {
    InboundMessage m;
    EXPECT_EQ(parse_inbound("not json", m), ParseStatus::invalid_json);
    EXPECT_EQ(parse_inbound("{\"type\":\"ping\"", m), ParseStatus::invalid_json);
    EXPECT_EQ(parse_inbound("null", m), ParseStatus::not_object);
    EXPECT_EQ(m.type_label, "undefined");
    EXPECT_EQ(parse_inbound("[\"announce\"]", m), ParseStatus::not_object);
    EXPECT_EQ(parse_inbound("123", m), ParseStatus::not_object);
}

TEST(Inbound, TypeLabels) {
    InboundMessage m;
    ASSERT_EQ(parse_inbound(R"({"data":1})", m), ParseStatus::ok);
    EXPECT_EQ(m.type, MessageType::unknown);
    EXPECT_EQ(m.type_label, "undefined");
    ASSERT_EQ(parse_inbound(R"({"type":["announce"]})", m), ParseStatus::ok);
    EXPECT_EQ(m.type, MessageType::unknown);
    EXPECT_EQ(m.type_label, R"(["announce"])");
    ASSERT_EQ(parse_inbound(R"({"type":"x\u0041"})", m), ParseStatus::ok);
    EXPECT_EQ(m.type_label, "xA");
    ASSERT_EQ(parse_inbound(R"({"type":"an\u006eounce"})", m), ParseStatus::ok);
    EXPECT_EQ(m.type, MessageType::announce);
    std::string long_type = R"({"type":")" + std::string(500, 'y') + "\"}";
    ASSERT_EQ(parse_inbound(long_type, m), ParseStatus::ok);
    EXPECT_EQ(m.type_label.size(), 128u);
}

TEST(Inbound, NetworkNameFalsyValuesMeanGlobal) {
    for (const char* v : {"null", "\"\"", "false", "0", "0.0", "-0"}) {
        InboundMessage m;
        std::string text = std::string(R"({"type":"announce","networkName":)") + v + "}";
        ASSERT_EQ(parse_inbound(text, m), ParseStatus::ok);
        EXPECT_EQ(m.network_kind, NetworkField::global) << v;
    }
    for (const char* v : {"5", "true", "{}", "[]", "0.5", "1e3"}) {
        InboundMessage m;
        std::string text = std::string(R"({"type":"announce","networkName":)") + v + "}";
        ASSERT_EQ(parse_inbound(text, m), ParseStatus::ok);
        EXPECT_EQ(m.network_kind, NetworkField::invalid) << v;
    }
}

TEST(Inbound, TargetMustBeAString) {
    InboundMessage m;
    ASSERT_EQ(parse_inbound(R"({"type":"offer","targetPeerId":123})", m), ParseStatus::ok);
    EXPECT_FALSE(m.has_target);
    ASSERT_EQ(parse_inbound(R"({"type":"offer","targetPeerId":"abc"})", m), ParseStatus::ok);
    EXPECT_TRUE(m.has_target);
    EXPECT_EQ(m.target, "abc");
}

TEST(Inbound, LastDuplicateKeyWinsLikeJsonParse) {
    InboundMessage m;
    ASSERT_EQ(parse_inbound(R"({"type":"offer","type":"answer"})", m), ParseStatus::ok);
    EXPECT_EQ(m.type, MessageType::answer);
}
