#include "mesh/mesh_records.h"
#include "mesh/remote_directory.h"

#include <gtest/gtest.h>

using namespace pigeonhub;
using namespace pigeonhub::mesh;

namespace {
const std::string kPeer(40, 'a'), kHub(40, 'b'), kHub2(40, 'c');
}

TEST(MeshRecords, PresenceRoundTrip) {
    Presence p{kPeer, kHub, "net", R"({"peerId":")" + kPeer + R"(","isHub":false,"x":[1]})", false};
    auto d = decode_presence(encode_presence(p));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->peer_id, kPeer);
    EXPECT_EQ(d->hub_id, kHub);
    EXPECT_EQ(d->network, "net");
    EXPECT_EQ(d->data, p.data);
    EXPECT_FALSE(d->gone);
    p.gone = true;
    auto g = decode_presence(encode_presence(p));
    ASSERT_TRUE(g);
    EXPECT_TRUE(g->gone);
}

TEST(MeshRecords, PresenceRejectsInconsistentRecords) {
    // data.peerId must be the record's peer: a hub cannot advertise one id under another.
    Presence p{kPeer, kHub, "net", R"({"peerId":")" + std::string(40, '7') + R"(","isHub":false})", false};
    EXPECT_FALSE(decode_presence(encode_presence(p)));
    EXPECT_FALSE(decode_presence("not json"));
    EXPECT_FALSE(decode_presence(R"({"peerId":"short","hubId":"x","network":"n","data":{}})"));
    EXPECT_FALSE(decode_presence(R"({"peerId":")" + kPeer + R"(","hubId":"x","network":"n"})"));  // no data
}

TEST(MeshRecords, RecordIdsAreStableAndPerHub) {
    EXPECT_EQ(presence_record_id(kPeer, kHub), presence_record_id(kPeer, kHub));
    EXPECT_NE(presence_record_id(kPeer, kHub), presence_record_id(kPeer, kHub2));
    EXPECT_NE(presence_key("app", "n"), presence_key("other", "n"));  // APP_ID isolates meshes
    EXPECT_NE(presence_key("app", "n"), presence_key("app", "m"));
}

TEST(MeshRecords, SignalAndHubRoundTrip) {
    Signal s{kHub, 1234567890123ull, 42, kPeer, "n", R"({"type":"offer","data":{"sdp":"v=0"}})"};
    auto d = decode_signal(encode_signal(s));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->from, kHub);
    EXPECT_EQ(d->epoch, 1234567890123ull);
    EXPECT_EQ(d->seq, 42u);
    EXPECT_EQ(d->to, kPeer);
    EXPECT_EQ(d->msg, s.msg);
    EXPECT_FALSE(decode_signal(R"({"to":"x","network":"n","msg":"not an object"})"));
    HubRecord h{kHub, "wss://hub.example", "eu", "0.1.0", 5, 100};
    auto hd = decode_hub(encode_hub(h));
    ASSERT_TRUE(hd);
    EXPECT_EQ(hd->url, "wss://hub.example");
    EXPECT_EQ(hd->connections, 5u);
}

TEST(RemoteDirectory, UpsertMoveRemoveAndBound) {
    RemoteDirectory dir(2);
    auto head = share("h1");
    EXPECT_EQ(dir.upsert("n", kPeer, kHub, 1, head), RemoteDirectory::Change::added);
    EXPECT_EQ(dir.upsert("n", kPeer, kHub, 1, share("h1")), RemoteDirectory::Change::none);
    EXPECT_EQ(*dir.hub_of("n", kPeer), kHub);
    // The peer moved to another hub (new record id): the newest record wins.
    EXPECT_EQ(dir.upsert("n", kPeer, kHub2, 2, share("h1")), RemoteDirectory::Change::updated);
    EXPECT_EQ(*dir.hub_of("n", kPeer), kHub2);
    std::string ns, peer;
    EXPECT_EQ(dir.remove(1, &ns, &peer), RemoteDirectory::Change::none);  // the old hub's record: stale
    EXPECT_EQ(dir.upsert("n", std::string(40, 'd'), kHub, 3, share("x")), RemoteDirectory::Change::added);
    EXPECT_EQ(dir.upsert("n", std::string(40, 'e'), kHub, 4, share("y")), RemoteDirectory::Change::rejected);
    EXPECT_EQ(dir.rejected(), 1u);
    EXPECT_EQ(dir.remove(2, &ns, &peer), RemoteDirectory::Change::removed);
    EXPECT_EQ(peer, kPeer);
    EXPECT_EQ(dir.hub_of("n", kPeer), nullptr);
    int n = 0;
    dir.for_each("n", [&](const SharedText&) { ++n; });
    EXPECT_EQ(n, 1);
    dir.drop_namespace("n");
    EXPECT_EQ(dir.size(), 0u);
}
