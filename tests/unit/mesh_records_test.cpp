#include "mesh/mesh_records.h"
#include "mesh/remote_directory.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

using namespace pigeonhub;
using namespace pigeonhub::mesh;

namespace {
const std::string kPeer(40, 'a'), kHub(40, 'b'), kHub2(40, 'c');
}

TEST(MeshRecords, PresencePageRoundTrip) {
    const std::string data = R"({"peerId":")" + kPeer + R"(","isHub":false,"x":[1]})";
    PresencePage p{kHub, "net", {{kPeer, data}, {kHub2, R"({"peerId":")" + kHub2 + R"(","isHub":false})"}}, 3,
                   1764160000123456ull};
    auto d = decode_presence(encode_presence(p));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->hub_id, kHub);
    EXPECT_EQ(d->network, "net");
    EXPECT_EQ(d->page, 3u);
    EXPECT_EQ(d->seq, 1764160000123456ull);
    ASSERT_EQ(d->peers.size(), 2u);
    EXPECT_EQ(d->peers[0].peer_id, kPeer);
    EXPECT_EQ(d->peers[0].data, data);
    PresencePage empty{kHub, "net", {}, 0, 7};
    auto e = decode_presence(encode_presence(empty));
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->peers.empty());
}

TEST(MeshRecords, PresenceDropsInconsistentEntries) {
    // data.peerId must be the entry's peer: a hub cannot advertise one id under another.
    PresencePage p{kHub, "net", {{kPeer, R"({"peerId":")" + std::string(40, '7') + R"(","isHub":false})"},
                                 {"short", R"({"peerId":"short"})"}}, 0, 1};
    auto d = decode_presence(encode_presence(p));
    ASSERT_TRUE(d);
    EXPECT_TRUE(d->peers.empty());
    EXPECT_FALSE(decode_presence("not json"));
    EXPECT_FALSE(decode_presence(R"({"hubId":"x","network":"n"})"));  // no peers list
    // Every page names its index and edit number (receivers order a page's values by it).
    EXPECT_FALSE(decode_presence(R"({"hubId":"x","network":"n","page":0,"peers":[]})"));
    EXPECT_FALSE(decode_presence(R"({"hubId":"x","network":"n","seq":5,"peers":[]})"));
    EXPECT_FALSE(decode_presence(R"({"hubId":"x","network":"n","page":0,"seq":0,"peers":[]})"));
    EXPECT_FALSE(decode_presence(R"({"hubId":"x","network":"n","page":"0","seq":5,"peers":[]})"));
    EXPECT_FALSE(decode_presence(R"({"hubId":"x","network":"n","page":4294967296,"seq":5,"peers":[]})"));
    EXPECT_TRUE(decode_presence(R"({"hubId":"x","network":"n","page":0,"seq":5,"peers":[]})"));
}

TEST(MeshRecords, EditClockIncreasesAcrossRestarts) {
    EditClock c(1000);
    EXPECT_EQ(c.next(1000), 1001u);  // same microsecond: still one more
    EXPECT_EQ(c.next(900), 1002u);   // clock stepped back: still increasing
    EXPECT_EQ(c.next(5000), 5000u);
    EditClock restarted(6000);        // a later life starts above every edit of the earlier one
    EXPECT_GT(restarted.next(6000), 5000u);
}

TEST(MeshRecords, PageIdsAreStableAndDistinct) {
    EXPECT_EQ(presence_page_id(kHub, "n", 0), presence_page_id(kHub, "n", 0));
    EXPECT_NE(presence_page_id(kHub, "n", 0), presence_page_id(kHub2, "n", 0));
    EXPECT_NE(presence_page_id(kHub, "n", 0), presence_page_id(kHub, "n", 1));
    EXPECT_NE(presence_page_id(kHub, "n", 0), presence_page_id(kHub, "m", 0));
    EXPECT_NE(presence_key("app", "n", 0), presence_key("other", "n", 0));  // APP_ID isolates meshes
    EXPECT_NE(presence_key("app", "n", 0), presence_key("app", "m", 0));
}

TEST(MeshRecords, NamespacesShareOneKeyPerBucket) {
    // Every hub (and tests/integration/lib/rogue.mjs, which computes the same) must agree on these.
    EXPECT_EQ(namespace_bucket("room", 256), 169u);
    EXPECT_EQ(namespace_bucket("lobby", 256), 98u);
    EXPECT_EQ(presence_key("app", "room", 256), "pigeonhub/app/nsb/256/169");
    EXPECT_EQ(presence_key("app", "room", 0), "pigeonhub/app/ns/room");  // 0: one key per namespace
    EXPECT_NE(presence_key("app", "room", 256), presence_key("other", "room", 256));
    std::set<std::string> keys;
    for (int i = 0; i < 10000; ++i) keys.insert(presence_key("app", "ns-" + std::to_string(i), 64));
    EXPECT_EQ(keys.size(), 64u) << "10,000 names, 64 keys";
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
    HubRecord h{kHub, "wss://hub.example", "eu", "0.1.0", 5, 100, 1795474767368, "", false, ""};
    auto hd = decode_hub(encode_hub(h));
    ASSERT_TRUE(hd);
    EXPECT_EQ(hd->url, "wss://hub.example");
    EXPECT_EQ(hd->connections, 5u);
    EXPECT_EQ(hd->updated_ms, 1795474767368u);
    EXPECT_FALSE(hd->withdrawn);
    EXPECT_EQ(encode_hub(h).find("withdrawn"), std::string::npos) << "a live record says nothing of it";
    h.withdrawn = true;  // the tombstone of a draining hub
    hd = decode_hub(encode_hub(h));
    ASSERT_TRUE(hd);
    EXPECT_TRUE(hd->withdrawn);
}

TEST(RemoteDirectory, PagesAddChangeRemoveAndMove) {
    RemoteDirectory dir(3);
    const std::string a(40, 'a'), b(40, 'd'), c(40, 'e'), d(40, 'f');
    using E = RemoteDirectory::Entry;
    auto diff = dir.apply_page("n", kHub, 1, {E{a, share("ha")}, E{b, share("hb")}});
    EXPECT_EQ(diff.upserted.size(), 2u);
    EXPECT_EQ(*dir.hub_of("n", a), kHub);
    // Same page again: a unchanged, b's data changed, c new.
    diff = dir.apply_page("n", kHub, 1, {E{a, share("ha")}, E{b, share("hb2")}, E{c, share("hc")}});
    ASSERT_EQ(diff.upserted.size(), 2u);
    EXPECT_EQ(diff.upserted[0].peer, b);
    EXPECT_TRUE(diff.removed.empty());
    // Bound: a fourth peer is refused.
    diff = dir.apply_page("n", kHub2, 7, {E{d, share("hd")}});
    EXPECT_TRUE(diff.upserted.empty());
    EXPECT_EQ(dir.rejected(), 1u);
    // a moved to another hub's page: it belongs to that page now.
    diff = dir.apply_page("n", kHub2, 7, {E{a, share("ha")}});
    ASSERT_EQ(diff.upserted.size(), 1u);
    EXPECT_EQ(*dir.hub_of("n", a), kHub2);
    // The old page drops a: not removed (a newer page lists it); b leaves: removed.
    diff = dir.apply_page("n", kHub, 1, {E{c, share("hc")}});
    EXPECT_EQ(diff.removed, std::vector<std::string>{b});
    // The old page expires: c goes, a stays.
    std::string ns;
    diff = dir.drop_page(1, &ns);
    EXPECT_EQ(ns, "n");
    EXPECT_EQ(diff.removed, std::vector<std::string>{c});
    EXPECT_NE(dir.hub_of("n", a), nullptr);
    int n = 0;
    dir.for_each("n", [&](const SharedText&) { ++n; });
    EXPECT_EQ(n, 1);
    dir.drop_namespace("n");
    EXPECT_EQ(dir.size(), 0u);
    EXPECT_EQ(dir.hub_of("n", a), nullptr);
}
