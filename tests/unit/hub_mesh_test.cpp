// The hub mesh on the in-memory DHT: two and three hubs in one process, each a Router, a RecordingOutbox and a
// HubMesh over its own FakeDht node. Deterministic: the fake's clock moves only when a test says so.
#include "mesh/hub_mesh.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fake_dht.h"
#include "mesh/hub_link.h"
#include "mesh/mesh_limits.h"
#include "mesh/mesh_records.h"
#include "mesh/page_signature.h"
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

// The mesh CA of these tests: a hub is issued when its id is in `issued`, and its certificate is "cert:<id>" (what
// FakeDht::certificate() shows). Checks like mesh_ca::verifier(): the certificate must be the signer's own and
// issued; counts its calls.
struct FakeCa {
    std::set<std::string> issued;
    int checks = 0;
    Membership::Verifier verifier() {
        return [this](std::string_view hub, std::string_view cert, std::int64_t) {
            ++checks;
            Membership::CertCheck c;
            if (cert != "cert:" + std::string(hub)) c.problem = "its certificate is for another key";
            else if (!issued.count(std::string(hub))) c.problem = "its certificate does not chain to the mesh CA";
            return c;
        };
    }
};

// One hub: its router, what it sent to its clients, its mesh over a fake DHT node.
struct TestHub {
    // Every hub tells the time by the fake DHT's clock.
    TestHub(FakeDhtNet& net, asio::io_context& io, const MeshOptions& options, const std::string& id, FakeCa& ca)
        : dht(net.node(id)),
          router(SignalingOptions{}),
          mesh(io, options, 10000, router, out, *dht, ca.verifier(), {},
               [&net] { return 1'700'000'000'000 + net.now_ms(); }) {
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
    HubMeshTest() {
        config.app_id = "mesh-test";
        config.trust = MeshTrust::ca;
    }
    // A hub issued by the CA (unless `issued` is false), started.
    std::unique_ptr<TestHub> start(char c, bool issued = true) {
        if (issued) ca.issued.insert(hub(c));
        auto h = std::make_unique<TestHub>(net, io, config, hub(c), ca);
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

    // What a DHT node that is no hub (or is one, written by hand) puts: its page in `ns` listing `peers` (as a
    // plain value signed with its page key, page_key_of(its id), as hubs put them), its hub record (showing that
    // key), a key request to `to`.
    static data::Ed25519Key page_key_of(const std::string& hub_id) {
        std::array<std::uint8_t, 32> seed{};
        seed.fill(static_cast<std::uint8_t>(hub_id.back()));
        return data::Ed25519Key::from_seed(seed);
    }
    std::string signed_page(const mesh::PresencePage& page, const data::Ed25519Key& key) const {
        return mesh::sign_page(mesh::presence_key(config.app_id, page.network, config.namespace_buckets), mesh::encode_presence(page), key);
    }
    void put_page(FakeDht& node, const std::string& ns, const std::vector<std::string>& peers, std::uint64_t seq = 1) {
        mesh::PresencePage page{node.hub_id(), ns, {}, 0, seq};
        for (const auto& p : peers) page.peers.push_back({p, R"({"peerId":")" + p + "\"}"});
        node.publish(mesh::presence_key(config.app_id, ns, config.namespace_buckets), mesh::presence_page_id(node.hub_id(), ns, 0),
                     signed_page(page, page_key_of(node.hub_id())), RecordSigning::in_data);
    }
    void put_hub_record(FakeDht& node, const std::string& url, std::uint64_t updated = 1) {
        mesh::HubRecord h;
        h.hub_id = node.hub_id();
        h.url = url;
        h.updated_ms = updated;
        h.certificate = node.certificate();
        h.page_key = mesh::page_key_hex(page_key_of(node.hub_id()).public_key);
        node.publish(mesh::hubs_key(config.app_id), mesh::hub_record_id(h.hub_id), mesh::encode_hub(h));
    }
    static std::uint64_t refused(const MeshStats& s, Refusal r) { return s.refused_reason[static_cast<std::size_t>(r)]; }
    static std::uint64_t refused(const MeshStats& s, RecordKind k) { return s.refused_kind[static_cast<std::size_t>(k)]; }
    static bool lists(const TestHub& h, const std::string& id) {
        for (const auto& r : h.mesh.hubs())
            if (r.hub_id == id) return true;
        return false;
    }

    MeshOptions config;
    FakeCa ca;
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

// Whatever a remote page says, a peer is never announced as a hub, and its peerId is its own (in an open mesh, where
// any key holder's page counts).
TEST_F(HubMeshTest, RemotePagesCannotMakeAPeerAHub) {
    config.trust = MeshTrust::open;
    auto A = start('a');
    Slot a = A->join(peer('1'), "room");
    net.settle();
    auto other = net.node(hub('r'));  // any key holder on the DHT, writing its hub record and its page by hand
    put_hub_record(*other, "ws://r.example/");
    mesh::PresencePage page{hub('r'), "room", {{peer('7'), R"({"peerId":")" + peer('7') + R"(","isHub":true,"nick":"x"})"}}, 0, 1};
    other->publish(mesh::presence_key(config.app_id, "room", config.namespace_buckets), 1, signed_page(page, page_key_of(hub('r'))),
                   RecordSigning::in_data);
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

TEST_F(HubMeshTest, GracefulStopWithdrawsTheHubRecordAtOnce) {
    auto A = start('a'), B = start('b');
    ASSERT_TRUE(lists(*A, hub('b')));
    B->mesh.stop();
    net.settle(100);
    EXPECT_FALSE(lists(*A, hub('b'))) << "a tombstone, not the lease";
    // An older record of B heard after its tombstone does not list it again; a newer one (B restarted) does.
    auto b = net.node(hub('b'));
    put_hub_record(*b, "wss://b.example/", 1);
    net.settle();
    EXPECT_FALSE(lists(*A, hub('b')));
    put_hub_record(*b, "wss://b.example/", ~0ull >> 1);
    net.settle();
    EXPECT_TRUE(lists(*A, hub('b')));
}

// A tombstone signed by a hub that is not listed (a rogue, a non-member) admits and removes nothing.
TEST_F(HubMeshTest, AHubTombstoneOfAnotherSignerIsIgnored) {
    auto A = start('a');
    start('b');
    auto rogue = net.node(hub('r'));
    mesh::HubRecord h;
    h.hub_id = hub('b');  // claims to withdraw B, signed by the rogue
    h.updated_ms = ~0ull >> 1;
    h.withdrawn = true;
    rogue->publish(mesh::hubs_key(config.app_id), mesh::hub_record_id(hub('r')), mesh::encode_hub(h));
    h.hub_id = hub('r');  // its own tombstone: not listed, so nothing
    rogue->publish(mesh::hubs_key(config.app_id), mesh::hub_record_id(hub('r')) + 1, mesh::encode_hub(h));
    net.settle();
    EXPECT_TRUE(lists(*A, hub('b')));
    EXPECT_FALSE(lists(*A, hub('r')));
}

// A DHT node that is no hub of the CA mesh signs with its own key: its pages (a phantom peer, a claim on a real
// peer of B), its hub record with a URL, its key request: none has any effect, and each is counted.
TEST_F(HubMeshTest, RogueSignerIsNoHub) {
    auto A = start('a'), B = start('b');
    auto [a, b] = linked(*A, *B);
    auto rogue = net.node(hub('r'));
    put_page(*rogue, "room", {peer('7'), peer('2')});
    net.settle();
    EXPECT_EQ(A->discovered(a, peer('7')), 0u) << "no phantom";
    EXPECT_EQ(A->mesh.stats().records_pending, 1u) << "its page waits for a certificate that never comes";
    put_hub_record(*rogue, "wss://evil.example/");
    rogue->send_encrypted(mesh::inbox_key(config.app_id, hub('a')), hub('a'), hub_link::encode_key_request(1));
    net.settle();
    EXPECT_FALSE(lists(*A, hub('r')));
    EXPECT_TRUE(lists(*A, hub('b')));
    const MeshStats s = A->mesh.stats();
    EXPECT_EQ(s.records_pending, 0u) << "dropped once its hub record is refused";
    EXPECT_EQ(refused(s, Refusal::bad_certificate), 1u);
    EXPECT_EQ(refused(s, RecordKind::hub_record), 1u);
    EXPECT_EQ(refused(s, RecordKind::presence), 1u);
    EXPECT_EQ(refused(s, RecordKind::key_request), 1u);
    EXPECT_EQ(s.link_keys_sent, 1u) << "only B's";
    // Peer 2 is still B's: A's next offer reaches it there.
    A->send(a, signal("offer", R"({"sdp":"second"})", peer('2')));
    net.settle();
    EXPECT_EQ(B->frames(b, {R"("sdp":"second")"}).size(), 1u);
    EXPECT_EQ(A->discovered(a, peer('7')), 0u);
    // Its later pages are refused at once.
    put_page(*rogue, "room", {peer('8')}, 2);
    net.settle();
    EXPECT_EQ(A->discovered(a, peer('8')), 0u);
    EXPECT_EQ(refused(A->mesh.stats(), RecordKind::presence), 2u);
}

// A rogue shows a member's certificate as its own: the certificate is not for its key.
TEST_F(HubMeshTest, ACopiedCertificateAdmitsNoOne) {
    auto A = start('a');
    Slot a = A->join(peer('1'), "room");
    start('b');
    auto rogue = net.node(hub('r'));
    rogue->certificate_ = "cert:" + hub('b');
    put_hub_record(*rogue, "wss://evil.example/");
    put_page(*rogue, "room", {peer('7')});
    net.settle();
    EXPECT_FALSE(lists(*A, hub('r')));
    EXPECT_EQ(A->discovered(a, peer('7')), 0u);
    EXPECT_EQ(refused(A->mesh.stats(), Refusal::bad_certificate), 1u);
}

// A signer that never shows a hub record: its pages wait kPendingMs, then count as refused.
TEST_F(HubMeshTest, PagesOfAnUnknownSignerRunOut) {
    auto A = start('a');
    Slot a = A->join(peer('1'), "room");
    net.settle();
    auto rogue = net.node(hub('r'));
    put_page(*rogue, "room", {peer('7')});
    net.settle();
    ASSERT_EQ(A->mesh.stats().records_pending, 1u);
    net.advance(mesh::kPendingMs);
    A->mesh.tick();
    EXPECT_EQ(A->mesh.stats().records_pending, 0u);
    EXPECT_EQ(refused(A->mesh.stats(), Refusal::not_member), 1u);
    EXPECT_EQ(A->discovered(a, peer('7')), 0u);
}

// A member's page may arrive before its hub record: it waits, and counts once the certificate is checked.
TEST_F(HubMeshTest, AMembersPageBeforeItsHubRecordWaits) {
    auto A = start('a');
    Slot a = A->join(peer('1'), "room");
    net.settle();
    ca.issued.insert(hub('m'));
    auto m = net.node(hub('m'));
    put_page(*m, "room", {peer('5')});
    net.settle();
    ASSERT_EQ(A->discovered(a, peer('5')), 0u);
    put_hub_record(*m, "ws://m.example/");
    net.settle();
    EXPECT_EQ(A->discovered(a, peer('5')), 1u);
    EXPECT_TRUE(lists(*A, hub('m')));
    EXPECT_EQ(A->mesh.stats().records_pending, 0u);
    const int checks = ca.checks;
    put_hub_record(*m, "ws://m.example/", 2);
    net.settle();
    EXPECT_EQ(ca.checks, checks) << "a certificate is checked once per hub";
}

// Revoking a hub: its peers are gone at once, it leaves /hubs, signals are no longer sent to it, and its later
// records are refused. Un-revoked, its next hub record admits it again.
TEST_F(HubMeshTest, ARevokedHubIsDroppedAtOnce) {
    auto A = start('a'), B = start('b');
    auto [a, b] = linked(*A, *B);
    A->mesh.set_revoked({hub('b')});
    net.settle();
    EXPECT_EQ(A->disconnected(a, peer('2')), 1u);
    EXPECT_FALSE(lists(*A, hub('b')));
    const auto sent = A->mesh.stats().signals_sent;
    A->send(a, signal("offer", R"({"sdp":"after"})", peer('2')));
    net.settle();
    EXPECT_EQ(A->mesh.stats().signals_sent, sent);
    EXPECT_EQ(B->frames(b, {R"("sdp":"after")"}).size(), 0u);
    B->join(peer('3'), "room");  // a new edit of B's page
    net.settle();
    EXPECT_EQ(A->discovered(a, peer('3')), 0u);
    EXPECT_GE(refused(A->mesh.stats(), Refusal::revoked), 1u);

    A->mesh.set_revoked({});
    net.advance(std::chrono::duration_cast<std::chrono::milliseconds>(mesh::kHubRecordPeriod).count());
    for (int i = 0; i < 10; ++i) B->mesh.tick();  // B re-publishes its hub record
    net.settle();
    EXPECT_TRUE(lists(*A, hub('b')));
    B->join(peer('4'), "room");
    net.settle();
    EXPECT_EQ(A->discovered(a, peer('4')), 1u);
}

// A hub alone (MESH_TRUST=single) counts no other signer.
TEST_F(HubMeshTest, ASingleHubCountsNoOther) {
    config.trust = MeshTrust::single;
    auto A = start('a');
    Slot a = A->join(peer('1'), "room");
    auto B = start('b');
    B->join(peer('2'), "room");
    net.settle();
    EXPECT_EQ(A->discovered(a, peer('2')), 0u);
    EXPECT_FALSE(lists(*A, hub('b')));
    EXPECT_GE(refused(A->mesh.stats(), Refusal::not_member), 1u);
}

// Pages are plain values: anyone can put one naming a member hub. One not signed with that hub's page key (the key
// in its hub record) adds no peer and is counted as refused; the member's own pages still count.
TEST_F(HubMeshTest, AForgedPageOfAMemberIsRefused) {
    auto A = start('a'), B = start('b');
    auto [a, b] = linked(*A, *B);
    auto rogue = net.node(hub('r'));
    mesh::PresencePage forged{hub('b'), "room", {{peer('7'), R"({"peerId":")" + peer('7') + "\"}"}}, 5, ~0ull >> 1};
    rogue->publish(mesh::presence_key(config.app_id, "room", config.namespace_buckets), 1, signed_page(forged, page_key_of(hub('r'))),
                   RecordSigning::in_data);
    // And B's page with a peer taken out and the old signature kept.
    forged.page = 0;
    forged.peers.clear();
    std::string stripped = signed_page(forged, page_key_of(hub('r')));
    rogue->publish(mesh::presence_key(config.app_id, "room", config.namespace_buckets), 2, std::move(stripped), RecordSigning::in_data);
    net.settle();
    EXPECT_EQ(A->discovered(a, peer('7')), 0u) << "no phantom";
    EXPECT_EQ(A->disconnected(a, peer('2')), 0u) << "B's peer not taken away";
    EXPECT_EQ(refused(A->mesh.stats(), Refusal::bad_signature), 2u);
    EXPECT_EQ(refused(A->mesh.stats(), RecordKind::presence), 2u);
    B->join(peer('3'), "room");
    net.settle();
    EXPECT_EQ(A->discovered(a, peer('3')), 1u) << "B's real edits still count";
}

// A member's genuine page copied under another namespace's key: it names its own namespace (ignored as invalid), and
// with the namespace in it rewritten its signature fails (the signature covers the page and the DHT key).
TEST_F(HubMeshTest, AGenuinePageCannotBeReplayedInAnotherNamespace) {
    auto A = start('a'), B = start('b');
    Slot a = A->join(peer('1'), "other");
    B->join(peer('2'), "room");
    net.settle();
    ASSERT_EQ(A->discovered(a, peer('2')), 0u);
    std::string genuine;
    for (const auto& v : net.stored(mesh::presence_key(config.app_id, "room", config.namespace_buckets)))
        if (v.data.find(peer('2')) != std::string::npos) genuine = v.data;
    ASSERT_FALSE(genuine.empty());
    auto rogue = net.node(hub('r'));
    const auto invalid = A->mesh.stats().records_invalid;
    rogue->send_plain(mesh::presence_key(config.app_id, "other", config.namespace_buckets), genuine);
    std::string moved = genuine;
    moved.replace(moved.find(R"("network":"room")"), 16, R"("network":"other")");
    rogue->send_plain(mesh::presence_key(config.app_id, "other", config.namespace_buckets), moved);
    net.settle();
    EXPECT_EQ(A->discovered(a, peer('2')), 0u);
    EXPECT_EQ(A->mesh.stats().records_invalid, invalid + 1);
    EXPECT_EQ(refused(A->mesh.stats(), Refusal::bad_signature), 1u);
}

// Namespaces share presence keys (MESH_NAMESPACE_BUCKETS): however many names a hub's clients walk through, it
// listens to at most that many keys, and to none once they are empty (issue 15: OpenDHT keeps a key's search state
// an hour after the listen ends, so the number of keys is what must be bounded).
TEST_F(HubMeshTest, PresenceListensAreBoundedByBucketsAndCancelledWhenEmpty) {
    config.namespace_buckets = 4;
    auto A = start('a');
    const std::string prefix = "pigeonhub/" + config.app_id + "/nsb/";
    std::vector<Slot> slots;
    for (int i = 0; i < 40; ++i) {
        const char hex[] = "0123456789abcdef";
        slots.push_back(A->join(std::string(38, 'a') + hex[i / 16] + hex[i % 16], "ns-" + std::to_string(i)));
    }
    net.settle();
    EXPECT_EQ(net.listens(hub('a'), prefix), 4u) << "40 namespaces, 4 keys";
    for (std::size_t i = 0; i + 1 < slots.size(); ++i) A->leave(slots[i]);
    net.settle();
    EXPECT_EQ(net.listens(hub('a'), prefix), 1u) << "the last namespace's key only";
    A->leave(slots.back());
    net.settle();
    EXPECT_EQ(net.listens(hub('a'), prefix), 0u) << "every namespace empty: no presence listen left";
    Slot again = A->join(peer('9'), "ns-0");
    net.settle();
    EXPECT_EQ(net.listens(hub('a'), prefix), 1u) << "listened again";
    A->leave(again);
    config.namespace_buckets = 0;  // one key per namespace: a listen per namespace, cancelled likewise
    auto B = start('b');
    Slot b1 = B->join(peer('1'), "x"), b2 = B->join(peer('2'), "y");
    net.settle();
    EXPECT_EQ(net.listens(hub('b'), "pigeonhub/" + config.app_id + "/ns/"), 2u);
    B->leave(b1);
    B->leave(b2);
    net.settle();
    EXPECT_EQ(net.listens(hub('b'), "pigeonhub/" + config.app_id + "/ns/"), 0u);
}

// Every namespace in one bucket: a hub hears the pages of the bucket's other namespaces and ignores them (counted);
// a namespace joined while its key is listened to already gets the pages the key holds; an emptied and re-joined
// namespace is discovered both ways again.
TEST_F(HubMeshTest, NamespacesSharingAKeyStayApartAndRejoinWorks) {
    config.namespace_buckets = 1;
    auto A = start('a'), B = start('b');
    Slot b = B->join(peer('2'), "room");
    Slot a1 = A->join(peer('1'), "other");  // A listens to the one key, hears B's page of "room"
    net.settle();
    EXPECT_EQ(A->discovered(a1, peer('2')), 0u) << "another namespace of the bucket";
    EXPECT_GT(A->mesh.stats().records_other_namespace, 0u);
    EXPECT_EQ(A->mesh.stats().records_invalid, 0u);
    Slot a3 = A->join(peer('3'), "room");  // the key is listened already: its pages come by a lookup
    net.settle();
    EXPECT_EQ(A->discovered(a3, peer('2')), 1u);
    EXPECT_EQ(B->discovered(b, peer('3')), 1u);
    EXPECT_EQ(B->discovered(b, peer('1')), 0u);
    A->leave(a3);
    A->leave(a1);
    net.settle();
    EXPECT_EQ(B->disconnected(b, peer('3')), 1u);
    EXPECT_EQ(net.listens(hub('a'), "pigeonhub/" + config.app_id + "/nsb/"), 0u);
    EXPECT_EQ(A->mesh.remote_peers(), 0u) << "remote peers of the emptied namespace forgotten";
    Slot a4 = A->join(peer('4'), "room");
    net.settle();
    EXPECT_EQ(A->discovered(a4, peer('2')), 1u) << "re-joined: discovered again";
    EXPECT_EQ(B->discovered(b, peer('4')), 1u) << "and the other way";
    B->leave(b);
    net.settle();
    EXPECT_EQ(A->disconnected(a4, peer('2')), 1u);
}

// A listen's first batch (or a lookup) holds a page's superseded edit beside its tombstone, the old one first: only
// the newest edit of each page in a batch is applied, so a peer that left is not announced to a newcomer.
TEST_F(HubMeshTest, AFirstBatchAppliesOnlyTheNewestEditOfEachPage) {
    auto A = start('a'), B = start('b');
    Slot b = B->join(peer('2'), "room");
    net.settle();
    B->leave(b);
    net.settle(200);  // the tombstone is put; the page's last edit is still stored (it lives one lease)
    ASSERT_GE(net.stored(mesh::presence_key(config.app_id, "room", config.namespace_buckets)).size(), 2u);
    Slot a = A->join(peer('1'), "room");
    net.settle();
    EXPECT_EQ(A->discovered(a, peer('2')), 0u) << "a peer that left is not announced";
    EXPECT_EQ(A->disconnected(a, peer('2')), 0u);
}

// In an open mesh every hub counts, but a page still needs its hub's record (for the page key): it waits for it.
TEST_F(HubMeshTest, InAnOpenMeshAPageWaitsForItsHubsPageKey) {
    config.trust = MeshTrust::open;
    auto A = start('a');
    Slot a = A->join(peer('1'), "room");
    net.settle();
    auto m = net.node(hub('m'));
    put_page(*m, "room", {peer('5')});
    net.settle();
    EXPECT_EQ(A->discovered(a, peer('5')), 0u);
    EXPECT_EQ(A->mesh.stats().records_pending, 1u);
    put_hub_record(*m, "ws://m.example/");
    net.settle();
    EXPECT_EQ(A->discovered(a, peer('5')), 1u);
    EXPECT_EQ(A->mesh.stats().records_pending, 0u);
}

// Record budgets (record_budget.h): a member hub that floods page edits is held to its budget (its newest edit
// waits and comes through at the next tick: nothing but intermediate edits is lost), while another hub's page in the
// same namespace is taken at once.
TEST_F(HubMeshTest, AMemberFloodingPagesIsThrottledAndAnHonestHubIsNot) {
    config.page_rate = 5;  // bursts of 10
    auto A = start('a'), B = start('b'), C = start('c');
    Slot b = B->join(peer('2'), "room");
    C->join(peer('3'), "room");
    net.settle();
    ASSERT_EQ(B->discovered(b, peer('3')), 1u);
    auto nth = [](int i) {
        std::string id = std::to_string(1000 + i);
        return std::string(40 - id.size(), 'a') + id;
    };
    constexpr int kFlood = 60;  // each join a new edit of A's page, ~1 ms apart
    for (int i = 0; i < kFlood; ++i) {
        A->join(nth(i), "room");
        net.settle();
        if (i == kFlood / 2) C->join(peer('4'), "room");
    }
    net.settle();
    EXPECT_EQ(B->discovered(b, peer('4')), 1u) << "the honest hub's edit was taken at once, during the flood";
    std::size_t seen = 0;
    for (int i = 0; i < kFlood; ++i) seen += B->discovered(b, nth(i));
    EXPECT_LT(seen, static_cast<std::size_t>(kFlood)) << "A is over its budget: its newest edit waits";
    MeshStats s = B->mesh.stats();
    EXPECT_GT(s.records_throttled, 0u);
    EXPECT_EQ(s.records_deferred, 1u) << "only the newest edit of the one page waits";
    EXPECT_EQ(s.hubs_throttled, 1u);
    EXPECT_EQ(refused(s, Refusal::rate_limited), 0u) << "nothing dropped";
    net.advance(1000);
    B->mesh.tick();
    net.settle();
    for (int i = 0; i < kFlood; ++i) EXPECT_EQ(B->discovered(b, nth(i)), 1u) << "after the tick, every peer of A: " << i;
    EXPECT_EQ(B->mesh.stats().records_deferred, 0u);
}

// A member hub's sealed signals beyond its budget are dropped and counted; another hub's signals still arrive.
TEST_F(HubMeshTest, AMemberFloodingSignalsIsThrottledAndAnHonestHubIsNot) {
    config.signal_rate = 5;  // bursts of 10
    auto A = start('a'), B = start('b'), C = start('c');
    auto [a, b] = linked(*A, *B);
    Slot c = C->join(peer('3'), "room");
    net.settle();
    constexpr int kFlood = 50;
    for (int i = 0; i < kFlood; ++i)
        A->send(a, signal("ice-candidate", R"({"candidate":"c)" + std::to_string(i) + "\"}", peer('2')));
    C->send(c, signal("offer", R"({"sdp":"honest"})", peer('2')));
    net.settle();
    const auto got = B->frames(b, {R"("type":"ice-candidate")"}).size();
    EXPECT_LT(got, static_cast<std::size_t>(kFlood));
    EXPECT_GE(got, 5u);
    const MeshStats s = B->mesh.stats();
    EXPECT_EQ(refused(s, Refusal::rate_limited), kFlood - got);
    EXPECT_EQ(refused(s, RecordKind::signal), kFlood - got);
    EXPECT_EQ(B->frames(b, {R"("sdp":"honest")"}).size(), 1u) << "C's offer came through";
}

// Replays of a member's genuine pages (anyone may put the bytes again) are stale and spend nothing of its budget.
TEST_F(HubMeshTest, ReplayedPagesDoNotSpendAHubsBudget) {
    config.page_rate = 5;  // bursts of 10
    auto A = start('a'), B = start('b');
    Slot b = B->join(peer('2'), "room");
    A->join(peer('1'), "room");
    net.settle();
    ASSERT_EQ(B->discovered(b, peer('1')), 1u);
    const std::string key = mesh::presence_key(config.app_id, "room", config.namespace_buckets);
    const auto before = B->mesh.stats().records_stale;
    const auto genuine = net.stored(key);
    for (int i = 0; i < 50; ++i)
        for (const auto& v : genuine)
            if (v.data.find(hub('a')) != std::string::npos) net.replay(key, v);
    net.settle();
    EXPECT_GE(B->mesh.stats().records_stale - before, 50u);
    A->join(peer('3'), "room");
    net.settle();
    EXPECT_EQ(B->discovered(b, peer('3')), 1u) << "A's next edit is taken at once: the replays spent none of its tokens";
    EXPECT_EQ(B->mesh.stats().records_throttled, 0u);
}
