#include "util/url.h"

#include <gtest/gtest.h>

using namespace pigeonhub;

TEST(Url, QueryParamAndTargetPath) {
    EXPECT_EQ(query_param("/x?a=1&peerId=b%20c+d", "peerId"), "b c d");
    EXPECT_EQ(query_param("/x?a=1", "b"), std::nullopt);
    EXPECT_EQ(target_path("/health?x=1"), "/health");
}

TEST(Url, SplitsHttpUrls) {
    auto u = parse_http_url("http://hub.example:8080/api/replicate?x=1#frag");
    ASSERT_TRUE(u);
    EXPECT_FALSE(u->https);
    EXPECT_EQ(u->host, "hub.example");
    EXPECT_EQ(u->port, 8080);
    EXPECT_EQ(u->target, "/api/replicate?x=1");

    u = parse_http_url("HTTP://10.0.0.1");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "10.0.0.1");
    EXPECT_EQ(u->port, 80);
    EXPECT_EQ(u->target, "/");

    u = parse_http_url("http://[::1]:3000");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "::1");
    EXPECT_EQ(u->port, 3000);
    EXPECT_EQ(u->target, "/");

    u = parse_http_url("http://[2001:db8::1]/p");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "2001:db8::1");
    EXPECT_EQ(u->port, 80);

    u = parse_http_url("https://hub.example/");
    ASSERT_TRUE(u);
    EXPECT_TRUE(u->https);
    EXPECT_EQ(u->port, 443);

    u = parse_http_url("http://h:?q");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->port, 80) << "an empty port is the default";
    EXPECT_EQ(u->target, "/?q");
}

TEST(Url, RefusesWhatCannotGoOnTheWire) {
    for (const char* bad : {"",
                            "ftp://h/",
                            "ws://h/",
                            "http://",
                            "http:///p",
                            "http://u:p@h/",
                            "http://h:0/",
                            "http://h:65536/",
                            "http://h:80a/",
                            "http://h:123456/",
                            "http://[::1/",
                            "http://[nope]/",
                            "http://[::1]x/",
                            "http://[fe80::1%25eth0]/",
                            "http://h/a b",
                            "http://h/a\r\nX: y",
                            "http://h\x7f/",
                            "http://h\xc3\xa9.example/",
                            "http://h%41/",
                            "http://h!/"}) {
        EXPECT_EQ(parse_http_url(bad), std::nullopt) << bad;
    }
}

TEST(Url, SplitsHostAndPort) {
    auto hp = parse_host_port("hub.example:4222");
    ASSERT_TRUE(hp);
    EXPECT_EQ(hp->host, "hub.example");
    EXPECT_EQ(hp->port, 4222);
    hp = parse_host_port("[2001:db8::1]:1");
    ASSERT_TRUE(hp);
    EXPECT_EQ(hp->host, "2001:db8::1");
    EXPECT_EQ(hp->port, 1);
    EXPECT_EQ(parse_host_port("hub")->port, 0);
    EXPECT_EQ(parse_host_port("hub:")->port, 0);
    EXPECT_EQ(parse_host_port("[::1]")->port, 0);
    EXPECT_FALSE(parse_host_port(""));
    EXPECT_FALSE(parse_host_port(":1"));
    EXPECT_FALSE(parse_host_port("hub:0"));
    EXPECT_FALSE(parse_host_port("hub:65536"));
    EXPECT_FALSE(parse_host_port("hub:1:2"));
    EXPECT_FALSE(parse_host_port("[::1"));
    EXPECT_FALSE(parse_host_port("[::1]x"));
    EXPECT_FALSE(parse_host_port("[hub]:1"));
    EXPECT_FALSE(parse_host_port("a@hub:1"));
    EXPECT_FALSE(parse_host_port("h\xc3\xa9:1"));
    // Found by url_fuzz: inet_pton stopped at a NUL inside the brackets and let the bytes after it through.
    EXPECT_FALSE(parse_host_port(std::string_view("[::1\0z\x90" "1]:444", 13)));
    EXPECT_FALSE(parse_host_port("[::1%eth0]:1"));
    EXPECT_TRUE(parse_host_port("[::ffff:127.0.0.1]:1"));
}

TEST(Url, HubUrlsMayBeWebSocketUrls) {
    EXPECT_TRUE(is_http_or_ws_url("wss://hub.example/"));
    EXPECT_TRUE(is_http_or_ws_url("WS://hub.example:8080/path?q=1"));
    EXPECT_TRUE(is_http_or_ws_url("https://[::1]:3000"));
    EXPECT_TRUE(is_http_or_ws_url("http://hub"));
    EXPECT_FALSE(is_http_or_ws_url(""));
    EXPECT_FALSE(is_http_or_ws_url("ftp://hub"));
    EXPECT_FALSE(is_http_or_ws_url("wss://"));
    EXPECT_FALSE(is_http_or_ws_url("wss://user@hub"));
    EXPECT_FALSE(is_http_or_ws_url("wss://hub/a b"));
    EXPECT_FALSE(is_http_or_ws_url("hub.example"));
}
