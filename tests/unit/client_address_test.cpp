#include "net/client_address.h"

#include <gtest/gtest.h>

#include <random>

using namespace pigeonhub;

namespace {

asio::ip::address ip(const char* s) { return asio::ip::make_address(s); }

CidrList cidrs(const char* s) {
    CidrList l;
    EXPECT_EQ(l.parse(s), "");
    return l;
}

asio::ip::address client(const char* peer, const CidrList& trusted, std::vector<std::string_view> values,
                         ForwardedHeader which = ForwardedHeader::x_forwarded_for, bool* used = nullptr) {
    return client_address(ip(peer), trusted, which, values, used);
}

}  // namespace

TEST(ClientAddress, ParsesHops) {
    EXPECT_EQ(parse_hop("1.2.3.4"), ip("1.2.3.4"));
    EXPECT_EQ(parse_hop(" 1.2.3.4:8080 "), ip("1.2.3.4"));
    EXPECT_EQ(parse_hop("2001:db8::1"), ip("2001:db8::1"));
    EXPECT_EQ(parse_hop("[2001:db8::1]"), ip("2001:db8::1"));
    EXPECT_EQ(parse_hop("\"[2001:db8::1]:443\""), ip("2001:db8::1"));
    for (const char* bad : {"", "unknown", "_hidden", "1.2.3", "1.2.3.4:", "1.2.3.4:99999", "[1.2.3.4]", "[::1",
                            "[::1]x", "fe80::1%eth0", "example.org", "1.2.3.4 5.6.7.8", "\"", "::1:80:"})
        EXPECT_FALSE(parse_hop(bad).has_value()) << bad;
}

TEST(ClientAddress, KeysGroupIpv6By64AndUnmapIpv4) {
    EXPECT_EQ(address_key(ip("2001:db8:1:2::1")), address_key(ip("2001:db8:1:2:ffff::9")));
    EXPECT_NE(address_key(ip("2001:db8:1:2::1")), address_key(ip("2001:db8:1:3::1")));
    EXPECT_EQ(address_key(ip("::ffff:10.0.0.1")), address_key(ip("10.0.0.1")));
    EXPECT_NE(address_key(ip("10.0.0.1")), address_key(ip("10.0.0.2")));
    EXPECT_EQ(address_key(ip("10.0.0.1")).to_string(), "10.0.0.1");
    EXPECT_EQ(address_key(ip("2001:db8:1:2::1")).to_string(), "2001:db8:1:2::/64");
}

TEST(ClientAddress, CidrMatch) {
    CidrList l = cidrs("10.0.0.0/8, 192.168.1.7 ,fd00::/8,2001:db8::/33, 172.16.0.0/12");
    EXPECT_TRUE(l.contains(ip("10.255.1.2")));
    EXPECT_TRUE(l.contains(ip("::ffff:10.1.1.1")));  // a dual-stack socket's view of an IPv4 peer
    EXPECT_FALSE(l.contains(ip("11.0.0.1")));
    EXPECT_TRUE(l.contains(ip("192.168.1.7")));
    EXPECT_FALSE(l.contains(ip("192.168.1.8")));
    EXPECT_TRUE(l.contains(ip("fdab::1")));
    EXPECT_TRUE(l.contains(ip("2001:db8:7fff::1")));
    EXPECT_FALSE(l.contains(ip("2001:db8:8000::1")));
    EXPECT_TRUE(l.contains(ip("172.31.255.255")));
    EXPECT_FALSE(l.contains(ip("172.32.0.0")));
    EXPECT_FALSE(l.contains(ip("::a00:1")));  // ::10.0.0.1 (IPv4-compatible) is not 10.0.0.1
    EXPECT_TRUE(cidrs("0.0.0.0/0").contains(ip("8.8.8.8")));
    EXPECT_FALSE(cidrs("0.0.0.0/0").contains(ip("2001:db8::1")));
    EXPECT_TRUE(cidrs("::/0").contains(ip("2001:db8::1")));
    EXPECT_TRUE(cidrs("").empty());
    CidrList bad;
    EXPECT_NE(bad.parse("10.0.0.0/33"), "");
    EXPECT_NE(bad.parse("10.0.0.0/"), "");
    EXPECT_NE(bad.parse("10.0.0.0/x"), "");
    EXPECT_NE(bad.parse("host.example"), "");
    EXPECT_NE(bad.parse("::/129"), "");
}

TEST(ClientAddress, XForwardedForHops) {
    auto hops = x_forwarded_for_hops(" a, b ,c,, ");
    ASSERT_EQ(hops.size(), 5u);
    EXPECT_EQ(hops[0], "a");
    EXPECT_EQ(hops[2], "c");
    EXPECT_EQ(hops[3], "");
}

TEST(ClientAddress, ForwardedHops) {
    auto hops = forwarded_for_hops(R"(for=192.0.2.60;proto=http;by=203.0.113.43, For="[2001:db8:cafe::17]:4711", proto=https)");
    ASSERT_EQ(hops.size(), 3u);
    EXPECT_EQ(hops[0], "192.0.2.60");
    EXPECT_EQ(parse_hop(hops[1]), ip("2001:db8:cafe::17"));
    EXPECT_EQ(hops[2], "");  // an element without for=
    hops = forwarded_for_hops(R"(for="a,b;c";by=x, for=1.2.3.4)");  // separators inside quotes
    ASSERT_EQ(hops.size(), 2u);
    EXPECT_EQ(hops[1], "1.2.3.4");
    hops = forwarded_for_hops(R"(for="unterminated, for=1.2.3.4)");
    EXPECT_EQ(hops.size(), 1u);
}

TEST(ClientAddress, RightmostUntrustedHop) {
    const CidrList proxies = cidrs("10.0.0.0/8");
    bool used = false;
    // From the proxy: the client it saw (rightmost), not what the client claimed before it (leftmost).
    EXPECT_EQ(client("10.0.0.1", proxies, {"6.6.6.6, 1.2.3.4"}, ForwardedHeader::x_forwarded_for, &used), ip("1.2.3.4"));
    EXPECT_TRUE(used);
    // Two trusted proxies in a row.
    EXPECT_EQ(client("10.0.0.1", proxies, {"6.6.6.6, 1.2.3.4, 10.0.0.2"}), ip("1.2.3.4"));
    // Several header fields read as one list, in order.
    EXPECT_EQ(client("10.0.0.1", proxies, {"6.6.6.6", "1.2.3.4"}), ip("1.2.3.4"));
    // From a peer that is not trusted: the header is ignored.
    EXPECT_EQ(client("5.5.5.5", proxies, {"1.2.3.4"}, ForwardedHeader::x_forwarded_for, &used), ip("5.5.5.5"));
    EXPECT_FALSE(used);
    // Garbage at the right ends the walk at the last trusted hop: the proxy itself.
    EXPECT_EQ(client("10.0.0.1", proxies, {"1.2.3.4, garbage"}), ip("10.0.0.1"));
    EXPECT_EQ(client("10.0.0.1", proxies, {"1.2.3.4, 10.0.0.9, unknown"}), ip("10.0.0.1"));
    EXPECT_EQ(client("10.0.0.1", proxies, {"unknown, 10.0.0.9"}), ip("10.0.0.9"));
    // Only trusted hops: the leftmost.
    EXPECT_EQ(client("10.0.0.1", proxies, {"10.0.0.3, 10.0.0.2"}), ip("10.0.0.3"));
    EXPECT_EQ(client("10.0.0.1", proxies, {}), ip("10.0.0.1"));
    EXPECT_EQ(client("10.0.0.1", proxies, {""}), ip("10.0.0.1"));
    // Forwarded.
    EXPECT_EQ(client("10.0.0.1", proxies, {R"(for=6.6.6.6, for="[2001:db8::5]:1")"}, ForwardedHeader::forwarded),
              ip("2001:db8::5"));
    EXPECT_EQ(client("10.0.0.1", proxies, {"for=_hidden"}, ForwardedHeader::forwarded), ip("10.0.0.1"));
}

// Random bytes in every parser: no crash, and the answer is the peer or an address of the header.
TEST(ClientAddress, GarbageNeverCrashes) {
    std::mt19937 rng(15);
    const CidrList proxies = cidrs("10.0.0.0/8");
    const std::string alphabet = "0123456789abcdef.:[]\",; =_forFOR\\%x\t";
    for (int i = 0; i < 20000; ++i) {
        std::string s(rng() % 64, ' ');
        for (char& c : s) c = (i % 3 == 0) ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
        (void)parse_hop(s);
        CidrList l;
        (void)l.parse(s);
        for (auto which : {ForwardedHeader::x_forwarded_for, ForwardedHeader::forwarded})
            (void)client_address(ip("10.0.0.1"), proxies, which, {s});
    }
}
