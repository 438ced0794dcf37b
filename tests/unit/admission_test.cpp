#include "net/admission.h"

#include <gtest/gtest.h>

using namespace pigeonhub;

namespace {

using V = AdmissionTable::Verdict;

AddressKey key(const char* s) { return address_key(asio::ip::make_address(s)); }

AdmissionOptions options() {
    AdmissionOptions o;
    o.max_ws_per_address = 2;
    o.max_http_per_address = 2;
    o.new_connection_rate = 10;
    o.new_connection_burst = 3;
    o.rest_rate = 2;
    o.rest_burst = 2;
    o.max_tracked_addresses = 4;
    return o;
}

}  // namespace

TEST(Admission, WebSocketCapPerAddress) {
    AdmissionStats stats;
    AdmissionTable t(options(), &stats);
    EXPECT_EQ(t.acquire_ws(key("127.0.0.1"), 0), V::ok);
    EXPECT_EQ(t.acquire_ws(key("127.0.0.1"), 0), V::ok);
    EXPECT_EQ(t.acquire_ws(key("127.0.0.1"), 0), V::cap);
    EXPECT_EQ(t.acquire_ws(key("127.0.0.2"), 0), V::ok);  // another address is not affected
    EXPECT_EQ(stats.ws_cap, 1u);
    t.release_ws(key("127.0.0.1"), 0);
    EXPECT_EQ(t.acquire_ws(key("127.0.0.1"), 0), V::ok);
    EXPECT_EQ(t.ws_open(key("127.0.0.1")), 2u);
}

TEST(Admission, HttpCapPerAddress) {
    AdmissionStats stats;
    AdmissionTable t(options(), &stats);
    EXPECT_EQ(t.acquire_http(key("::1"), 0), V::ok);
    EXPECT_EQ(t.acquire_http(key("::1"), 0), V::ok);
    EXPECT_EQ(t.acquire_http(key("::1"), 0), V::cap);
    EXPECT_EQ(stats.http_cap, 1u);
    t.release_http(key("::1"), 0);
    EXPECT_EQ(t.http_open(key("::1")), 1u);
    t.release_http(key("::1"), 0);
    t.release_http(key("::1"), 0);  // one release too many changes nothing
    EXPECT_EQ(t.http_open(key("::1")), 0u);
    EXPECT_EQ(t.size(), 0u);  // nothing open and no rate history: freed at once
}

TEST(Admission, NewConnectionBucket) {
    AdmissionStats stats;
    AdmissionTable t(options(), &stats);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(t.new_connection(key("1.2.3.4"), 1000), V::ok) << i;  // the burst
    EXPECT_EQ(t.new_connection(key("1.2.3.4"), 1000), V::rate);
    EXPECT_EQ(t.new_connection(key("1.2.3.4"), 1099), V::rate);
    EXPECT_EQ(t.new_connection(key("1.2.3.4"), 1100), V::ok);  // 10/s: one token per 100 ms
    EXPECT_EQ(stats.connection_rate, 2u);
    EXPECT_EQ(t.new_connection(key("1.2.3.5"), 1100), V::ok);
}

TEST(Admission, RestBucketSaysWhenToRetry) {
    AdmissionStats stats;
    AdmissionTable t(options(), &stats);
    std::uint32_t retry = 0;
    EXPECT_EQ(t.rest_request(key("1.2.3.4"), 0, &retry), V::ok);
    EXPECT_EQ(t.rest_request(key("1.2.3.4"), 0, &retry), V::ok);
    EXPECT_EQ(t.rest_request(key("1.2.3.4"), 0, &retry), V::rate);
    EXPECT_EQ(retry, 1u);
    EXPECT_EQ(t.rest_request(key("1.2.3.4"), 500, &retry), V::ok);
    EXPECT_EQ(stats.rest_rate, 1u);
}

TEST(Admission, ZeroMeansNoLimit) {
    AdmissionOptions o;
    o.max_ws_per_address = o.max_http_per_address = o.new_connection_rate = o.rest_rate = 0;
    AdmissionTable t(o, nullptr);
    for (int i = 0; i < 1000; ++i) {
        EXPECT_EQ(t.acquire_ws(key("127.0.0.1"), 0), V::ok);
        EXPECT_EQ(t.acquire_http(key("127.0.0.1"), 0), V::ok);
        EXPECT_EQ(t.new_connection(key("127.0.0.1"), 0), V::ok);
        EXPECT_EQ(t.rest_request(key("127.0.0.1"), 0, nullptr), V::ok);
    }
}

TEST(Admission, EntriesFreedOnceIdleAndRefilled) {
    AdmissionStats stats;
    AdmissionTable t(options(), &stats);
    EXPECT_EQ(t.new_connection(key("1.2.3.4"), 0), V::ok);
    EXPECT_EQ(t.acquire_http(key("1.2.3.4"), 0), V::ok);
    t.release_http(key("1.2.3.4"), 0);
    EXPECT_EQ(t.size(), 1u);  // the bucket is not full yet: the entry stays
    t.sweep(50);
    EXPECT_EQ(t.size(), 1u);
    t.sweep(100);  // one token back at 10/s: full
    EXPECT_EQ(t.size(), 0u);
    EXPECT_EQ(stats.addresses, 0u);
}

TEST(Admission, BoundEvictsTheLongestIdleThenRefuses) {
    AdmissionStats stats;
    AdmissionTable t(options(), &stats);  // 4 entries at most
    // Two idle entries with rate history, then two with something open.
    EXPECT_EQ(t.new_connection(key("10.0.0.1"), 0), V::ok);
    EXPECT_EQ(t.new_connection(key("10.0.0.2"), 0), V::ok);
    EXPECT_EQ(t.acquire_ws(key("10.0.0.3"), 0), V::ok);
    EXPECT_EQ(t.acquire_ws(key("10.0.0.4"), 0), V::ok);
    EXPECT_EQ(t.size(), 4u);
    // A fifth address evicts the longest idle (10.0.0.1): its rate history is lost.
    EXPECT_EQ(t.acquire_ws(key("10.0.0.5"), 0), V::ok);
    EXPECT_EQ(stats.evicted, 1u);
    EXPECT_EQ(t.size(), 4u);
    EXPECT_EQ(t.acquire_ws(key("10.0.0.6"), 0), V::ok);  // evicts 10.0.0.2
    EXPECT_EQ(stats.evicted, 2u);
    // Every entry has something open: a new address is refused, the known ones still work.
    EXPECT_EQ(t.acquire_ws(key("10.0.0.7"), 0), V::table_full);
    EXPECT_EQ(t.new_connection(key("10.0.0.7"), 0), V::table_full);
    EXPECT_EQ(stats.table_full, 2u);
    EXPECT_EQ(t.acquire_ws(key("10.0.0.3"), 0), V::ok);
    // Once one closes, the new address gets in.
    t.release_ws(key("10.0.0.4"), 0);
    EXPECT_EQ(t.acquire_ws(key("10.0.0.7"), 0), V::ok);
    EXPECT_LE(t.size(), 4u);
}

TEST(Admission, Ipv6ClientsShareTheir64) {
    AdmissionTable t(options(), nullptr);
    EXPECT_EQ(t.acquire_ws(key("2001:db8:1:2::1"), 0), V::ok);
    EXPECT_EQ(t.acquire_ws(key("2001:db8:1:2::2"), 0), V::ok);
    EXPECT_EQ(t.acquire_ws(key("2001:db8:1:2::3"), 0), V::cap);
    EXPECT_EQ(t.acquire_ws(key("2001:db8:1:3::1"), 0), V::ok);
}

TEST(Admission, AClockSteppedBackNeitherRefillsNorDrains) {
    AdmissionTable t(options(), nullptr);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(t.new_connection(key("1.2.3.4"), 10000), V::ok);
    EXPECT_EQ(t.new_connection(key("1.2.3.4"), 5000), V::rate);   // 5 s back: no token appears
    EXPECT_EQ(t.new_connection(key("1.2.3.4"), 10100), V::ok);   // and 100 ms after the latest time gives one
}
