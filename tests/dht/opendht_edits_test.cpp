// Why the mesh never edits a DHT value in place (docs/MESH.md), shown on plain OpenDHT 2.4.12 DhtRunners.
//
// 12 nodes on loopback each publish their own signed value under one key and listen to that key, as hubs do
// with a namespace's presence pages. Node 1 then edits its value three times, 700 ms apart, and we count how
// many of the 11 other listeners hold the latest edit.
// - The mesh's way (DhtNode): each edit is a new value id with a higher edit number in its content; the old id
//   stops being announced once the new put is done. Asserted: every listener holds every edit within 2 s, and a
//   tombstone put the same way reaches every listener too.
// - In place (cancel the put, same value id, seq + 1, put again): printed, not asserted, since the loss is
//   intermittent (the 2.4.12 listen caches treat a known value id as a refresh: ValueCache::addValues, and
//   OpValueCache's per-id counts let a late expiry drop the edit; fixed upstream in dd0946b0, March 2026).
//   Measured on the 2-core machine: 0 of 11 listeners held the edit in about half of the runs.
#include <opendht.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using namespace std::chrono_literals;
constexpr int kNodes = 12;
constexpr int kEdits = 3;
const dht::ValueType kType(0x5048, "pigeonhub.record", 30s);

struct Mesh {
    std::vector<std::unique_ptr<dht::DhtRunner>> nodes;
    std::vector<dht::crypto::Identity> ids;
    dht::InfoHash key;
    std::mutex m;
    std::vector<std::map<dht::Value::Id, std::string>> held{kNodes};  // what each listener holds

    Mesh(const char* name) : key(dht::InfoHash::get(std::string(name) + std::to_string(::getpid()))) {
        for (int i = 0; i < kNodes; i++) {
            auto r = std::make_unique<dht::DhtRunner>();
            dht::DhtRunner::Config cfg;
            cfg.threaded = true;
            cfg.dht_config.node_config.max_req_per_sec = -1;  // one IP for every node: no per-IP limits
            cfg.dht_config.node_config.max_peer_req_per_sec = -1;
            ids.push_back(dht::crypto::generateIdentity("n" + std::to_string(i), {}, 2048));
            cfg.dht_config.id = ids.back();
            cfg.bind4 = dht::SockAddr::resolve("127.0.0.1", "0").front();
            r->run(cfg, {});
            r->registerType(kType);
            if (i > 0) r->bootstrap("127.0.0.1", std::to_string(nodes[0]->getBoundPort()));
            nodes.push_back(std::move(r));
        }
    }
    ~Mesh() {
        for (auto& r : nodes) r->shutdown({}, true);
        for (auto& r : nodes) r->join();
    }

    bool wait_connected() {
        for (int t = 0; t < 100; t++) {
            int ok = 0;
            for (auto& r : nodes) {
                unsigned good = 0, dubious = 0, cached = 0, incoming = 0;
                r->getNodesStats(AF_INET, &good, &dubious, &cached, &incoming);
                ok += good >= 2;  // knows others: its operations are no longer queued (build notes)
            }
            if (ok == kNodes) {
                std::this_thread::sleep_for(1s);
                return true;
            }
            std::this_thread::sleep_for(100ms);
        }
        return false;
    }

    void listen_all() {
        for (int i = 0; i < kNodes; i++)
            nodes[i]->listen(key, [this, i](const std::vector<std::shared_ptr<dht::Value>>& vals, bool expired) {
                std::lock_guard<std::mutex> l(m);
                for (auto& v : vals) {
                    if (expired) held[i].erase(v->id);
                    else held[i][v->id] = std::string(v->data.begin(), v->data.end());
                }
                return true;
            });
    }

    std::shared_ptr<dht::Value> value(int node, dht::Value::Id id, std::uint16_t seq, const std::string& d) {
        auto v = std::make_shared<dht::Value>(kType.id, reinterpret_cast<const std::uint8_t*>(d.data()), d.size());
        v->id = id;
        v->seq = seq;
        v->sign(*ids[node].first);
        return v;
    }

    // Listeners other than `node` that hold value `id` with content `d`.
    int holding(int node, dht::Value::Id id, const std::string& d) {
        std::lock_guard<std::mutex> l(m);
        int ok = 0;
        for (int i = 0; i < kNodes; i++)
            if (i != node) {
                auto it = held[i].find(id);
                ok += it != held[i].end() && it->second == d;
            }
        return ok;
    }

    // Polls until every other listener holds (id, d) or `within` passes; returns how many do.
    int wait_held(int node, dht::Value::Id id, const std::string& d, std::chrono::milliseconds within) {
        const auto end = std::chrono::steady_clock::now() + within;
        int n = 0;
        while ((n = holding(node, id, d)) < kNodes - 1 && std::chrono::steady_clock::now() < end)
            std::this_thread::sleep_for(20ms);
        return n;
    }

    // Every node listens and publishes its first value (id 1000 + i); true once node 1's reached every listener.
    bool start() {
        if (!wait_connected()) return false;
        listen_all();
        for (int i = 0; i < kNodes; i++)
            nodes[i]->put(key, value(i, 1000 + i, 0, "page-" + std::to_string(i) + "-0"), [](bool) {},
                          dht::time_point::max(), true);
        return wait_held(1, 1001, "page-1-0", 5000ms) == kNodes - 1;
    }
};

TEST(OpenDhtEdits, NewValuePerEditReachesEveryListener) {
    Mesh mesh("pigeonhub-edit-new-");
    ASSERT_TRUE(mesh.start()) << "the first values did not reach every listener";
    dht::Value::Id current = 1001;
    for (int e = 1; e <= kEdits; e++) {
        const std::string d = "page-1-" + std::to_string(e);  // the edit number lives in the content
        const dht::Value::Id next = 1001 + 100 * e;
        const dht::Value::Id old = current;
        auto* node = mesh.nodes[1].get();
        node->put(mesh.key, mesh.value(1, next, 0, d), [node, key = mesh.key, old](bool) { node->cancelPut(key, old); },
                  dht::time_point::max(), true);
        current = next;
        const int n = mesh.wait_held(1, current, d, 2000ms);
        std::printf("new value per edit, edit %d: %d of %d other listeners hold it\n", e, n, kNodes - 1);
        EXPECT_EQ(n, kNodes - 1) << "edit " << e;
        std::this_thread::sleep_for(700ms);
    }
    // A withdrawal is one more new value (a tombstone, not refreshed).
    const std::string tomb = "page-1-withdrawn";
    auto* node = mesh.nodes[1].get();
    node->put(mesh.key, mesh.value(1, 9001, 0, tomb), [node, key = mesh.key, current](bool) { node->cancelPut(key, current); },
              dht::time_point::max(), false);
    EXPECT_EQ(mesh.wait_held(1, 9001, tomb, 2000ms), kNodes - 1);
}

// Disabled: a demonstration, not a check (run it with --gtest_also_run_disabled_tests).
TEST(OpenDhtEdits, DISABLED_InPlaceEditsAreWhatTheMeshAvoids) {
    Mesh mesh("pigeonhub-edit-inplace-");
    ASSERT_TRUE(mesh.start()) << "the first values did not reach every listener";
    int worst = kNodes - 1;
    for (int e = 1; e <= kEdits; e++) {
        const std::string d = "page-1-" + std::to_string(e);
        mesh.nodes[1]->cancelPut(mesh.key, 1001);
        mesh.nodes[1]->put(mesh.key, mesh.value(1, 1001, static_cast<std::uint16_t>(e), d), [](bool) {},
                           dht::time_point::max(), true);
        const int n = mesh.wait_held(1, 1001, d, 2000ms);
        worst = std::min(worst, n);
        std::printf("in place, edit %d: %d of %d other listeners hold it\n", e, n, kNodes - 1);
        std::this_thread::sleep_for(700ms);
    }
    // Not asserted: the loss is intermittent (about half of the runs here). Recorded for the test log.
    RecordProperty("in_place_worst_listeners_holding_edit", worst);
}

}  // namespace
