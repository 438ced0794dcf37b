#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "pigeonhub/bootstrap.h"
#include "protocol/json.h"

using namespace pigeonhub;
using namespace pigeonhub::bootstrap;

namespace {

Peer hub(std::string u, std::string region = "", int priority = 100) {
    Peer p;
    p.t = "hub";
    p.u = std::move(u);
    p.region = std::move(region);
    p.priority = priority;
    return p;
}

std::vector<std::string> urls(const std::vector<Peer>& peers) {
    std::vector<std::string> out;
    for (const Peer& p : peers) out.push_back(p.u);
    return out;
}

}  // namespace

// --- BOOTSTRAP_PEERS -----------------------------------------------------------------------------------------------

TEST(BootstrapPeers, EnvListKeepsTheWrittenOrder) {
    const ParsedPeers r = parse_bootstrap_peers_from_env(" wss://b.example ,, a.example:4222,\t[::1]:4222 ,");
    ASSERT_EQ(r.error, "");
    ASSERT_EQ(r.peers.size(), 3u);
    EXPECT_EQ(r.peers[0].t, "hub");
    EXPECT_EQ(r.peers[0].u, "wss://b.example");
    EXPECT_EQ(r.peers[0].priority, 1);
    EXPECT_EQ(r.peers[0].description, "BOOTSTRAP_PEERS entry 1");
    EXPECT_EQ(r.peers[0].region, "");
    EXPECT_EQ(r.peers[0].tier, Tier::custom);
    EXPECT_EQ(r.peers[0].source, "env");
    EXPECT_EQ(r.peers[1].t, "dht");
    EXPECT_EQ(r.peers[1].u, "a.example:4222");
    EXPECT_EQ(r.peers[1].priority, 3) << "empty entries count, so the number is the one an error would name";
    EXPECT_EQ(r.peers[2].t, "dht");
    EXPECT_EQ(r.peers[2].u, "[::1]:4222");

    EXPECT_TRUE(parse_bootstrap_peers_from_env("").peers.empty());
    EXPECT_EQ(parse_bootstrap_peers_from_env(" , ,").error, "");
}

TEST(BootstrapPeers, EnvAddresses) {
    for (const char* ok : {"ws://h", "WSS://H.example:443/x?y#z", "http://10.0.0.1:8080", "https://[2001:db8::1]/",
                           "ws://h_1.example:", "h:1", "h:65535", "127.0.0.1:4222", "[2001:db8::1]:4222"}) {
        EXPECT_EQ(parse_bootstrap_peers_from_env(ok).error, "") << ok;
    }
    for (const char* bad :
         {"h", "h:", "h:0", "h:65536", "h:x", "::1:4222", "[::1]", "[::1]:", "[zz]:1", "h:1/x", "user@h:1", "ftp://h",
          "wss:/h", "ws://", "wss://h:99999", "wss://a b", "udp://h:1", "wss://[::1", "h\x01:1"}) {
        EXPECT_NE(parse_bootstrap_peers_from_env(bad).error, "") << bad;
    }
}

TEST(BootstrapPeers, EnvErrorsNameTheEntry) {
    EXPECT_EQ(parse_bootstrap_peers_from_env("wss://ok.example, foo ").error,
              "BOOTSTRAP_PEERS entry 2 'foo' is neither a hub URL (ws://, wss://, http://, https://) nor a DHT node "
              "host:port");
    EXPECT_EQ(parse_bootstrap_peers_from_env("wss://x.example:0").error,
              "BOOTSTRAP_PEERS entry 1 'wss://x.example:0' is not a valid hub URL (a host, an optional port "
              "1..65535, an optional path)");
    const ParsedPeers r = parse_bootstrap_peers_from_env("wss://ok.example,bad");
    EXPECT_TRUE(r.peers.empty()) << "an error leaves no peers";
}

TEST(BootstrapPeers, ListBound) {
    std::string list;
    for (std::size_t i = 0; i < kMaxListPeers; ++i) list += "h:" + std::to_string(i + 1) + ",";
    EXPECT_EQ(parse_bootstrap_peers_from_env(list).peers.size(), kMaxListPeers);
    EXPECT_EQ(parse_bootstrap_peers_from_env(list + "h:9").error, "BOOTSTRAP_PEERS has more than 1024 entries");
}

TEST(BootstrapPeers, CompiledInListParses) {
    const ParsedPeers r = compiled_in_peers();
    EXPECT_EQ(r.error, "") << "-Dproduction_bootstrap='" << compiled_in_bootstrap() << "'";
    for (const Peer& p : r.peers) {
        EXPECT_EQ(p.tier, Tier::production);
        EXPECT_EQ(p.source, "compiled-in");
    }
    const ParsedPeers named = parse_peer_list("x", "the meson option production_bootstrap", Tier::production, "");
    EXPECT_EQ(named.error.rfind("the meson option production_bootstrap entry 1 'x'", 0), 0u) << named.error;
}

// --- names ---------------------------------------------------------------------------------------------------------

TEST(BootstrapPeers, TierNamesAndRegions) {
    for (Tier t : {Tier::custom, Tier::local, Tier::production, Tier::regional, Tier::community, Tier::discovered})
        EXPECT_EQ(parse_tier(tier_name(t)), t);
    EXPECT_EQ(tier_name(Tier::discovered), "discovered");
    EXPECT_EQ(parse_tier("Custom"), std::nullopt);
    for (const char* r : {"us-east", "us-west", "eu-west", "asia-pacific", "global"}) EXPECT_TRUE(is_known_region(r));
    for (const char* r : {"", "local", "custom", "US-EAST", "eu-central"}) EXPECT_FALSE(is_known_region(r)) << r;
}

// --- ordering (the rules one at a time; tests/vectors/bootstrap-peers.json has them together) -----------------------

TEST(BootstrapPeers, EachListGetsItsTierAndKeepsTheRest) {
    Options o;
    Peer p = hub("wss://a.example", "global", 7);
    p.tier = Tier::custom;  // whatever a list says, the list it is in decides
    p.source = "file:x";
    p.public_key = "k";
    p.timestamp = 5;
    o.community = {p};
    const auto out = get_bootstrap_peers(o);
    ASSERT_EQ(out.size(), 1u);
    Peer expected = p;
    expected.tier = Tier::community;
    EXPECT_EQ(out[0], expected);
}

TEST(BootstrapPeers, LocalTier) {
    Options o;
    o.environment = "development";
    auto out = get_bootstrap_peers(o);
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].t, "hub");
    EXPECT_EQ(out[0].u, "ws://127.0.0.1:3000");
    EXPECT_EQ(out[0].region, "");
    EXPECT_EQ(out[0].tier, Tier::local);
    EXPECT_EQ(out[0].source, "local");

    o.local_base_port = 4000;
    EXPECT_EQ(urls(get_bootstrap_peers(o)),
              (std::vector<std::string>{"ws://127.0.0.1:4000", "ws://127.0.0.1:4001", "ws://127.0.0.1:4002"}));
    o.local_base_port = 65534;
    EXPECT_EQ(urls(get_bootstrap_peers(o)), (std::vector<std::string>{"ws://127.0.0.1:65534", "ws://127.0.0.1:65535"}));
    o.local_base_port = 0;
    EXPECT_EQ(urls(get_bootstrap_peers(o)), (std::vector<std::string>{"ws://127.0.0.1:1", "ws://127.0.0.1:2"}));

    o.environment = "Development";  // names are exact, as NODE_ENV is compared in the seed
    EXPECT_TRUE(get_bootstrap_peers(o).empty());
}

TEST(BootstrapPeers, RepeatedAddressInOneListKeepsTheFirstGiven) {
    Options o;
    Peer a = hub("wss://same.example", "global", 1);
    a.description = "first";
    Peer b = a;
    b.description = "second";
    o.regional = {a, b};
    const auto out = get_bootstrap_peers(o);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].description, "first");
}

TEST(BootstrapPeers, OwnRegionThenGlobalThenKnownThenOthers) {
    Options o;
    o.region = "asia-pacific";
    o.discovered = {hub("d:1", "", 1), hub("c:1", "eu-west", 1), hub("b:1", "global", 1), hub("a:1", "asia-pacific", 9),
                    hub("e:1", "x", 0)};
    EXPECT_EQ(urls(get_bootstrap_peers(o)), (std::vector<std::string>{"a:1", "b:1", "c:1", "e:1", "d:1"}));
}

// --- JSON ------------------------------------------------------------------------------------------------------------

TEST(BootstrapPeersJson, WritesTheSeedShape) {
    Peer p = hub("wss://a.example", "global", 2);
    p.description = "A \"quoted\" hub";
    p.tier = Tier::regional;
    p.source = "dns:seeds.example";
    EXPECT_EQ(peers_to_json({p}),
              R"([{"t":"hub","u":"wss://a.example","region":"global","priority":2,"description":"A \"quoted\" hub",)"
              R"("tier":"regional","source":"dns:seeds.example"}])");
    p.public_key = "ab";
    p.signature = "cd";
    p.timestamp = 1700000000000;
    EXPECT_EQ(peers_to_json({p}),
              R"([{"t":"hub","u":"wss://a.example","region":"global","priority":2,"description":"A \"quoted\" hub",)"
              R"("publicKey":"ab","signature":"cd","timestamp":1700000000000,"tier":"regional",)"
              R"("source":"dns:seeds.example"}])");
    EXPECT_EQ(peers_to_json({}), "[]");
}

TEST(BootstrapPeersJson, RoundTrip) {
    Peer a = hub("wss://a.example/hub", "eu-west", 0);
    a.description = "caf\xc3\xa9";
    a.public_key = "d75a98";
    a.signature = "00ff";
    a.timestamp = 9007199254740991ull;
    Peer b;
    b.t = "dht";
    b.u = "[2001:db8::1]:4222";
    b.priority = 2147483647;
    for (Peer* p : {&a, &b}) {
        p->tier = Tier::discovered;
        p->source = "cache";
    }
    const ParsedPeers r = parse_peers_json(peers_to_json({a, b}), Tier::discovered, "cache");
    ASSERT_EQ(r.error, "");
    EXPECT_EQ(r.peers, (std::vector<Peer>{a, b}));
}

TEST(BootstrapPeersJson, ErrorsNameTheIndexAndMember) {
    auto error = [](std::string_view text) { return parse_peers_json(text, Tier::community, "file:p.json").error; };
    EXPECT_EQ(error("[]"), "");
    EXPECT_EQ(error(R"({"peers":[]})"), "");
    EXPECT_EQ(error("[{"), "file:p.json: not valid JSON");
    EXPECT_EQ(error("{}"), "file:p.json: not a JSON array of peers, nor an object with a \"peers\" array");
    EXPECT_EQ(error(R"({"peers":{}})"), "file:p.json: not a JSON array of peers, nor an object with a \"peers\" array");
    EXPECT_EQ(error(R"("wss://a.example")"),
              "file:p.json: not a JSON array of peers, nor an object with a \"peers\" array");
    EXPECT_EQ(error(R"([{"u":"h:1"},"h:2"])"), "file:p.json: peers[1] is not an object");
    EXPECT_EQ(error(R"([{}])"), "file:p.json: peers[0].u is missing");
    EXPECT_EQ(error(R"([{"u":1}])"), "file:p.json: peers[0].u must be a string");
    EXPECT_EQ(error(R"([{"u":"h:1","region":null}])"), "file:p.json: peers[0].region must be a string");
    EXPECT_EQ(error(R"([{"u":"h:1","u":"h:2"}])"), "file:p.json: peers[0].u appears twice");
    EXPECT_EQ(error(R"([{"u":"h:1","priority":-1}])"),
              "file:p.json: peers[0].priority must be an integer 0..2147483647");
    EXPECT_EQ(error(R"([{"u":"h:1","priority":2147483648}])"),
              "file:p.json: peers[0].priority must be an integer 0..2147483647");
    EXPECT_EQ(error(R"([{"u":"h:1","priority":1e2}])"),
              "file:p.json: peers[0].priority must be an integer 0..2147483647");
    EXPECT_EQ(error(R"([{"u":"h:1","timestamp":9007199254740992}])"),
              "file:p.json: peers[0].timestamp must be an integer 0..9007199254740991");
    EXPECT_EQ(error(R"([{"u":"h:1","t":"wss"}])"),
              "file:p.json: peers[0].t 'wss' does not match u 'h:1' (a DHT node: t is dht)");
    EXPECT_EQ(error(R"([{"u":"wss://h","t":"udp"}])"),
              "file:p.json: peers[0].t 'udp' does not match u 'wss://h' (a hub URL: t is hub)");
    EXPECT_EQ(error(R"([{"u":"wss://","t":"hub"}])"),
              "file:p.json: peers[0].u 'wss://' is not a valid hub URL (a host, an optional port 1..65535, an "
              "optional path)");
    EXPECT_EQ(error(R"([{"u":"h:1","tier":"custom","source":"env","extra":{"a":[1]}}])"), "");
    // Found by bootstrap_fuzz: a URL with a comma was taken from a file, and could not be written back as one entry
    // of a BOOTSTRAP_PEERS list.
    EXPECT_EQ(error(R"([{"u":"wss://a.example/,b.example:4222"}])"),
              "file:p.json: peers[0].u 'wss://a.example/,b.example:4222' is not a valid hub URL (a host, an optional "
              "port 1..65535, an optional path)");
    EXPECT_NE(error(R"([{"u":"h,i:1"}])"), "");
}

TEST(BootstrapPeersJson, Bounds) {
    std::string list = "[";
    for (std::size_t i = 0; i < kMaxListPeers; ++i) list += R"({"u":"h:1"},)";
    EXPECT_EQ(parse_peers_json(list + R"({"u":"h:1"}])", Tier::community, "f").error, "f: more than 1024 peers");
    list.back() = ']';
    EXPECT_EQ(parse_peers_json(list, Tier::community, "f").peers.size(), kMaxListPeers);
    const std::string big = "[" + std::string(kMaxJsonBytes, ' ') + "]";
    EXPECT_EQ(parse_peers_json(big, Tier::community, "f").error, "f: longer than 1048576 bytes");
}

// --- the vector file (tests/vectors/bootstrap-peers.json) ------------------------------------------------------------

namespace {

std::optional<json::Value> member(std::string_view object, std::string_view name) {
    std::optional<json::Value> found;
    json::for_each_member(object, [&](std::string_view key, const json::Value& v) {
        if (json::string_equals(key, name)) found = v;
    });
    return found;
}

std::string string_member(std::string_view object, std::string_view name) {
    std::string s;
    if (auto v = member(object, name); v && v->kind == json::Kind::string) json::decode_string(v->raw, s);
    return s;
}

std::string read_vectors() {
    std::ifstream f(std::string(PIGEONHUB_SOURCE_ROOT) + "/tests/vectors/bootstrap-peers.json");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// One case: its inputs parsed (the first error kept), then ordered.
struct CaseResult {
    std::vector<Peer> peers;
    std::string error;
};

CaseResult run_case(std::string_view c, std::string_view sources) {
    Options o;
    o.environment = string_member(c, "environment");
    o.region = string_member(c, "region");
    if (auto v = member(c, "includeLocal")) o.include_local = v->kind == json::Kind::boolean_true;
    const ParsedPeers custom = parse_bootstrap_peers_from_env(string_member(c, "customPeers"));
    if (!custom.error.empty()) return {{}, custom.error};
    o.custom_peers = custom.peers;
    const std::pair<const char*, std::vector<Peer>*> lists[] = {{"production", &o.production},
                                                                {"regional", &o.regional},
                                                                {"community", &o.community},
                                                                {"discovered", &o.discovered}};
    for (const auto& [name, list] : lists) {
        const auto v = member(c, name);
        if (!v) continue;
        const ParsedPeers r = parse_peers_json(v->raw, *parse_tier(name), string_member(sources, name));
        if (!r.error.empty()) return {{}, r.error};
        *list = r.peers;
    }
    return {get_bootstrap_peers(o), ""};
}

}  // namespace

TEST(BootstrapPeerVectors, EveryCase) {
    const std::string text = read_vectors();
    json::Value root;
    ASSERT_TRUE(json::validate(text, &root)) << "tests/vectors/bootstrap-peers.json is missing or not JSON";
    const auto sources = member(root.raw, "sources");
    const auto cases = member(root.raw, "cases");
    ASSERT_TRUE(sources && cases);
    std::size_t count = 0, errors = 0;
    json::for_each_element(cases->raw, [&](const json::Value& c) {
        ++count;
        const std::string name = string_member(c.raw, "name");
        const CaseResult got = run_case(c.raw, sources->raw);
        if (member(c.raw, "error")) {
            ++errors;
            const std::string want = string_member(c.raw, "error");
            EXPECT_NE(want, "") << name;
            EXPECT_NE(got.error.find(want), std::string::npos) << name << "\n  got error: " << got.error;
            return;
        }
        ASSERT_EQ(got.error, "") << name;
        std::vector<std::string> want, have;
        json::for_each_element(member(c.raw, "expected")->raw, [&](const json::Value& e) {
            want.push_back(string_member(e.raw, "t") + " " + string_member(e.raw, "u") + " " +
                           string_member(e.raw, "tier") + " " + string_member(e.raw, "source"));
        });
        for (const Peer& p : got.peers)
            have.push_back(p.t + " " + p.u + " " + std::string(tier_name(p.tier)) + " " + p.source);
        EXPECT_EQ(have, want) << name;
    });
    EXPECT_GE(count, 10u);
    EXPECT_GE(errors, 5u);
}
