#include "hub/service_notifier.h"

#include <gtest/gtest.h>

using namespace pigeonhub;

namespace {

constexpr std::int64_t kGrace = 30000;

ServiceState listening(bool dht_ready, std::int64_t unready_for_ms = 0) {
    ServiceState s;
    s.listening = true;
    s.dht_ready = dht_ready;
    s.dht_unready_for_ms = unready_for_ms;
    return s;
}

}  // namespace

TEST(ServiceReady, NeedsTheHttpListener) {
    ServiceState s;
    s.dht_ready = true;
    EXPECT_FALSE(service_ready(s, kGrace));
    s.listening = true;
    EXPECT_TRUE(service_ready(s, kGrace));
}

TEST(ServiceReady, WaitsForTheDhtUntilTheGraceHasPassed) {
    EXPECT_FALSE(service_ready(listening(false, 0), kGrace));
    EXPECT_FALSE(service_ready(listening(false, kGrace - 1), kGrace));
    EXPECT_TRUE(service_ready(listening(false, kGrace), kGrace));
    EXPECT_TRUE(service_ready(listening(true), kGrace));
    ServiceState not_listening = listening(false, kGrace * 2);
    not_listening.listening = false;
    EXPECT_FALSE(service_ready(not_listening, kGrace));
}

TEST(ServiceStatus, CountsAndDhtState) {
    ServiceState s = listening(true);
    s.connections = 12;
    s.peers = 10;
    s.remote_peers = 35;
    EXPECT_EQ(service_status(s, kGrace), "12 connections, 10 peers (35 on other hubs), DHT ready");
    EXPECT_EQ(service_status(listening(false, 1000), kGrace),
              "0 connections, 0 peers (0 on other hubs), DHT connecting");
    EXPECT_EQ(service_status(listening(false, 45000), kGrace),
              "0 connections, 0 peers (0 on other hubs), DHT not ready for 45 s (serving alone)");
    ServiceState starting;
    EXPECT_EQ(service_status(starting, kGrace),
              "not listening, 0 connections, 0 peers (0 on other hubs), DHT connecting");
}

TEST(ServiceNotices, ReadyOnceWithTheStatusThenStatusEveryPeriod) {
    ServiceNotices n({kGrace, 5000, 0});
    ServiceState starting;
    EXPECT_EQ(n.at(starting, 1000), "STATUS=not listening, 0 connections, 0 peers (0 on other hubs), DHT connecting\n");
    EXPECT_EQ(n.next_call_in_ms(), 100);  // polls while starting: READY follows the listener closely
    EXPECT_EQ(n.at(starting, 1100), "");
    EXPECT_EQ(n.at(listening(false, 200), 1200), "");  // listening, DHT still connecting
    EXPECT_EQ(n.at(listening(true), 1300), "READY=1\nSTATUS=0 connections, 0 peers (0 on other hubs), DHT ready\n");
    EXPECT_TRUE(n.ready_sent());
    EXPECT_EQ(n.next_call_in_ms(), 5000);
    EXPECT_EQ(n.at(listening(true), 6299), "");
    EXPECT_EQ(n.at(listening(true), 6300), "STATUS=0 connections, 0 peers (0 on other hubs), DHT ready\n");
    // The DHT going away later never takes READY back (systemd has no such notice); the status says it.
    EXPECT_EQ(n.at(listening(false, 100), 11300), "STATUS=0 connections, 0 peers (0 on other hubs), DHT connecting\n");
}

TEST(ServiceNotices, ReadyAfterTheGraceWithoutTheDht) {
    ServiceNotices n({kGrace, 5000, 0});
    EXPECT_EQ(n.at(listening(false, 29999), 0).find("READY=1"), std::string::npos);
    EXPECT_EQ(n.at(listening(false, 30000), 1).rfind("READY=1\n", 0), 0u);
}

TEST(ServiceNotices, WatchdogAtHalfTheInterval) {
    ServiceNotices n({kGrace, 5000, 2'000'000});  // WATCHDOG_USEC=2 s: ping every second
    ServiceState starting;
    EXPECT_NE(n.at(starting, 0).find("WATCHDOG=1\n"), std::string::npos);  // from the start, ready or not
    EXPECT_EQ(n.next_call_in_ms(), 100);
    EXPECT_EQ(n.at(starting, 999), "");
    EXPECT_EQ(n.at(starting, 1000), "WATCHDOG=1\n");
    n.at(listening(true), 1100);
    EXPECT_EQ(n.next_call_in_ms(), 1000);  // the shorter of the status period and half the watchdog
    EXPECT_EQ(n.at(listening(true), 2000), "WATCHDOG=1\n");
}

TEST(ServiceNotices, StoppingOnceThenOnlyTheWatchdog) {
    ServiceNotices n({kGrace, 5000, 2'000'000});
    n.at(listening(true), 0);
    EXPECT_EQ(n.stopping(), "STOPPING=1\nSTATUS=stopping\n");
    EXPECT_EQ(n.stopping(), "");
    EXPECT_EQ(n.at(listening(true), 100000), "WATCHDOG=1\n");  // a drain keeps the watchdog fed
    ServiceNotices quiet({kGrace, 5000, 0});
    quiet.stopping();
    EXPECT_EQ(quiet.at(listening(true), 0), "");  // neither READY nor STATUS after STOPPING
}
