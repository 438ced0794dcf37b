// The CLI's pure parts: keys derived as the hub derives them, URL and prompt parsing, output and the monitor table,
// argument errors (exit 2).
#include <gtest/gtest.h>

#include "cli/cli_args.h"
#include "cli/cli_format.h"
#include "cli/cli_parse.h"
#include "cli/monitor_table.h"
#include "data/data_record.h"
#include "mesh/mesh_records.h"
#include "mesh/page_signature.h"

namespace pigeonhub::cli {
namespace {

TEST(CliKeys, MatchTheHubsDerivation) {
    EXPECT_EQ(parse_key("app", 256, "ns:room1")->text, mesh::presence_key("app", "room1", 256));
    EXPECT_EQ(parse_key("app", 256, "hub:abc")->text, mesh::inbox_key("app", "abc"));
    EXPECT_EQ(parse_key("app", 256, "hubs")->text, mesh::hubs_key("app"));
    EXPECT_EQ(parse_key("app", 256, "topic:chat")->text, "pigeonhub/app/data/chat");  // DataService::dht_key
    EXPECT_FALSE(parse_key("app", 256, "ns:room1")->is_hash);
    auto hash = parse_key("app", 256, "0123456789ABCDEF0123456789abcdef01234567");
    ASSERT_TRUE(hash);
    EXPECT_TRUE(hash->is_hash);
    EXPECT_EQ(hash->text, "0123456789abcdef0123456789abcdef01234567");
    EXPECT_EQ(parse_key("app", 256, "plain text")->text, "plain text");
    std::string error;
    EXPECT_FALSE(parse_key("app", 256, "ns:", &error));
    EXPECT_FALSE(parse_key("app", 256, "", &error));
}

TEST(CliParse, HubUrlsAndLines) {
    EXPECT_EQ(*hub_base_url("http://127.0.0.1:3000/"), "http://127.0.0.1:3000");
    EXPECT_EQ(*hub_base_url("ws://h:1"), "http://h:1");
    EXPECT_EQ(*hub_base_url("h:1"), "http://h:1");
    EXPECT_FALSE(hub_base_url("https://h"));
    EXPECT_FALSE(hub_base_url("http://"));
    EXPECT_EQ(*split_line(R"(put 'a key' "v \"q\"" x\ y)"), (std::vector<std::string>{"put", "a key", "v \"q\"", "x y"}));
    EXPECT_FALSE(split_line("put 'open"));
    EXPECT_EQ(encode_path_segment("a b/ü"), "a%20b%2f%c3%bc");
}

// Page keys of the hubs of these tests: hub "aaa..." signs with key_of('a').
data::Ed25519Key key_of(char c) {
    std::array<std::uint8_t, 32> seed{};
    seed.fill(static_cast<std::uint8_t>(c));
    return data::Ed25519Key::from_seed(seed);
}
mesh::HubRecord record_of(char c) {
    mesh::HubRecord h;
    h.hub_id = std::string(40, c);
    h.page_key = mesh::page_key_hex(key_of(c).public_key);
    return h;
}

// A plain page value as hubs put them, signed with the page key of `signer` (its hub's own unless a test forges).
RawValue page_value(const std::string& hub, const std::string& ns, std::uint64_t seq, std::vector<std::string> ids,
                    char signer = 0) {
    mesh::PresencePage p{hub, ns, {}, 0, seq};
    for (auto& id : ids) p.peers.push_back({id, "{\"peerId\":\"" + id + "\"}"});
    return RawValue{seq, "", mesh::sign_page(mesh::presence_key("app", ns, 256), mesh::encode_presence(p),
                                             key_of(signer ? signer : hub[0]))};
}

TEST(CliFormat, PeersFromTheNewestPageOfEachHub) {
    const std::string a(40, 'a'), b(40, 'b'), p1(40, '1'), p2(40, '2'), p3(40, '3');
    auto peers = peers_from_pages({page_value(a, "room", 1, {p1, p2}), page_value(a, "room", 2, {p2}),
                                   page_value(b, "room", 5, {p3}), page_value(b, "other", 6, {p1}),
                                   page_value(b, "room", 9, {p1}, /*signer=*/'a')},
                                  "room", mesh::presence_key("app", "room", 256), {record_of('a'), record_of('b')});
    ASSERT_EQ(peers.size(), 2u);
    EXPECT_EQ(peers[0].peer_id, p2);
    EXPECT_EQ(peers[0].hub_id, a);
    EXPECT_EQ(peers[1].peer_id, p3);
    EXPECT_EQ(format_peers(peers, "room", true).rfind("{\"network\":\"room\",\"total\":2,\"peers\":[", 0), 0u);
}

// Like /hubs: the newest record of each hub, signed by that hub; a hub whose newest record withdraws it is not listed.
TEST(CliFormat, HubsFromTheNewestRecordOfEachHub) {
    const std::string a(40, 'a'), b(40, 'b');
    auto record = [](const std::string& hub, std::uint64_t updated, bool withdrawn, const std::string& url) {
        mesh::HubRecord h;
        h.hub_id = hub;
        h.updated_ms = updated;
        h.withdrawn = withdrawn;
        h.url = url;
        return mesh::encode_hub(h);
    };
    auto hubs = hubs_from_values({{1, a, record(a, 1, false, "ws://a1")}, {2, a, record(a, 2, false, "ws://a2")},
                                  {3, b, record(b, 1, false, "ws://b")}, {4, b, record(b, 2, true, "")},
                                  {5, b, record(a, 9, false, "ws://forged")}});
    ASSERT_EQ(hubs.size(), 1u);
    EXPECT_EQ(hubs[0].url, "ws://a2");
}

TEST(CliFormat, FindAnswersLikeTheHub) {
    auto key = data::Ed25519Key::generate();
    data::Record r{"chat", "{\"a\":1}", "", "", 10, 1000, 1000000};
    data::sign(r, key);
    data::Record older = r;
    older.seq = 5;
    data::sign(older, key);
    std::size_t n = 0;
    auto body = find_body({{1, "", data::encode(older)}, {2, "", data::encode(r)}, {3, "", "junk"}}, "chat", 2000, &n);
    EXPECT_EQ(n, 1u);
    EXPECT_EQ(body, "{\"topic\":\"chat\",\"records\":[" + data::encode(r, true) + "]}");
    std::size_t m = 0;
    EXPECT_EQ(*format_find(body, false, &m), r.public_key + " seq=10 {\"a\":1}\n");
    EXPECT_EQ(m, 1u);
    EXPECT_EQ(find_body({{2, "", data::encode(r)}}, "chat", 2000000, &n), "{\"topic\":\"chat\",\"records\":[]}");
}

TEST(CliFormat, HealthAndValues) {
    std::vector<Health> hubs{{"http://a", 200, "", R"({"status":"healthy"})"},
                             {"http://b", 503, "", R"({"status":"unhealthy","reason":"dht"})"},
                             {"http://c", 0, "connection refused", ""}};
    EXPECT_EQ(format_health(hubs, false), "http://a healthy\nhttp://b unhealthy dht\nhttp://c unreachable connection refused\n");
    EXPECT_TRUE(healthy(hubs[0]));
    EXPECT_FALSE(healthy(hubs[1]));
    EXPECT_EQ(format_value({255, "", "hi"}, false), "00000000000000ff - hi\n");
    EXPECT_EQ(format_value({1, "o", std::string("\xff", 1)}, true),
              "{\"id\":\"0000000000000001\",\"owner\":\"o\",\"dataHex\":\"ff\",\"expired\":false}\n");
}

TEST(MonitorTable, RowsAndRates) {
    const std::string health = R"({"status":"healthy","dhtGoodNodes":2})";
    const std::string stats = R"({"connections":3,"peers":2,"networks":1,"messages":{"received":100},)"
                              R"("mesh":{"dhtGoodNodes":2},"memory":{"rss":10485760}})";
    const std::string stats2 = R"({"connections":3,"peers":2,"networks":1,"messages":{"received":150},)"
                               R"("mesh":{"dhtGoodNodes":2},"memory":{"rss":10485760}})";
    auto s1 = parse_sample("http://a:1", 200, health, 200, stats, 1000);
    auto s2 = parse_sample("http://a:1", 200, health, 200, stats2, 1500);
    auto dead = parse_sample("http://b:2", 0, "", 0, "", 1500);
    EXPECT_EQ(s1.connections, 3u);
    EXPECT_EQ(s1.rss_bytes, 10485760u);
    EXPECT_DOUBLE_EQ(message_rate(&s1, s2), 100.0);
    EXPECT_EQ(message_rate(nullptr, s2), -1);
    const auto table = format_table({s2, dead}, {s1, s1});
    EXPECT_EQ(table,
              "HUB                            STATUS        CONNS   PEERS    NS   DHT    MSG/S  RSS MiB\n"
              "http://a:1                     healthy           3       2     1     2      100     10.0\n"
              "http://b:2                     unreachable       -       -     -     -        -        -\n");
    EXPECT_EQ(format_table_json({s1}, {}),
              "[{\"url\":\"http://a:1\",\"status\":\"healthy\",\"connections\":3,\"peers\":2,\"namespaces\":1,"
              "\"dhtGoodNodes\":2,\"messagesPerSecond\":null,\"rss\":10485760}]\n");
}

TEST(CliArgs, UsageErrorsExit2) {
    for (auto words : std::vector<std::vector<std::string>>{
             {"get"}, {"nope"}, {"put", "k"}, {"listen", "k", "--count", "0"}, {"--network", "x", "info"},
             {"publish", "t", "{}", "--ttl", "0"}, {"monitor", "--interval", "-1"}}) {
        auto inv = parse_args(words, false);
        EXPECT_EQ(inv.exit, kExitUsage) << words[0];
        EXPECT_FALSE(inv.message.empty());
    }
    auto help = parse_args({"find", "--help"}, false);
    EXPECT_EQ(help.exit, kExitOk);
    EXPECT_NE(help.message.find("topic"), std::string::npos);
    // global options are refused at the prompt
    EXPECT_EQ(parse_args({"--hub", "x", "hubs"}, true).exit, kExitUsage);
    EXPECT_EQ(parse_args({"quit"}, true).command, Command::quit);
}

TEST(CliArgs, ParsesGlobalAndCommandOptions) {
    auto inv = parse_args({"--bootstrap", "127.0.0.1:4222", "listen", "ns:r", "--count", "2", "--app-id", "x", "--json"},
                          false);
    ASSERT_EQ(inv.exit, -1) << inv.message;
    EXPECT_EQ(inv.command, Command::listen);
    EXPECT_EQ(inv.global.bootstrap, std::vector<std::string>{"127.0.0.1:4222"});
    EXPECT_EQ(inv.global.app_id, "x");
    EXPECT_TRUE(inv.global.json);
    EXPECT_EQ(inv.args.key, "ns:r");
    EXPECT_EQ(inv.args.count, 2u);
    EXPECT_EQ(parse_args({}, false).command, Command::none);
}

}  // namespace
}  // namespace pigeonhub::cli
