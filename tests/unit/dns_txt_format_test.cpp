#include "bootstrap/dns_txt_format.h"

#include <gtest/gtest.h>

using namespace pigeonhub;

namespace {

DnsTxtPeer peer_of(std::string_view text) {
    DnsTxtRecord r = parse_dns_txt_record(text);
    EXPECT_EQ(r.status, DnsTxtStatus::peer) << text << ": " << r.error;
    return r.peer;
}

std::string error_of(std::string_view text) {
    DnsTxtRecord r = parse_dns_txt_record(text);
    EXPECT_EQ(r.status, DnsTxtStatus::malformed) << text;
    return r.error;
}

}  // namespace

TEST(DnsTxtFormat, FullRecord) {
    DnsTxtPeer p = peer_of("v=pigeonhub1 u=wss://hub1.example.org/ region=eu-west priority=10 description=Main%20hub");
    EXPECT_EQ(p.u, "wss://hub1.example.org/");
    EXPECT_TRUE(p.is_hub_url);
    EXPECT_EQ(p.region, "eu-west");
    EXPECT_EQ(p.priority, 10);
    EXPECT_EQ(p.description, "Main hub");
}

TEST(DnsTxtFormat, Defaults) {
    DnsTxtPeer p = peer_of("v=pigeonhub1 u=ws://127.0.0.1:3000");
    EXPECT_EQ(p.u, "ws://127.0.0.1:3000");
    EXPECT_TRUE(p.is_hub_url);
    EXPECT_EQ(p.region, "");
    EXPECT_EQ(p.description, "");
    EXPECT_EQ(p.priority, kDnsTxtDefaultPriority);
}

TEST(DnsTxtFormat, HubUrlSchemes) {
    for (const char* u : {"ws://h", "wss://h:443/x?y", "http://10.0.0.1:8080", "https://[2001:db8::1]/",
                          "WSS://H.example", "HTTP://h_1.example"}) {
        DnsTxtPeer p = peer_of(std::string("v=pigeonhub1 u=") + u);
        EXPECT_EQ(p.u, u);
        EXPECT_TRUE(p.is_hub_url) << u;
    }
}

TEST(DnsTxtFormat, DhtNodes) {
    for (const char* u : {"dht.example.org:4222", "192.0.2.1:4222", "[2001:db8::1]:4222", "h:65535"}) {
        DnsTxtPeer p = peer_of(std::string("v=pigeonhub1 u=") + u);
        EXPECT_EQ(p.u, u);
        EXPECT_FALSE(p.is_hub_url) << u;
    }
}

TEST(DnsTxtFormat, BadU) {
    for (const char* u :
         {"dht.example.org", "h:", "h:0", "h:65536", "h:80/path", "2001:db8::1:4222", "[::1]", "ftp://h", "ws://",
          "ws://user@h", "ws://h:99999", "wss://[nope]/", ":4222", "h:4a", "mailto:x@y"}) {
        EXPECT_EQ(error_of(std::string("v=pigeonhub1 u=") + u), "bad u=") << u;
    }
    EXPECT_EQ(error_of("v=pigeonhub1 u=ws://" + std::string(kDnsTxtMaxUrl, 'a')), "bad u=");
}

TEST(DnsTxtFormat, NotOurs) {
    for (const char* t :
         {"", "   ", "v=spf1 -all", "google-site-verification=abc", "v=pigeonhub2 u=ws://h", "v=pigeonhub1x u=ws://h",
          "V=pigeonhub1 u=ws://h", "u=ws://h v=pigeonhub1", "v=pigeonhub1\tu=ws://h"}) {
        DnsTxtRecord r = parse_dns_txt_record(t);
        EXPECT_EQ(r.status, DnsTxtStatus::not_ours) << t;
        EXPECT_EQ(r.error, "");
    }
}

TEST(DnsTxtFormat, Spacing) {
    DnsTxtPeer p = peer_of("  v=pigeonhub1   u=h:1    region=r  ");
    EXPECT_EQ(p.u, "h:1");
    EXPECT_EQ(p.region, "r");
}

TEST(DnsTxtFormat, UnknownKeysIgnored) {
    DnsTxtPeer p = peer_of("v=pigeonhub1 future-key=anything_at_all u=h:1 x_2=%zz");
    EXPECT_EQ(p.u, "h:1");
}

TEST(DnsTxtFormat, Malformed) {
    EXPECT_EQ(error_of("v=pigeonhub1"), "missing u=");
    EXPECT_EQ(error_of("v=pigeonhub1 region=eu"), "missing u=");
    EXPECT_EQ(error_of("v=pigeonhub1 u=h:1 u=h:2"), "duplicate key u");
    EXPECT_EQ(error_of("v=pigeonhub1 u=h:1 v=pigeonhub1"), "duplicate key v");
    EXPECT_EQ(error_of("v=pigeonhub1 u=h:1 zz=1 zz=2"), "duplicate key zz");
    EXPECT_EQ(error_of("v=pigeonhub1 u=h:1 novalue"), "bad token 2");
    EXPECT_EQ(error_of("v=pigeonhub1 u=h:1 empty="), "bad token 2");
    EXPECT_EQ(error_of("v=pigeonhub1 =x u=h:1"), "bad token 1");
    EXPECT_EQ(error_of("v=pigeonhub1 Region=x u=h:1"), "bad token 1");
    EXPECT_EQ(error_of("v=pigeonhub1 " + std::string(33, 'k') + "=1 u=h:1"), "bad token 1");
    EXPECT_EQ(error_of("v=pigeonhub1 u=h:1 region=eu/west"), "bad region");
    EXPECT_EQ(error_of("v=pigeonhub1 u=h:1 region=" + std::string(65, 'r')), "bad region");
    EXPECT_EQ(error_of("v=pigeonhub1 u=h:1 description=a\x01"), "not printable ASCII");
    EXPECT_EQ(error_of("v=pigeonhub1 u=h:1 description=\xc3\xa9"), "not printable ASCII");
    EXPECT_EQ(error_of("v=pigeonhub1 u=h:1 x=" + std::string(kDnsTxtMaxRecord, 'x')), "too long");
}

TEST(DnsTxtFormat, Priority) {
    EXPECT_EQ(peer_of("v=pigeonhub1 u=h:1 priority=0").priority, 0);
    EXPECT_EQ(peer_of("v=pigeonhub1 u=h:1 priority=1000000").priority, 1000000);
    EXPECT_EQ(peer_of("v=pigeonhub1 u=h:1 priority=007").priority, 7);
    for (const char* v : {"1000001", "-1", "+1", "1.5", "x", "99999999", "1e3"}) {
        EXPECT_EQ(error_of(std::string("v=pigeonhub1 u=h:1 priority=") + v), "bad priority") << v;
    }
}

TEST(DnsTxtFormat, Description) {
    EXPECT_EQ(peer_of("v=pigeonhub1 u=h:1 description=a%20b%25c%2Fd").description, "a b%c/d");
    EXPECT_EQ(peer_of("v=pigeonhub1 u=h:1 description=caf%C3%A9").description, "caf\xc3\xa9");
    EXPECT_EQ(peer_of("v=pigeonhub1 u=h:1 description=" + std::string(kDnsTxtMaxDescription, 'd')).description.size(),
              kDnsTxtMaxDescription);
    for (const char* v : {"%", "%2", "%zz", "a%0Ab", "%7F", "%C3", "%ED%A0%80"}) {
        EXPECT_EQ(error_of(std::string("v=pigeonhub1 u=h:1 description=") + v), "bad description") << v;
    }
    EXPECT_EQ(error_of("v=pigeonhub1 u=h:1 description=" + std::string(kDnsTxtMaxDescription + 1, 'd')),
              "bad description");
}

TEST(DnsTxtFormat, Records) {
    DnsTxtPeers r = parse_dns_txt_records({
        "v=spf1 -all",
        "v=pigeonhub1 u=ws://a:1 priority=5",
        "v=pigeonhub1 u=nope",
        "v=pigeonhub1 u=b:2",
    });
    ASSERT_EQ(r.peers.size(), 2u);
    EXPECT_EQ(r.peers[0].u, "ws://a:1");
    EXPECT_EQ(r.peers[0].priority, 5);
    EXPECT_EQ(r.peers[1].u, "b:2");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0], "record 2: bad u=");
    EXPECT_TRUE(parse_dns_txt_records({}).peers.empty());
}

TEST(DnsTxtFormat, Name) {
    EXPECT_EQ(dns_txt_name("example.org"), "_pigeonhub-bootstrap.example.org");
    EXPECT_EQ(dns_txt_name("example.org."), "_pigeonhub-bootstrap.example.org");
}
