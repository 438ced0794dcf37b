#include "net/ws_handshake.h"
#include "util/url.h"

#include <gtest/gtest.h>

using namespace pigeonhub;

TEST(WsHandshake, AcceptKeyFromRfc6455) {
    EXPECT_EQ(websocket_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsHandshake, KeyValidation) {
    EXPECT_TRUE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ=="));
    EXPECT_FALSE(is_valid_websocket_key(""));
    EXPECT_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ="));
    EXPECT_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZ!=="));
    EXPECT_FALSE(is_valid_websocket_key("dGhlIHNhbXBsZSBub25jZR=="));  // 17th byte bits set
}

TEST(WsHandshake, HeaderTokens) {
    EXPECT_TRUE(header_has_token("keep-alive, Upgrade", "upgrade"));
    EXPECT_TRUE(header_has_token("WebSocket", "websocket"));
    EXPECT_FALSE(header_has_token("websocketx", "websocket"));
    EXPECT_FALSE(header_has_token("", "websocket"));
}

TEST(WsHandshake, QueryParamLikeUrlSearchParams) {
    EXPECT_EQ(query_param("/?peerId=abc", "peerId"), "abc");
    EXPECT_EQ(query_param("/x/y?foo=1&peerId=%61b+c&peerId=zzz", "peerId"), "ab c");
    EXPECT_EQ(query_param("/?peerId", "peerId"), "");
    EXPECT_EQ(query_param("/?a=1", "peerId"), std::nullopt);
    EXPECT_EQ(query_param("/nothing", "peerId"), std::nullopt);
    EXPECT_EQ(query_param("/?%70eerId=q#frag", "peerId"), "q");
    EXPECT_EQ(query_param("/?peerId=%zz%4", "peerId"), "%zz%4");
}

TEST(WsHandshake, TargetPath) {
    EXPECT_EQ(target_path("/health?x=1"), "/health");
    EXPECT_EQ(target_path("/health#a"), "/health");
    EXPECT_EQ(target_path("/"), "/");
}
