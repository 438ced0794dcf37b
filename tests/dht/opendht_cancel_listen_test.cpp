// Why DhtNode keeps one OpenDHT listen per key for the life of the process (docs/MESH.md, "Namespace churn"), shown
// on plain OpenDHT 2.4.12 DhtRunners bound to IPv4 only, as hubs are.
//
// Dht::listen (src/dht.cpp) registers the listen on the IPv4 search, then asks for the IPv6 one; with no IPv6
// socket that returns 0, so it undoes only the local storage listen and returns token 0. The IPv4 search's
// listener stays, unknown to anyone: the future gives 0, cancelListen(key, 0) finds nothing ("Listen token not
// found"), and the callback keeps receiving values for as long as the node runs (and the search, which has a
// listener, never expires). Each listen/cancel pair on a key leaks a listener and its callback.
#include <opendht.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>

namespace {

using namespace std::chrono_literals;

std::unique_ptr<dht::DhtRunner> ipv4_runner() {
    auto r = std::make_unique<dht::DhtRunner>();
    dht::DhtRunner::Config cfg;
    cfg.threaded = true;
    cfg.bind4 = dht::SockAddr::resolve("127.0.0.1", "0").front();
    r->run(cfg, {});
    return r;
}

bool wait_for(const std::function<bool()>& f, std::chrono::milliseconds limit = 5s) {
    for (auto waited = 0ms; waited < limit; waited += 20ms) {
        if (f()) return true;
        std::this_thread::sleep_for(20ms);
    }
    return f();
}

}  // namespace

TEST(OpenDhtCancelListen, OnAnIpv4OnlyNodeACancelledListenKeepsReceiving) {
    auto a = ipv4_runner(), b = ipv4_runner();
    b->bootstrap("127.0.0.1", std::to_string(a->getBoundPort()));
    ASSERT_TRUE(wait_for([&] {
        unsigned good = 0, dubious = 0, cached = 0, incoming = 0;
        b->getNodesStats(AF_INET, &good, &dubious, &cached, &incoming);
        return good >= 1;
    }));
    const auto key = dht::InfoHash::get("cancel-listen-" + std::to_string(::getpid()));
    auto heard = std::make_shared<std::atomic<int>>(0);
    auto token = b->listen(key, [heard](const std::vector<std::shared_ptr<dht::Value>>& values, bool expired) {
        if (!expired) *heard += static_cast<int>(values.size());
        return true;
    });
    a->put(key, dht::Value("first"));
    ASSERT_TRUE(wait_for([&] { return *heard >= 1; })) << "the listen works";
    auto shared = token.share();
    EXPECT_EQ(shared.get(), 0u) << "Dht::listen returned no token (no IPv6 socket)";
    b->cancelListen(key, shared);
    std::this_thread::sleep_for(500ms);
    const int before = *heard;
    a->put(key, dht::Value("after the cancel"));
    EXPECT_TRUE(wait_for([&] { return *heard > before; }, 3s))
        << "the cancelled listen still hears new values: if this fails, OpenDHT cancels listens again and DhtNode "
           "could cancel its per-key listens (src/mesh/dht_node.cpp)";
    for (auto* r : {a.get(), b.get()}) r->shutdown({}, true);
    for (auto* r : {a.get(), b.get()}) r->join();
}
