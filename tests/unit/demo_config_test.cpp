#include "api/demo_config.h"

#include <gtest/gtest.h>

#include <string>

namespace pigeonhub {
namespace {

TEST(DemoConfig, NoServersByDefault) {
    auto s = parse_ice_servers("", nullptr);
    ASSERT_TRUE(s.has_value());
    EXPECT_TRUE(s->empty());
    EXPECT_EQ(demo_config_reply(*s).body, R"({"iceServers":[]})");
    EXPECT_TRUE(parse_ice_servers("  ", nullptr)->empty());
}

TEST(DemoConfig, StunAndTurnWithCredentials) {
    std::string error;
    auto s = parse_ice_servers("stun:stun.example.org:3478, turn:demo:s3cr:et@turn.example.org:3478?transport=udp,"
                               "turns:turn.example.org:5349,stuns:[2001:db8::1]:5349",
                               &error);
    ASSERT_TRUE(s.has_value()) << error;
    ASSERT_EQ(s->size(), 4u);
    EXPECT_EQ((*s)[0].url, "stun:stun.example.org:3478");
    EXPECT_EQ((*s)[1].url, "turn:turn.example.org:3478?transport=udp");
    EXPECT_EQ((*s)[1].username, "demo");
    EXPECT_EQ((*s)[1].credential, "s3cr:et");
    EXPECT_EQ((*s)[2].username, "");
    EXPECT_EQ((*s)[3].url, "stuns:[2001:db8::1]:5349");
    const HttpReply r = demo_config_reply(*s);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(r.body,
              R"({"iceServers":[{"urls":"stun:stun.example.org:3478"},)"
              R"({"urls":"turn:turn.example.org:3478?transport=udp","username":"demo","credential":"s3cr:et"},)"
              R"({"urls":"turns:turn.example.org:5349"},{"urls":"stuns:[2001:db8::1]:5349"}]})");
}

TEST(DemoConfig, MalformedListsAreRefusedWithAReason) {
    for (const char* bad : {"http://stun.example.org", "stun.example.org:3478", "stun:", "turn:?x=1", "stun:a,,stun:b",
                            "stun:a,", ",stun:a", "stun:user:pw@host", "turn:@host", "turn:user@host",
                            "turn::pw@host", "stun:a b", "stun:a\"b", "stun:a\\b", "stun:a\x01"}) {
        std::string error;
        EXPECT_FALSE(parse_ice_servers(bad, &error).has_value()) << bad;
        EXPECT_FALSE(error.empty()) << bad;
    }
}

TEST(DemoConfig, BoundedInCountAndLength) {
    std::string list;
    for (std::size_t i = 0; i < kMaxIceServers; ++i) list += (i ? "," : "") + std::string("stun:h") + std::to_string(i);
    EXPECT_TRUE(parse_ice_servers(list, nullptr).has_value());
    std::string error;
    EXPECT_FALSE(parse_ice_servers(list + ",stun:one-more", &error).has_value());
    EXPECT_NE(error.find("more than"), std::string::npos) << error;
    EXPECT_FALSE(parse_ice_servers("stun:" + std::string(kMaxIceServerLength, 'a'), nullptr).has_value());
}

}  // namespace
}  // namespace pigeonhub
