// The hub mesh on the in-memory DHT: two and three hubs in one process, each a Router, a RecordingOutbox and a
// HubMesh over its own FakeDht node. Deterministic: the fake's clock moves only when a test says so.
#include "mesh/hub_mesh.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "fake_dht.h"
#include "mesh/mesh_records.h"
#include "recording_outbox.h"

using namespace pigeonhub;
using pigeonhub::testing::FakeDht;
using pigeonhub::testing::FakeDhtNet;
using pigeonhub::testing::RecordingOutbox;

namespace {

std::string peer(char c) { return std::string(40, c); }
std::string hub(char c) { return std::string(39, 'f') + c; }

// A routed message of `type` from a client: `data` (a JSON object) to `target` in `ns`.
std::string signal(const std::string& type, const std::string& data, const std::string& target,
                   const std::string& ns = "room") {
    return R"({"type":")" + type + R"(","data":)" + data + R"(,"targetPeerId":")" + target + R"(","networkName":")" + ns + "\"}";
}

// One hub: its router, what it sent to its clients, its mesh over a fake DHT node.
struct TestHub {
    // Every hub tells the time by the fake DHT's clock.
    TestHub(FakeDhtNet& net, asio::io_context& io, const MeshOptions& options, const std::string& id)
        : dht(net.node(id)),
          router(SignalingOptions{}),
          mesh(io, options, 10000, router, out, *dht, [&net] { return 1'700'000'000'000 + net.now_ms(); }) {
        router.set_mesh(&mesh);
        mesh.start();
    }
    ~TestHub() { router.set_mesh(nullptr); }

    Slot join(const std::string& peer_id, const std::string& ns, const std::string& data = "") {
        auto r = router.admit(peer_id, out, 1000);
        EXPECT_TRUE(r.accepted);
        router.greet(r.slot, out, 1000);
        std::string msg = R"({"type":"announce","networkName":")" + ns + "\"";
        if (!data.empty()) msg += ",\"data\":" + data;
        router.on_message(r.slot, msg + "}", out, 1000);
        return r.slot;
    }
    void send(Slot s, const std::string& text) { router.on_message(s, text, out, 2000); }
    void leave(Slot s) { router.on_disconnect(s, out, 3000); }

    // Frames sent to `s` so far that contain every one of `parts`.
    std::vector<std::string> frames(Slot s, std::initializer_list<std::string> parts) {
        std::vector<std::string> found;
        for (const auto& f : out.sent[s]) {
            bool all = true;
            for (const auto& p : parts) all = all && f.find(p) != std::string::npos;
            if (all) found.push_back(f);
        }
        return found;
    }
    std::size_t discovered(Slot s, const std::string& id) {
        return frames(s, {R"("type":"peer-discovered")", R"("peerId":")" + id + "\""}).size();
    }
    std::size_t disconnected(Slot s, const std::string& id) {
        return frames(s, {R"("type":"peer-disconnected")", R"("peerId":")" + id + "\""}).size();
    }

    std::unique_ptr<FakeDht> dht;
    Router router;
    RecordingOutbox out;
    HubMesh mesh;
};

class HubMeshTest : public ::testing::Test {
protected:
    HubMeshTest() { config.app_id = "mesh-test"; }
    std::unique_ptr<TestHub> start(char c) {
        auto h = std::make_unique<TestHub>(net, io, config, hub(c));
        net.settle();
        return h;
    }

    // Peer 1 on A and peer 2 on B in "room", discovered both ways, and A's link key already at B (a first offer
    // went through): what a test does next is only about the signals.
    std::pair<Slot, Slot> linked(TestHub& A, TestHub& B) {
        Slot a = A.join(peer('1'), "room");
        Slot b = B.join(peer('2'), "room");
        net.settle();
        A.send(a, signal("offer", R"({"sdp":"key"})", peer('2')));
        net.settle();
        return {a, b};
    }

    MeshOptions config;
    asio::io_context io;
    FakeDhtNet net{io};
};

}  // namespace

TEST_F(HubMeshTest, DiscoveryBothWaysThenDeparture) {
    auto A = start('a'), B = start('b');
    Slot a = A->join(peer('1'), "room", R"({"nick":"one"})");
    Slot b = B->join(peer('2'), "room");
    net.settle();
    EXPECT_EQ(A->discovered(a, peer('2')), 1u);
    ASSERT_EQ(B->discovered(b, peer('1')), 1u);
    EXPECT_NE(B->frames(b, {R"("nick":"one")", R"("networkName":"room")"}).size(), 0u) << "data and namespace kept";
    B->leave(b);
    net.settle();
    EXPECT_EQ(A->disconnected(a, peer('2')), 1u);
    EXPECT_EQ(A->mesh.remote_peers(), 0u);
}

TEST_F(HubMeshTest, ThreeHubsAndNamespaceIsolation) {
    auto A = start('a'), B = start('b'), C = start('c');
    Slot a = A->join(peer('1'), "x");
    Slot b = B->join(peer('2'), "x");
    Slot c = C->join(peer('3'), "y");
    net.settle();
    EXPECT_EQ(A->discovered(a, peer('2')), 1u);
    EXPECT_EQ(B->discovered(b, peer('1')), 1u);
    EXPECT_EQ(A->discovered(a, peer('3')), 0u);
    EXPECT_EQ(C->frames(c, {R"("type":"peer-discovered")"}).size(), 0u);
    // A signal into the other namespace does not cross.
    C->send(c, signal("offer", R"({"sdp":"x"})", peer('1'), "y"));
    net.settle();
    EXPECT_EQ(A->frames(a, {R"("type":"offer")"}).size(), 0u);
}

TEST_F(HubMeshTest, ReannounceWithNewDataIsHeard) {
    auto A = start('a'), B = start('b');
    Slot a = A->join(peer('1'), "room");
    Slot b = B->join(peer('2'), "room", R"({"v":1})");
    net.settle();
    B->send(b, R"({"type":"announce","networkName":"room","data":{"v":2}})");
    net.settle();
    EXPECT_EQ(A->frames(a, {R"("peerId":")" + peer('2') + "\"", R"("v":2)"}).size(), 1u);
}

// A killed hub's records expire one lease later; the expiry is confirmed by a lookup before anyone is told.
TEST_F(HubMeshTest, DeadHubsPeersGoAfterOneLease) {
    auto A = start('a'), B = start('b');
    Slot a = A->join(peer('1'), "room");
    B->join(peer('2'), "room");
    net.settle();
    ASSERT_EQ(A->discovered(a, peer('2')), 1u);
    net.kill(hub('b'));
    net.advance(29000);
    net.settle(500);
    EXPECT_EQ(A->disconnected(a, peer('2')), 0u) << "still within the lease";
    net.advance(2000);
    net.settle();
    EXPECT_EQ(A->disconnected(a, peer('2')), 1u);
}

// Superseded edits of a page stay on the DHT until they expire: their expiry, in any order, changes nothing.
TEST_F(HubMeshTest, ExpiryOfReplacedEditsIsIgnored) {
    auto A = start('a'), B = start('b');
    Slot a = A->join(peer('1'), "room");
    B->join(peer('2'), "room");
    net.settle();
    B->join(peer('3'), "room");  // a second edit of B's page
    net.settle();
    ASSERT_EQ(A->discovered(a, peer('3')), 1u);
    net.advance(31000);  // the first edit expires; the second is still announced
    net.settle();
    EXPECT_EQ(A->disconnected(a, peer('2')), 0u);
    EXPECT_EQ(A->disconnected(a, peer('3')), 0u);
    EXPECT_EQ(A->mesh.remote_peers(), 2u);
}

TEST_F(HubMeshTest, SealedSignalDeliveredOnceAndReplayRefused) {
    auto A = start('a'), B = start('b');
    Slot a = A->join(peer('1'), "room");
    Slot b = B->join(peer('2'), "room");
    net.settle();
    A->send(a, R"({"type":"offer","data":{"sdp":"v=0"},"targetPeerId":")" + peer('2') + R"(","networkName":"room","fromPeerId":")" + peer('9') + "\"}");
    net.settle();
    auto offers = B->frames(b, {R"("type":"offer")"});
    ASSERT_EQ(offers.size(), 1u);
    EXPECT_NE(offers[0].find(R"("fromPeerId":")" + peer('1') + "\""), std::string::npos) << "the real sender";
    // Anyone on the DHT may put the sealed bytes again: the receiving hub refuses the replay.
    const std::string inbox = mesh::inbox_key(config.app_id, hub('b'));
    for (const auto& v : net.stored(inbox))
        if (v.owner.empty()) net.replay(inbox, v);
    net.settle();
    EXPECT_EQ(B->frames(b, {R"("type":"offer")"}).size(), 1u);
    EXPECT_GE(B->mesh.stats().signals_unopened, 1u);
}

// A restarted hub has lost the link keys: it holds the sealed signal, asks the sender for its key, then delivers.
TEST_F(HubMeshTest, KeyRequestAfterRestart) {
    auto A = start('a');
    auto B = start('b');
    Slot a = A->join(peer('1'), "room");
    Slot b = B->join(peer('2'), "room");
    net.settle();
    A->send(a, signal("offer", R"({"sdp":"first"})", peer('2')));
    net.settle();
    ASSERT_EQ(B->frames(b, {R"("sdp":"first")"}).size(), 1u);
    B.reset();  // the process ends; a new one starts under the same identity
    net.kill(hub('b'));
    B = start('b');
    Slot b2 = B->join(peer('3'), "room");
    net.settle();
    ASSERT_EQ(A->discovered(a, peer('3')), 1u);
    A->send(a, signal("offer", R"({"sdp":"after"})", peer('3')));
    net.settle();
    EXPECT_EQ(B->frames(b2, {R"("sdp":"after")"}).size(), 1u);
    EXPECT_GE(B->mesh.stats().link_keys_received, 1u);
    EXPECT_EQ(B->mesh.stats().signals_unopened, 0u);
}

// Each signal travels as its own DHT value; a burst delivered out of order arrives in order.
TEST_F(HubMeshTest, OrderKeptWhenTheDhtReorders) {
    auto A = start('a'), B = start('b');
    auto [a, b] = linked(*A, *B);
    net.jitter_ms = 40;
    net.seed = 7;
    for (int i = 0; i < 30; ++i)
        A->send(a, signal("ice-candidate", R"({"candidate":"c)" + std::to_string(i) + "\"}", peer('2')));
    net.settle();
    auto got = B->frames(b, {R"("type":"ice-candidate")"});
    ASSERT_EQ(got.size(), 30u);
    for (int i = 0; i < 30; ++i)
        EXPECT_NE(got[i].find(R"("candidate":"c)" + std::to_string(i) + "\""), std::string::npos) << i;
}

// Some signals are lost on the way and the rest reordered: what arrives is delivered in order, and signals after
// a lost one are released once their wait for it runs out (signal_order.h), by the fake's clock.
TEST_F(HubMeshTest, OrderKeptWhenTheDhtLosesAndReorders) {
    auto A = start('a'), B = start('b');
    auto [a, b] = linked(*A, *B);
    net.jitter_ms = 40;
    net.loss = 0.3;
    net.seed = 11;
    constexpr int kSent = 40;
    for (int i = 0; i < kSent; ++i)
        A->send(a, signal("ice-candidate", R"({"candidate":"c)" + std::to_string(i) + "\"}", peer('2')));
    net.settle();
    net.advance(300);  // past the wait for a missing predecessor
    B->mesh.tick();
    net.settle();
    std::vector<int> got;
    for (const auto& f : B->frames(b, {R"("type":"ice-candidate")"})) {
        const auto at = f.find(R"("candidate":"c)") + 14;
        got.push_back(std::stoi(f.substr(at)));
    }
    ASSERT_FALSE(got.empty());
    EXPECT_LT(got.size(), static_cast<std::size_t>(kSent)) << "the fake lost some (else this test shows nothing)";
    EXPECT_GE(got.size(), static_cast<std::size_t>(kSent / 2));
    for (std::size_t i = 1; i < got.size(); ++i) EXPECT_LT(got[i - 1], got[i]) << "delivered in order";
    EXPECT_EQ(B->mesh.stats().signals_received, got.size() + 1) << "every signal that arrived was delivered (and the offer)";
}

// Whatever a remote page says, a peer is never announced as a hub, and its peerId is its own.
TEST_F(HubMeshTest, RemotePagesCannotMakeAPeerAHub) {
    auto A = start('a');
    Slot a = A->join(peer('1'), "room");
    net.settle();
    auto other = net.node(hub('r'));  // any key holder on the DHT, writing its own page by hand
    mesh::PresencePage page{hub('r'), "room", {{peer('7'), R"({"peerId":")" + peer('7') + R"(","isHub":true,"nick":"x"})"}}, 0, 1};
    other->publish(mesh::presence_key(config.app_id, "room"), 1, mesh::encode_presence(page));
    net.settle();
    auto seen = A->frames(a, {R"("type":"peer-discovered")", peer('7')});
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_NE(seen[0].find(R"("isHub":false)"), std::string::npos) << seen[0];
    EXPECT_EQ(seen[0].find(R"("isHub":true)"), std::string::npos) << seen[0];
    EXPECT_NE(seen[0].find(R"("nick":"x")"), std::string::npos) << "the peer's own fields stay";
}

// A hub that stops gracefully withdraws its pages: the others hear of its peers' departure at once.
TEST_F(HubMeshTest, GracefulStopWithdrawsPagesAtOnce) {
    auto A = start('a'), B = start('b');
    Slot a = A->join(peer('1'), "room");
    B->join(peer('2'), "room");
    net.settle();
    B->mesh.stop();
    net.settle(100);
    EXPECT_EQ(A->disconnected(a, peer('2')), 1u) << "a tombstone, not the lease";
}
