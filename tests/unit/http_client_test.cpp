#include "net/http_client.h"

#include <gtest/gtest.h>

#include <optional>

#include "tiny_http_server.h"

using namespace pigeonhub;
using namespace std::chrono_literals;
using test::run_until;
using test::TinyHttpServer;

namespace {

class HttpClientTest : public ::testing::Test {
protected:
    // Posts and runs the io_context until the reply.
    HttpResult post(const std::string& url, std::string body = "{}", std::chrono::milliseconds deadline = 2s) {
        std::optional<HttpResult> result;
        client.post(url, std::move(body), deadline, [&](HttpResult r) { result = std::move(r); });
        EXPECT_TRUE(run_until(io, [&] { return result.has_value(); }));
        return result.value_or(HttpResult{0, "no callback", {}});
    }

    asio::io_context io;
    TinyHttpServer server{io};
    HttpClient client{io};
};

}  // namespace

TEST_F(HttpClientTest, PostsJsonAndReadsTheReply) {
    server.reply_always(200, R"({"ok":true})");
    HttpResult r = post(server.base() + "/api/replicate?x=1", R"({"topic":"t"})");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.error, "");
    EXPECT_EQ(r.body, R"({"ok":true})");
    ASSERT_EQ(server.requests().size(), 1u);
    EXPECT_EQ(server.requests()[0],
              "POST /api/replicate?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server.port()) +
                  "\r\nContent-Type: application/json\r\nContent-Length: 13\r\nConnection: close\r\n"
                  "User-Agent: pigeonhubd\r\n\r\n{\"topic\":\"t\"}");
    EXPECT_EQ(client.in_flight(), 0u);
}

TEST_F(HttpClientTest, ReportsTheStatus) {
    server.script({TinyHttpServer::reply(503, "busy"), TinyHttpServer::reply(400, R"({"error":"x"})")});
    HttpResult r = post(server.base());
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.body, "busy");
    EXPECT_EQ(post(server.base()).status, 400);
    EXPECT_EQ(server.requests().at(0).substr(0, 21), "POST / HTTP/1.1\r\nHost") << "the default path";
}

TEST_F(HttpClientTest, ResolvesNames) {
    HttpResult r = post("http://localhost:" + std::to_string(server.port()) + "/");
    EXPECT_EQ(r.status, 200) << r.error;
}

TEST_F(HttpClientTest, KeepsAtMost64KiBOfTheBody) {
    server.reply_always(200, std::string(100 * 1024, 'x'));
    HttpResult r = post(server.base());
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body.size(), 64u * 1024);
}

TEST_F(HttpClientTest, TimesOutWhenThePeerIsSilent) {
    server.script({TinyHttpServer::silent()});
    const auto t0 = std::chrono::steady_clock::now();
    HttpResult r = post(server.base(), "{}", 100ms);
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.error, "timeout");
    EXPECT_GE(took, 100ms);
    EXPECT_LT(took, 1s);
    EXPECT_TRUE(run_until(io, [&] { return server.hangups() == 1; })) << "the socket was closed";
}

TEST_F(HttpClientTest, APeerThatClosesWithoutAReply) {
    server.script({TinyHttpServer::close_early()});
    HttpResult r = post(server.base());
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.error, "connection closed before the reply");
}

TEST_F(HttpClientTest, ConnectionRefused) {
    HttpResult r = post("http://127.0.0.1:" + std::to_string(test::refused_port(io)) + "/");
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.error, "connection refused");
}

TEST_F(HttpClientTest, RefusesUrlsItCannotUseButNeverInline) {
    std::vector<std::string> errors;
    for (const char* url : {"https://127.0.0.1/", "ftp://h/", "http://h/a b"}) {
        client.post(url, "{}", 1s, [&](HttpResult r) {
            EXPECT_EQ(r.status, 0);
            errors.push_back(r.error);
        });
    }
    EXPECT_TRUE(errors.empty()) << "not inside post()";
    EXPECT_TRUE(run_until(io, [&] { return errors.size() == 3; }));
    EXPECT_EQ(errors, (std::vector<std::string>{"https not supported", "unsupported URL", "unsupported URL"}));
    EXPECT_EQ(server.connections(), 0u);
}

TEST_F(HttpClientTest, BoundsRequestsInFlightAndQueued) {
    server.script({TinyHttpServer::silent()});
    HttpClient small(io, 2, 1);
    std::vector<std::string> results;
    for (int i = 0; i < 4; ++i) {
        small.post(server.base(), "{}", 50ms,
                   [&results, i](HttpResult r) { results.push_back(std::to_string(i) + " " + r.error); });
    }
    EXPECT_EQ(small.in_flight(), 2u);
    EXPECT_EQ(small.queued(), 1u);
    EXPECT_TRUE(run_until(io, [&] { return results.size() == 4; }));
    EXPECT_EQ(results, (std::vector<std::string>{"3 queue full", "0 timeout", "1 timeout", "2 timeout"}));
    EXPECT_EQ(server.connections(), 3u) << "the queued request ran when a slot freed";
    EXPECT_EQ(small.in_flight(), 0u);
}

TEST_F(HttpClientTest, DestroyingTheClientCancelsWithoutCallbacks) {
    server.script({TinyHttpServer::silent()});
    auto doomed = std::make_unique<HttpClient>(io, 2, 4);
    int called = 0;
    for (int i = 0; i < 3; ++i) doomed->post(server.base(), "{}", 5s, [&](HttpResult) { ++called; });
    EXPECT_TRUE(run_until(io, [&] { return server.requests().size() == 2; }));
    doomed->post("https://h/", "{}", 5s, [&](HttpResult) { ++called; });  // its error is posted, not yet run
    EXPECT_EQ(doomed->queued(), 1u);
    doomed.reset();
    EXPECT_TRUE(run_until(io, [&] { return server.hangups() == 2; })) << "both sockets closed at once";
    io.restart();
    io.poll();  // whatever is still queued on the io_context runs, and calls nothing
    EXPECT_EQ(called, 0);
}

TEST_F(HttpClientTest, TheCallbackMayDestroyTheClient) {
    server.script({TinyHttpServer::reply(503), TinyHttpServer::silent()});
    auto doomed = std::make_unique<HttpClient>(io, 1, 4);
    int first = 0, others = 0;
    doomed->post(server.base(), "{}", 5s, [&](HttpResult r) {
        first = r.status;
        doomed.reset();
    });
    doomed->post(server.base(), "{}", 5s, [&](HttpResult) { ++others; });  // queued, then started by the first
    doomed->post(server.base(), "{}", 5s, [&](HttpResult) { ++others; });  // still queued when the client goes
    EXPECT_TRUE(run_until(io, [&] { return server.hangups() == 1; }));
    EXPECT_EQ(first, 503);
    EXPECT_EQ(others, 0);
    EXPECT_EQ(server.connections(), 2u);
}

TEST_F(HttpClientTest, TheClientMayGoWhileResolving) {
    auto doomed = std::make_unique<HttpClient>(io);
    int called = 0;
    doomed->post("http://localhost:" + std::to_string(server.port()) + "/", "{}", 5s, [&](HttpResult) { ++called; });
    doomed.reset();
    io.run_for(100ms);  // the resolver's answer arrives meanwhile and is dropped (nothing to wait for: it is silent)
    EXPECT_EQ(called, 0);
    EXPECT_EQ(server.connections(), 0u);
}
