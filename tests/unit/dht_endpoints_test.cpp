#include "bootstrap/dht_endpoints.h"

#include <gtest/gtest.h>

using namespace pigeonhub::bootstrap;

using Endpoints = std::vector<std::string>;

TEST(DhtEndpoints, ChecksAnEndpoint) {
    EXPECT_EQ(dht_endpoint("hub.example.org", 4222), "hub.example.org:4222");
    EXPECT_EQ(dht_endpoint("hub.example.org:5000", 4222), "hub.example.org:5000");
    EXPECT_EQ(dht_endpoint("203.0.113.7", 4222), "203.0.113.7:4222");
    EXPECT_EQ(dht_endpoint("[2001:db8::1]", 4222), "[2001:db8::1]:4222");
    EXPECT_EQ(dht_endpoint("[2001:db8::1]:1", 4222), "[2001:db8::1]:1");
    EXPECT_EQ(dht_endpoint("hub:65535", 0), "hub:65535");

    EXPECT_EQ(dht_endpoint("hub", 0), std::nullopt);  // no port anywhere
    EXPECT_EQ(dht_endpoint("hub:0", 4222), std::nullopt);
    EXPECT_EQ(dht_endpoint("hub:65536", 4222), std::nullopt);
    EXPECT_EQ(dht_endpoint("hub:-1", 4222), std::nullopt);
    EXPECT_EQ(dht_endpoint("hub:42x", 4222), std::nullopt);
    EXPECT_EQ(dht_endpoint("", 4222), std::nullopt);
    EXPECT_EQ(dht_endpoint(":4222", 4222), std::nullopt);
    EXPECT_EQ(dht_endpoint("2001:db8::1", 4222), std::nullopt);  // IPv6 needs its brackets
    EXPECT_EQ(dht_endpoint("[fe80::1%eth0]:4222", 4222), std::nullopt);
    EXPECT_EQ(dht_endpoint("user@hub:4222", 4222), std::nullopt);
    EXPECT_EQ(dht_endpoint("hub :4222", 4222), std::nullopt);
    EXPECT_EQ(dht_endpoint("udp://hub:4222", 4222), std::nullopt);
    EXPECT_EQ(dht_endpoint("hub:4222/x", 4222), std::nullopt);
    // Unspecified addresses are for binding, never for dialing.
    EXPECT_EQ(dht_endpoint("0.0.0.0:4222", 4222), std::nullopt);
    EXPECT_EQ(dht_endpoint("[::]:4222", 4222), std::nullopt);
    EXPECT_EQ(dht_endpoint("[0:0::0]", 4222), std::nullopt);
}

TEST(DhtEndpoints, IsAnEndpointOnlyWhenWrittenAsOne) {
    EXPECT_TRUE(is_dht_endpoint("hub.example.org:4222"));
    EXPECT_TRUE(is_dht_endpoint("[::1]:4222"));
    EXPECT_TRUE(is_dht_endpoint("Hub.Example:1"));
    EXPECT_FALSE(is_dht_endpoint("hub.example.org"));
    EXPECT_FALSE(is_dht_endpoint("hub.example.org:"));
    EXPECT_FALSE(is_dht_endpoint("hub:04222"));
    EXPECT_FALSE(is_dht_endpoint("0.0.0.0:4222"));
}

TEST(DhtEndpoints, PublicAddressWinsAndTakesTheBoundPortByDefault) {
    EXPECT_EQ(default_dht_endpoints("0.0.0.0", 4222, "hub.example.org"), Endpoints{"hub.example.org:4222"});
    EXPECT_EQ(default_dht_endpoints("10.0.0.5", 4222, "198.51.100.9:14222"), Endpoints{"198.51.100.9:14222"});
    EXPECT_EQ(default_dht_endpoints("0.0.0.0", 4222, "[2001:db8::2]"), Endpoints{"[2001:db8::2]:4222"});
    // A public address with a port works even when the DHT bound any free port (DHT_PORT 0).
    EXPECT_EQ(default_dht_endpoints("0.0.0.0", 0, "hub:4222"), Endpoints{"hub:4222"});
    EXPECT_EQ(default_dht_endpoints("0.0.0.0", 0, "hub"), Endpoints{});
    // Malformed: nothing (the configuration check is dht_endpoint's).
    EXPECT_EQ(default_dht_endpoints("10.0.0.5", 4222, "hub:99999"), Endpoints{});
    EXPECT_EQ(default_dht_endpoints("10.0.0.5", 4222, "0.0.0.0"), Endpoints{});
}

TEST(DhtEndpoints, OtherwiseTheBindAddressUnlessItIsUnspecified) {
    EXPECT_EQ(default_dht_endpoints("10.0.0.5", 4222, ""), Endpoints{"10.0.0.5:4222"});
    EXPECT_EQ(default_dht_endpoints("127.0.0.1", 40001, ""), Endpoints{"127.0.0.1:40001"});
    EXPECT_EQ(default_dht_endpoints("::1", 4222, ""), Endpoints{"[::1]:4222"});
    EXPECT_EQ(default_dht_endpoints("0.0.0.0", 4222, ""), Endpoints{});
    EXPECT_EQ(default_dht_endpoints("::", 4222, ""), Endpoints{});
    EXPECT_EQ(default_dht_endpoints("", 4222, ""), Endpoints{});
    EXPECT_EQ(default_dht_endpoints("10.0.0.5", 0, ""), Endpoints{});  // port not bound yet
}
