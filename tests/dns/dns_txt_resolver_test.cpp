// DnsTxtResolver (c-ares on asio) against a real DNS server: dnsmasq on 127.0.0.1 and a free port, started once for
// the suite (tests/dns/dnsmasq_process.h). Also a UDP socket that never answers, for the deadline.
#include "bootstrap/dns_txt_resolver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <memory>
#include <optional>

#include "bootstrap/dns_txt_format.h"
#include "dnsmasq_process.h"

using namespace pigeonhub;
using namespace std::chrono_literals;
using test::DnsmasqProcess;

namespace {

struct Answer {
    std::vector<std::string> txt;
    std::string error;
};

bool run_until(asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= end) return false;
        io.restart();
        io.run_one_for(10ms);
    }
    return true;
}

const std::string kName = "_pigeonhub-bootstrap.example.test";
const std::string kOurs = "v=pigeonhub1 u=ws://127.0.0.1:3000 region=eu-west priority=1";
const std::string kDht = "v=pigeonhub1 u=dht.example.test:4222 description=DHT%20node";
const std::string kLong = "v=pigeonhub1 u=wss://long.example.test/ description=" + std::string(230, 'x');

// Records of ~300 bytes each: together more than the 1232-byte EDNS payload, so the answer comes over TCP.
std::vector<std::string> big_records() {
    std::vector<std::string> out;
    for (int i = 0; i < 8; ++i) {
        out.push_back("v=pigeonhub1 u=ws://hub" + std::to_string(i) +
                      ".example.test/ description=" + std::string(260, static_cast<char>('a' + i)));
    }
    return out;
}

std::vector<DnsmasqProcess::TxtRecord> served_records() {
    std::vector<DnsmasqProcess::TxtRecord> r = {
        {kName, {kOurs}},
        {kName, {"v=spf1 -all"}},                     // not ours
        {kName, {"v=pigeonhub1 u=nope priority=2"}},  // malformed
        {kName, {kDht}},
        {kName, {kLong}},                                                // 282 bytes: dnsmasq splits it
        {kName, {"v=pigeonhub1 u=http://split", ".example.test:8080"}},  // two strings given
        {"ready.example.test", {"ok"}},
    };
    for (const auto& s : big_records()) r.push_back({"big.example.test", {s}});
    return r;
}

class DnsTxtResolverTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dnsmasq = new DnsmasqProcess(served_records(), "example.test", {"nodata.example.test,127.0.0.2"});
    }
    static void TearDownTestSuite() {
        delete dnsmasq;
        dnsmasq = nullptr;
    }

    void SetUp() override {
        ASSERT_TRUE(dnsmasq->error().empty()) << dnsmasq->error();
        ASSERT_TRUE(dnsmasq->running()) << dnsmasq->error();
        // dnsmasq answers once it has bound its port: ask until it does (each try has its own short deadline).
        if (!ready) {
            DnsTxtResolver probe(io, dnsmasq->server());
            const auto end = std::chrono::steady_clock::now() + 5s;
            while (!ready && std::chrono::steady_clock::now() < end) {
                ASSERT_TRUE(dnsmasq->running()) << dnsmasq->error();
                const Answer a = query(probe, "ready.example.test", 200ms);
                ready = a.error.empty() && a.txt == std::vector<std::string>{"ok"};
            }
            ASSERT_TRUE(ready) << "dnsmasq does not answer on " << dnsmasq->server() << ": " << dnsmasq->log();
        }
    }

    Answer query(DnsTxtResolver& r, const std::string& name, std::chrono::milliseconds timeout = 2s) {
        std::optional<Answer> answer;
        r.query(name, timeout, [&](std::vector<std::string> txt, std::string error) {
            EXPECT_FALSE(answer.has_value()) << "called twice";
            answer = Answer{std::move(txt), std::move(error)};
        });
        EXPECT_TRUE(run_until(
            io, [&] { return answer.has_value(); }, timeout + 2s))
            << "no callback";
        return answer.value_or(Answer{{}, "no callback"});
    }

    static std::vector<std::string> sorted(std::vector<std::string> v) {
        std::sort(v.begin(), v.end());
        return v;
    }

    static inline DnsmasqProcess* dnsmasq = nullptr;
    static inline bool ready = false;
    asio::io_context io;
};

// A UDP socket on 127.0.0.1 that receives and never answers.
struct SilentServer {
    explicit SilentServer(asio::io_context& io)
        : socket(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}
    std::string address() const { return "127.0.0.1:" + std::to_string(socket.local_endpoint().port()); }
    asio::ip::udp::socket socket;
};

}  // namespace

TEST_F(DnsTxtResolverTest, ReturnsEveryRecordWithItsStringsJoined) {
    ASSERT_GT(kLong.size(), 255u) << "meant to be split into two character-strings";
    DnsTxtResolver r(io, dnsmasq->server());
    const Answer a = query(r, kName);
    EXPECT_EQ(a.error, "");
    EXPECT_EQ(sorted(a.txt), sorted({kOurs, "v=spf1 -all", "v=pigeonhub1 u=nope priority=2", kDht, kLong,
                                     "v=pigeonhub1 u=http://split.example.test:8080"}));
    EXPECT_EQ(r.in_flight(), 0u);

    // And through the format: the foreign record ignored, the malformed one reported.
    const DnsTxtPeers peers = parse_dns_txt_records(a.txt);
    EXPECT_EQ(peers.peers.size(), 4u);
    ASSERT_EQ(peers.errors.size(), 1u);
    EXPECT_NE(peers.errors[0].find("bad u="), std::string::npos);
    auto ours = std::find_if(peers.peers.begin(), peers.peers.end(),
                             [](const DnsTxtPeer& p) { return p.u == "ws://127.0.0.1:3000"; });
    ASSERT_NE(ours, peers.peers.end());
    EXPECT_EQ(ours->region, "eu-west");
    EXPECT_EQ(ours->priority, 1);
    EXPECT_TRUE(ours->is_hub_url);
    auto dht = std::find_if(peers.peers.begin(), peers.peers.end(),
                            [](const DnsTxtPeer& p) { return p.u == "dht.example.test:4222"; });
    ASSERT_NE(dht, peers.peers.end());
    EXPECT_FALSE(dht->is_hub_url);
    EXPECT_EQ(dht->description, "DHT node");
}

TEST_F(DnsTxtResolverTest, NameFromDomain) {
    DnsTxtResolver r(io, dnsmasq->server());
    const Answer a = query(r, dns_txt_name("example.test."));
    EXPECT_EQ(a.error, "");
    EXPECT_EQ(a.txt.size(), 6u);
}

TEST_F(DnsTxtResolverTest, LargeAnswerOverTcp) {
    DnsTxtResolver r(io, dnsmasq->server());
    const Answer a = query(r, "big.example.test");
    EXPECT_EQ(a.error, "");
    EXPECT_EQ(sorted(a.txt), sorted(big_records()));
}

TEST_F(DnsTxtResolverTest, NoSuchNameIsAnEmptyAnswer) {
    DnsTxtResolver r(io, dnsmasq->server());
    const Answer nx = query(r, "_pigeonhub-bootstrap.missing.example.test");  // NXDOMAIN
    EXPECT_EQ(nx.error, "");
    EXPECT_TRUE(nx.txt.empty());
    const Answer nodata = query(r, "nodata.example.test");  // an A record, no TXT
    EXPECT_EQ(nodata.error, "");
    EXPECT_TRUE(nodata.txt.empty());
}

TEST_F(DnsTxtResolverTest, RefusedOutsideItsDomain) {
    DnsTxtResolver r(io, dnsmasq->server());
    // dnsmasq has no upstream to ask and answers REFUSED; c-ares 1.18 retries that, then reports ECONNREFUSED.
    const Answer a = query(r, "_pigeonhub-bootstrap.example.org");
    EXPECT_EQ(a.error, "refused");
    EXPECT_TRUE(a.txt.empty());
}

TEST_F(DnsTxtResolverTest, ManyAtOnceOnOneResolver) {
    DnsTxtResolver r(io, dnsmasq->server(), 2, 16);
    std::vector<Answer> answers;
    for (int i = 0; i < 10; ++i) {
        r.query(i % 2 ? "big.example.test" : kName, 3s, [&](std::vector<std::string> txt, std::string error) {
            answers.push_back({std::move(txt), error});
        });
    }
    EXPECT_EQ(r.in_flight(), 2u);
    EXPECT_EQ(r.queued(), 8u);
    ASSERT_TRUE(run_until(io, [&] { return answers.size() == 10; }));
    for (const Answer& a : answers) {
        EXPECT_EQ(a.error, "");
        EXPECT_TRUE(a.txt.size() == 6 || a.txt.size() == 8) << a.txt.size();
    }
    EXPECT_EQ(r.in_flight(), 0u);
    EXPECT_EQ(r.queued(), 0u);
}

TEST_F(DnsTxtResolverTest, TimeoutWhenNothingAnswers) {
    SilentServer silent(io);
    DnsTxtResolver r(io, silent.address());
    const auto start = std::chrono::steady_clock::now();
    const Answer a = query(r, kName, 300ms);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(a.error, "timeout");
    EXPECT_TRUE(a.txt.empty());
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 1500ms);
    EXPECT_EQ(r.in_flight(), 0u);
}

TEST_F(DnsTxtResolverTest, ClosedPortIsRefused) {
    std::string address;
    {
        SilentServer closed(io);  // a port that was free a moment ago and is closed now
        address = closed.address();
    }
    DnsTxtResolver r(io, address);
    const Answer a = query(r, kName, 2s);
    // Loopback reports the closed port (ICMP), and c-ares gives up after its tries; "timeout" would mean the
    // report was lost.
    EXPECT_EQ(a.error, "refused");
}

TEST_F(DnsTxtResolverTest, QueueBoundAndNeverCalledInsideQuery) {
    SilentServer silent(io);
    DnsTxtResolver r(io, silent.address(), 1, 1);
    std::vector<std::string> errors;
    bool returned = false;
    auto done = [&](std::vector<std::string>, std::string error) {
        EXPECT_TRUE(returned) << "called inside query()";
        errors.push_back(error);
    };
    r.query(kName, 200ms, done);
    r.query(kName, 200ms, done);
    r.query(kName, 200ms, done);
    returned = true;
    EXPECT_EQ(r.in_flight(), 1u);
    EXPECT_EQ(r.queued(), 1u);
    ASSERT_TRUE(run_until(io, [&] { return errors.size() == 3; }));
    EXPECT_EQ(errors, (std::vector<std::string>{"busy", "timeout", "timeout"}));
}

TEST_F(DnsTxtResolverTest, BadServer) {
    DnsTxtResolver r(io, "not-an-address:53");
    const Answer a = query(r, kName);
    EXPECT_EQ(a.error.rfind("bad DNS server not-an-address:53: ", 0), 0u) << a.error;
}

TEST_F(DnsTxtResolverTest, BadName) {
    DnsTxtResolver r(io, dnsmasq->server());
    const Answer a = query(r, std::string(64, 'a') + ".example.test");  // a label over 63 bytes
    EXPECT_EQ(a.error, "bad name");
}

TEST_F(DnsTxtResolverTest, DestroyedResolverNeverCalls) {
    SilentServer silent(io);
    bool called = false;
    {
        DnsTxtResolver r(io, silent.address());
        r.query(kName, 1s, [&](std::vector<std::string>, std::string) { called = true; });
        io.restart();
        io.run_for(50ms);  // sent, waiting for the answer, c-ares' resend timer running
        // Destroyed right after query(): its socket is open and its wait started (c-ares opens it in ares_query).
        DnsTxtResolver r2(io, dnsmasq->server());
        r2.query(kName, 2s, [&](std::vector<std::string>, std::string) { called = true; });
    }
    io.restart();
    io.run_for(300ms);
    EXPECT_FALSE(called);
}

TEST_F(DnsTxtResolverTest, DestroyedFromItsOwnCallback) {
    auto r = std::make_unique<DnsTxtResolver>(io, dnsmasq->server());
    int calls = 0;
    for (int i = 0; i < 3; ++i) {
        r->query(kName, 2s, [&](std::vector<std::string>, std::string) {
            ++calls;
            r.reset();  // the others are cancelled with it
        });
    }
    ASSERT_TRUE(run_until(io, [&] { return calls > 0; }));
    io.restart();
    io.run_for(200ms);
    EXPECT_EQ(calls, 1);
}

TEST_F(DnsTxtResolverTest, ResolverReusedAfterATimeout) {
    // A timed-out query leaves nothing behind: its channel is destroyed, and the next query on the same resolver
    // gets its own. (A deadline of 0 usually wins over dnsmasq's answer; either result is fine here.)
    DnsTxtResolver r(io, dnsmasq->server());
    const Answer first = query(r, kName, 0ms);
    EXPECT_TRUE(first.error == "timeout" || first.error.empty()) << first.error;
    const Answer a = query(r, kName);
    EXPECT_EQ(a.error, "");
    EXPECT_EQ(a.txt.size(), 6u);
}
