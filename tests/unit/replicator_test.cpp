#include "data/replicator.h"

#include <gtest/gtest.h>

#include "tiny_http_server.h"

using namespace pigeonhub;
using namespace std::chrono_literals;
using test::run_until;
using test::TinyHttpServer;

namespace {

const std::string kRecord = R"({"topic":"t","data":1})";

class ReplicatorTest : public ::testing::Test {
protected:
    bool drain() {
        return run_until(io, [&] { return replicator.pending() == 0; });
    }

    asio::io_context io;
    TinyHttpServer server{io};
    HttpClient client{io};
    Replicator replicator{io, client, 10ms};
};

}  // namespace

TEST(ReplicationUrl, MapsWebSocketUrlsAndAppendsThePath) {
    EXPECT_EQ(replication_url("ws://h:8080/"), "http://h:8080/api/replicate");
    EXPECT_EQ(replication_url("WSS://h"), "https://h/api/replicate");
    EXPECT_EQ(replication_url("http://h:1/base//"), "http://h:1/base/api/replicate");
    EXPECT_EQ(replication_url("https://h"), "https://h/api/replicate");
}

TEST_F(ReplicatorTest, APeerAcceptsTheRecord) {
    replicator.replicate({"ws://127.0.0.1:" + std::to_string(server.port()) + "/"}, kRecord);
    EXPECT_EQ(replicator.pending(), 1u);
    ASSERT_TRUE(drain());
    EXPECT_EQ(replicator.stats().sent, 1u);
    EXPECT_EQ(replicator.stats().retries, 0u);
    ASSERT_EQ(server.requests().size(), 1u);
    const std::string& req = server.requests()[0];
    EXPECT_EQ(req.substr(0, req.find("\r\n")), "POST /api/replicate HTTP/1.1");
    EXPECT_EQ(req.substr(req.size() - kRecord.size()), kRecord);
}

TEST_F(ReplicatorTest, OneJobPerPeer) {
    replicator.replicate({server.base(), server.base() + "/", server.base()}, kRecord);
    ASSERT_TRUE(drain());
    EXPECT_EQ(replicator.stats().sent, 3u);
    EXPECT_EQ(server.connections(), 3u);
}

TEST_F(ReplicatorTest, ARefusalIsFinal) {
    server.reply_always(400, R"({"error":"bad signature"})");
    replicator.replicate({server.base()}, kRecord);
    ASSERT_TRUE(drain());
    EXPECT_EQ(replicator.stats().refused, 1u);
    EXPECT_EQ(replicator.stats().retries, 0u);
    EXPECT_EQ(server.connections(), 1u);
}

TEST_F(ReplicatorTest, RetriesAfter5xx) {
    server.script({TinyHttpServer::reply(503), TinyHttpServer::reply(500), TinyHttpServer::reply(200)});
    replicator.replicate({server.base()}, kRecord);
    ASSERT_TRUE(drain());
    EXPECT_EQ(replicator.stats().sent, 1u);
    EXPECT_EQ(replicator.stats().retries, 2u);
    EXPECT_EQ(server.connections(), 3u);
}

// A receiver over its REST_RATE answers 429: the record is sent again after the backoff, not dropped.
TEST_F(ReplicatorTest, RetriesAfter429) {
    server.script({TinyHttpServer::reply(429), TinyHttpServer::reply(200)});
    replicator.replicate({server.base()}, kRecord);
    ASSERT_TRUE(drain());
    EXPECT_EQ(replicator.stats().sent, 1u);
    EXPECT_EQ(replicator.stats().refused, 0u);
    EXPECT_EQ(replicator.stats().retries, 1u);
}

TEST_F(ReplicatorTest, GivesUpAfterKAttemptsWithBackoff) {
    server.reply_always(503);
    const auto t0 = std::chrono::steady_clock::now();
    replicator.replicate({server.base()}, kRecord);
    ASSERT_TRUE(drain());
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 30ms) << "10 ms, then 20 ms";
    EXPECT_EQ(replicator.stats().failed, 1u);
    EXPECT_EQ(replicator.stats().retries, static_cast<std::uint64_t>(Replicator::kAttempts - 1));
    EXPECT_EQ(server.connections(), static_cast<std::size_t>(Replicator::kAttempts));
}

TEST_F(ReplicatorTest, RetriesWhenNoOneAnswers) {
    replicator.replicate({"http://127.0.0.1:" + std::to_string(test::refused_port(io))}, kRecord);
    ASSERT_TRUE(drain());
    EXPECT_EQ(replicator.stats().failed, 1u);
    EXPECT_EQ(replicator.stats().retries, 2u);
}

TEST_F(ReplicatorTest, UnusableUrlsFailAtOnce) {
    replicator.replicate({"wss://hub.example", "https://hub.example/", "not a url"}, kRecord);
    EXPECT_EQ(replicator.stats().failed, 3u);
    EXPECT_EQ(replicator.stats().retries, 0u);
    EXPECT_EQ(replicator.pending(), 0u);
}

TEST_F(ReplicatorTest, DropsTheOldestWaitingJobsAtTheBound) {
    std::vector<std::string> peers(Replicator::kMaxJobs + 4,
                                   "http://127.0.0.1:" + std::to_string(test::refused_port(io)));
    replicator.replicate(peers, kRecord);
    EXPECT_EQ(replicator.pending(), Replicator::kMaxJobs);
    EXPECT_EQ(replicator.stats().dropped, 4u);
    EXPECT_EQ(client.in_flight(), Replicator::kMaxRunning);
    EXPECT_EQ(client.queued(), 0u);
}

TEST_F(ReplicatorTest, RepliesAfterTheReplicatorIsGoneAreIgnored) {
    auto doomed = std::make_unique<Replicator>(io, client, 10ms);
    server.reply_always(503);
    doomed->replicate({server.base()}, kRecord);
    doomed.reset();
    EXPECT_TRUE(run_until(io, [&] { return server.connections() == 1 && client.in_flight() == 0; }));
    io.restart();
    io.poll();
    EXPECT_EQ(server.connections(), 1u) << "no retry";
}
