#include "api/rest_api.h"

#include <gtest/gtest.h>

#include "protocol/json.h"
#include "util/url.h"

using namespace pigeonhub;

namespace {

class NullOutbox : public Outbox {
public:
    void send(Slot, OutFrame) override {}
    void probe(Slot) override {}
};

class RestApiTest : public ::testing::Test {
protected:
    RestApiTest() {
        info.node_id = std::string(40, 'e');
        info.started_at_ms = 1000;
        info.ready = true;
        for (char c : std::string("abc")) {
            auto r = router.admit(std::string(40, c), out, 0);
            router.on_message(r.slot, c == 'c' ? R"({"type":"announce","networkName":"x"})" : R"({"type":"announce"})",
                              out, 0);
        }
    }
    Config config;
    Router router{config.signaling};
    TransportStats transport;
    ListenerStats listener;
    HubInfo info;
    NullOutbox out;
    RestApi api{config, router, transport, listener, info};

    // A GET of `target` through the route table, as the HTTP server routes it (by path).
    HttpReply get(std::string_view target, std::int64_t now) {
        const std::string_view path = target_path(target);
        for (const auto& r : api.routes())
            if (r.path == path) return r.get(target, now);
        ADD_FAILURE() << "no route for " << path;
        return {};
    }
};

}  // namespace

TEST_F(RestApiTest, HealthFieldsAndReadiness) {
    auto r = get("/health?probe=1", 5000);
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(json::validate(r.body));
    for (const char* k : {"\"status\":\"healthy\"", "\"nodeId\":\"eeee", "\"uptime\":4000", "\"connections\":3",
                          "\"peers\":3", "\"networks\":2", "\"dhtReady\":", "\"signalDirReady\":true", "\"memory\":{\"rss\":"})
        EXPECT_NE(r.body.find(k), std::string::npos) << k;
    info.ready = false;
    r = get("/health", 5000);
    EXPECT_EQ(r.status, 503);
    EXPECT_NE(r.body.find("\"status\":\"unhealthy\""), std::string::npos);
}

TEST_F(RestApiTest, HealthFailsWhenTheListenerStallsLongerThanAMoment) {
    listener.accept_failing = true;
    listener.accept_failing_since_ms = 5000;
    listener.last_error = "Too many open files (EMFILE)";
    auto r = get("/health", 5000 + RestApi::kListenerStallMs - 1);
    EXPECT_EQ(r.status, 200) << "a short stall is not worth failing over for";
    r = get("/health", 5000 + RestApi::kListenerStallMs);
    EXPECT_EQ(r.status, 503);
    for (const char* k : {"\"status\":\"unhealthy\"", "\"accepting\":false",
                          "accept() failing for 1000 ms (Too many open files (EMFILE))"})
        EXPECT_NE(r.body.find(k), std::string::npos) << k << " in " << r.body;
    listener.accept_failing = false;
    listener.paused_at_bound = true;
    listener.paused_since_ms = 5000;
    listener.max_http_connections = 96;
    r = get("/health", 7000);
    EXPECT_EQ(r.status, 503);
    EXPECT_NE(r.body.find("96 HTTP connections open (MAX_HTTP_CONNECTIONS) for 2000 ms"), std::string::npos) << r.body;
    listener.paused_at_bound = false;
    r = get("/health", 7000);
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("\"accepting\":true"), std::string::npos);
    EXPECT_EQ(r.body.find("\"reason\""), std::string::npos);
}

TEST_F(RestApiTest, StatsReportTheListener) {
    listener.accepted = 7;
    listener.accept_errors = 3;
    listener.out_of_descriptors = 2;
    listener.shed = 5;
    listener.max_http_connections = 1024;
    listener.http_at_bound = 4;
    auto r = get("/stats", 5000);
    ASSERT_EQ(r.status, 200);
    EXPECT_TRUE(json::validate(r.body));
    EXPECT_NE(r.body.find(R"("listener":{"accepting":true,"accepted":7,"acceptErrors":3,"outOfDescriptors":2,"shed":5,)"
                          R"("lastError":"","maxHttpConnections":1024,"httpAtBound":4,"pausedAtBound":false})"),
              std::string::npos)
        << r.body;
}

TEST_F(RestApiTest, RoutesAndErrorReplies) {
    std::vector<std::string_view> paths;
    for (const auto& r : api.routes()) paths.push_back(r.path);
    EXPECT_EQ(paths, (std::vector<std::string_view>{"/", "/health", "/hubs", "/signaling", "/peers",
                                                   "/generate-peer-id", "/stats", "/metrics"}));
    auto r = RestApi::not_found("/nope");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.body, R"({"error":"Not found","path":"/nope"})");
    r = RestApi::method_not_allowed("/health");
    EXPECT_EQ(r.status, 405);
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].first, "Allow");
}

TEST_F(RestApiTest, PeersPagination) {
    auto r = get("/peers?limit=2", 0);
    EXPECT_TRUE(json::validate(r.body));
    EXPECT_NE(r.body.find("\"total\":3"), std::string::npos);
    EXPECT_NE(r.body.find("\"limit\":2"), std::string::npos);
    r = get("/peers?network=x", 0);
    EXPECT_NE(r.body.find("\"total\":1"), std::string::npos);
    EXPECT_NE(r.body.find(std::string(40, 'c')), std::string::npos);
    r = get("/peers?limit=999999", 0);
    EXPECT_NE(r.body.find("\"limit\":1000"), std::string::npos);
    r = get("/peers?network=none", 0);
    EXPECT_NE(r.body.find("\"total\":0"), std::string::npos);
}

TEST_F(RestApiTest, GeneratePeerIdIsFreshHex) {
    auto a = get("/generate-peer-id", 0).body;
    auto b = get("/generate-peer-id", 0).body;
    ASSERT_EQ(a.size(), std::string(R"({"peerId":""})").size() + 40);
    EXPECT_NE(a, b);
    for (char c : a.substr(11, 40)) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
}

TEST_F(RestApiTest, OtherEndpointsAreValidJson) {
    for (const char* p : {"/stats", "/signaling", "/hubs"}) {
        auto r = get(p, 0);
        EXPECT_EQ(r.status, 200) << p;
        EXPECT_TRUE(json::validate(r.body)) << p << ": " << r.body;
    }
    EXPECT_NE(get("/signaling", 0).body.find("\"peersByNetwork\":{\"global\":2,\"x\":1}"), std::string::npos);
    EXPECT_EQ(get("/", 0).content_type.rfind("text/html", 0), 0u);
}

TEST_F(RestApiTest, HealthAnswers503AtOnceWhileDraining) {
    info.draining = true;  // SIGTERM: still listening (DRAIN_DELAY), but load balancers must move on
    auto r = get("/health", 5000);
    EXPECT_EQ(r.status, 503);
    EXPECT_NE(r.body.find("\"reason\":\"shutting down\""), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("\"accepting\":false"), std::string::npos) << r.body;
}

TEST_F(RestApiTest, MetricsInThePrometheusTextFormat) {
    transport.relay_latency.observe(3000);
    auto r = get("/metrics", 5000);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type.rfind("text/plain; version=0.0.4", 0), 0u);
    for (const char* k : {"# TYPE pigeonhub_connections gauge\npigeonhub_connections 3\n",
                          "pigeonhub_announced_peers 3\n", "pigeonhub_namespaces 2\n",
                          "# TYPE pigeonhub_messages_received_total counter\n",
                          "pigeonhub_messages_received_total{type=\"announce\"} 3\n",
                          "pigeonhub_messages_dropped_total{reason=\"unknown_target\"} 0\n",
                          "pigeonhub_relay_latency_seconds_bucket{le=\"5e-06\"} 1\n",
                          "pigeonhub_relay_latency_seconds_count 1\n", "pigeonhub_draining 0\n",
                          "process_resident_memory_bytes ", "pigeonhub_build_info{version=\""})
        EXPECT_NE(r.body.find(k), std::string::npos) << k;
    EXPECT_EQ(r.body.find("network=\""), std::string::npos) << "no per-namespace labels";
    EXPECT_EQ(r.body.find("pigeonhub_dht_"), std::string::npos) << "no mesh figures without a mesh";
}
