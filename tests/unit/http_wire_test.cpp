#include "net/http_wire.h"

#include <gtest/gtest.h>

using namespace pigeonhub;
using State = HttpReplyParser::State;

namespace {

// Feeds `reply` in pieces of `chunk` bytes, then the end of the stream if the reply is still partial.
HttpReplyParser parse(std::string_view reply, std::size_t chunk = 1, bool eof = true) {
    HttpReplyParser p;
    for (std::size_t i = 0; i < reply.size(); i += chunk) p.feed(reply.substr(i, chunk));
    if (eof && p.state() == State::partial) p.end_of_stream();
    return p;
}

}  // namespace

TEST(HttpWire, FormatsThePost) {
    HttpUrl url{false, "hub.example", 8080, "/api/replicate"};
    EXPECT_EQ(format_request("POST", url, R"({"a":1})"),
              "POST /api/replicate HTTP/1.1\r\nHost: hub.example:8080\r\nContent-Type: application/json\r\n"
              "Content-Length: 7\r\nConnection: close\r\nUser-Agent: pigeonhubd\r\n\r\n{\"a\":1}");
    EXPECT_NE(format_request("GET", {false, "::1", 80, "/"}).find("\r\nHost: [::1]\r\n"), std::string::npos)
        << "brackets around IPv6, no default port";
}

TEST(HttpWire, ContentLengthBody) {
    for (std::size_t chunk : {1u, 7u, 1000u}) {
        auto p = parse("HTTP/1.1 200 OK\r\ncontent-length:  5 \r\nX: y\r\n\r\nhelloIGNORED", chunk, false);
        EXPECT_EQ(p.state(), State::done) << chunk;
        EXPECT_EQ(p.status(), 200);
        EXPECT_EQ(p.body(), "hello");
        EXPECT_FALSE(p.truncated());
    }
}

TEST(HttpWire, BodyToTheEndOfTheStream) {
    auto p = parse("HTTP/1.0 503 Service Unavailable\nServer: x\n\nbusy", 3, false);
    EXPECT_EQ(p.state(), State::partial) << "no length: the body ends with the connection";
    EXPECT_EQ(p.end_of_stream(), State::done);
    EXPECT_EQ(p.status(), 503);
    EXPECT_EQ(p.body(), "busy");
}

TEST(HttpWire, ChunkedBody) {
    auto p = parse(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\nContent-Length: 99\r\n\r\n"
        "4;ext=1\r\nabcd\r\nA\r\n0123456789\r\n0\r\nTrailer: t\r\n\r\nextra",
        2, false);
    EXPECT_EQ(p.state(), State::done);
    EXPECT_EQ(p.body(), "abcd0123456789");
}

TEST(HttpWire, SkipsInterimRepliesAndHasNoBodyFor204) {
    auto p = parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n", 5, false);
    EXPECT_EQ(p.state(), State::done);
    EXPECT_EQ(p.status(), 204);
    EXPECT_EQ(p.body(), "");
}

TEST(HttpWire, KeepsAtMostKMaxBody) {
    std::string big(HttpReplyParser::kMaxBody + 10, 'x');
    auto p = parse("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(big.size()) + "\r\n\r\n" + big, 4096, false);
    EXPECT_EQ(p.state(), State::done);
    EXPECT_TRUE(p.truncated());
    EXPECT_EQ(p.body().size(), HttpReplyParser::kMaxBody);

    std::string exact(HttpReplyParser::kMaxBody, 'y');
    p = parse("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(exact.size()) + "\r\n\r\n" + exact, 4096, false);
    EXPECT_EQ(p.state(), State::done);
    EXPECT_FALSE(p.truncated());
}

TEST(HttpWire, RefusesBadOrHugeHeads) {
    for (const char* bad : {"HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 099 x\r\n\r\n",
                            "HTTP/1.1 200OK\r\n\r\n", "<html>\r\n", "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
                            "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
                            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n"}) {
        auto p = parse(bad, 1, false);
        EXPECT_EQ(p.state(), State::failed) << bad;
        EXPECT_FALSE(p.error().empty());
    }
    HttpReplyParser p;
    p.feed("HTTP/1.1 200 OK\r\n");
    std::string header = "X: " + std::string(1000, 'a') + "\r\n";
    State s = State::partial;
    for (int i = 0; i < 20 && s == State::partial; ++i) s = p.feed(header);
    EXPECT_EQ(s, State::failed);
    EXPECT_EQ(p.error(), "reply header too large");
    EXPECT_LE(p.buffered(), HttpReplyParser::kMaxHead);
}

TEST(HttpWire, TheEndOfTheStreamTooSoon) {
    auto p = parse("", 1, true);
    EXPECT_EQ(p.state(), State::failed);
    EXPECT_EQ(p.error(), "connection closed before the reply");
    p = parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 1, true);
    EXPECT_EQ(p.state(), State::failed);
    EXPECT_EQ(p.error(), "connection closed mid-reply");
    p = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", 1, true);
    EXPECT_EQ(p.state(), State::failed);
}
