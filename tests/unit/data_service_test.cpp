// DataService on the in-memory DHT: publish on one hub, find on another; a DHT without nodes, then catching up;
// forged values on the DHT never returned. (HTTP replication and the HTTP routes: tests/integration/data.test.mjs.)
#include "data/data_service.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "data/data_lifetime.h"
#include "data/replicator.h"
#include "fake_dht.h"
#include "net/http_client.h"

using namespace pigeonhub;
using pigeonhub::testing::FakeDht;
using pigeonhub::testing::FakeDhtNet;

namespace {

struct TestHub {
    TestHub(FakeDhtNet& net, asio::io_context& io, char c)
        : dht(net.node(std::string(40, c))),
          http(io),
          replicator(io, http),
          service(io, DataService::Options{"data-test", ::testing::TempDir() + "/pigeonhub-data-" + c, {}, {}}, *dht,
                  replicator, {}, [&net] { return 1'700'000'000'000 + net.now_ms(); }) {
        std::remove((::testing::TempDir() + "/pigeonhub-data-" + c + "/data-records.jsonl").c_str());
        service.start();
    }
    ~TestHub() { service.stop(); }

    DataReply call(const std::function<void(DataService::Respond)>& fn, FakeDhtNet& net) {
        DataReply got{0, ""};
        fn([&](DataReply r) { got = std::move(r); });
        net.settle(3000);
        return got;
    }

    std::unique_ptr<FakeDht> dht;
    HttpClient http;
    Replicator replicator;
    DataService service;
};

class DataServiceTest : public ::testing::Test {
protected:
    DataReply publish(TestHub& h, const std::string& body) {
        return h.call([&](DataService::Respond r) { h.service.publish(body, r); }, net);
    }
    DataReply find(TestHub& h, const std::string& topic) {
        return h.call([&](DataService::Respond r) { h.service.find(topic, r); }, net);
    }
    asio::io_context io;
    FakeDhtNet net{io};
};

}  // namespace

TEST_F(DataServiceTest, PublishedOnOneFoundOnAnother) {
    TestHub a(net, io, 'a'), b(net, io, 'b');
    auto p = publish(a, R"({"topic":"t","data":{"x": 1.50},"ttl":60})");
    ASSERT_EQ(p.status, 201) << p.body;
    EXPECT_NE(p.body.find(R"("data":{"x":1.5})"), std::string::npos) << p.body;
    auto f = find(b, "t");
    ASSERT_EQ(f.status, 200);
    EXPECT_NE(f.body.find(R"("x":1.5)"), std::string::npos) << f.body;
    EXPECT_EQ(b.service.stats().records, 1u) << "what a find brings is kept";
    // Expired: gone everywhere.
    net.advance(61000);
    a.service.tick();
    b.service.tick();
    EXPECT_EQ(find(b, "t").body, R"({"topic":"t","records":[]})");
    EXPECT_EQ(a.service.stats().records, 0u);
}

TEST_F(DataServiceTest, ADhtWithoutNodesCatchesUpLater) {
    TestHub a(net, io, 'a'), b(net, io, 'b');
    a.dht->good_nodes_ = 0;
    ASSERT_EQ(publish(a, R"({"topic":"later","data":1})").status, 201) << "the reply never waits for the DHT";
    EXPECT_EQ(a.service.stats().unsent, 1u);
    EXPECT_EQ(find(b, "later").body, R"({"topic":"later","records":[]})");
    a.dht->good_nodes_ = 3;
    a.service.tick();
    net.settle();
    EXPECT_EQ(a.service.stats().unsent, 0u);
    EXPECT_NE(find(b, "later").body.find(R"("data":1)"), std::string::npos);
}

TEST_F(DataServiceTest, ForgedValuesOnTheDhtAreNeverReturned) {
    TestHub a(net, io, 'a'), b(net, io, 'b');
    auto p = publish(a, R"({"topic":"f","data":{"amount":10}})");
    ASSERT_EQ(p.status, 201);
    std::string forged = p.body;
    forged.replace(forged.find("10"), 2, "99");
    forged.replace(forged.find(R"("verified":true)") - 1, 16, "");
    a.dht->put_data("pigeonhub/data-test/data/f", forged, std::chrono::minutes(1), {});
    a.dht->put_data("pigeonhub/data-test/data/f", "not even JSON", std::chrono::minutes(1), {});
    net.settle();
    auto f = find(b, "f");
    EXPECT_NE(f.body.find(R"("amount":10)"), std::string::npos) << f.body;
    EXPECT_EQ(f.body.find(R"("amount":99)"), std::string::npos) << f.body;
    EXPECT_GE(b.service.stats().bad_signatures, 1u);
}

TEST(DataLifetime, TheShortestClassCoveringWhatIsLeft) {
    using namespace std::chrono;
    EXPECT_EQ(data::lifetime_class(milliseconds(0)).lifetime, minutes(10));
    EXPECT_EQ(data::lifetime_class(seconds(120)).lifetime, minutes(10));
    EXPECT_EQ(data::lifetime_class(minutes(10)).lifetime, minutes(10));
    EXPECT_EQ(data::lifetime_class(minutes(10) + milliseconds(1)).lifetime, hours(1));
    EXPECT_EQ(data::lifetime_class(hours(2)).lifetime, hours(6));
    EXPECT_EQ(data::lifetime_class(hours(24)).lifetime, hours(24));
    EXPECT_EQ(data::lifetime_class(hours(24) + minutes(5)).lifetime, hours(24)) << "a signed record's clock skew";
    EXPECT_EQ(data::kLifetimeClasses.back().lifetime, seconds(data::kMaxTtlSeconds));
    for (std::size_t i = 1; i < data::kLifetimeClasses.size(); ++i)
        EXPECT_LT(data::kLifetimeClasses[i - 1].lifetime, data::kLifetimeClasses[i].lifetime);
}

// Storage keeps a record's value for the class of its TTL, not the longest: one with a 2-minute TTL is gone from
// the DHT after 10 minutes, one with a 2-hour TTL is still there (the soak's drift: BENCHMARKS.md).
TEST_F(DataServiceTest, StorageKeepsARecordForItsLifetimeClassOnly) {
    TestHub a(net, io, 'a');
    ASSERT_EQ(publish(a, R"({"topic":"short","data":1,"ttl":120})").status, 201);
    ASSERT_EQ(publish(a, R"({"topic":"long","data":2,"ttl":7200})").status, 201);
    EXPECT_EQ(net.stored("pigeonhub/data-test/data/short").size(), 1u);
    net.advance(10 * 60 * 1000 + 1000);
    EXPECT_EQ(net.stored("pigeonhub/data-test/data/short").size(), 0u);
    EXPECT_EQ(net.stored("pigeonhub/data-test/data/long").size(), 1u);
    net.advance(6 * 3600 * 1000);
    EXPECT_EQ(net.stored("pigeonhub/data-test/data/long").size(), 0u);
}
