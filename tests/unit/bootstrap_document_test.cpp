#include "bootstrap/bootstrap_document.h"

#include <gtest/gtest.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

#include "protocol/json.h"
#include "util/hex.h"

using namespace pigeonhub;
using namespace pigeonhub::bootstrap;
using Why = DocumentCheck::Why;

namespace {

constexpr std::uint64_t kNow = 1700000000000;
constexpr std::uint64_t kHour = 3600 * 1000;
const std::string kApp = "pigeonhub";

data::Ed25519Key key_of(std::uint8_t fill) {
    std::array<std::uint8_t, 32> s;
    s.fill(fill);
    return data::Ed25519Key::from_seed(s);
}

BootstrapDocument sample() {
    BootstrapDocument d;
    d.app_id = kApp;
    d.hub_id = "4f1c2a9e0b7d3c5a8e6f1029384756abcdef0123";
    d.url = "wss://hub.example.org/";
    d.region = "eu-west";
    d.dht = {"hub.example.org:4222", "[2001:db8::1]:4222"};
    KnownHub a;
    a.u = "wss://other.example.net";
    a.region = "us-east";
    a.priority = 10;
    a.description = "caf\xc3\xa9 \"quoted\"";
    a.public_key = std::string(64, 'a');
    KnownHub b;
    b.u = "https://third.example:8443/ws";
    d.hubs = {a, b};
    d.timestamp = kNow;
    return d;
}

DocumentCheck check(std::string_view text, std::uint64_t now = kNow) {
    return check_document(text, kApp, now, kHour);
}

// `text` with the first `from` replaced by `to`.
std::string replaced(std::string text, std::string_view from, std::string_view to) {
    const std::size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

// The signed text of `d` after `change`, re-signed: to test a value's bounds apart from the signature.
template <typename Fn>
std::string resigned(Fn&& change) {
    BootstrapDocument d = sample();
    change(d);
    d.public_key.clear();
    hex::append(d.public_key, key_of(1).public_key.data(), 32);
    d.signature = data::ed25519_sign(signed_message(d), key_of(1));
    return encode_document(d);
}

}  // namespace

TEST(BootstrapDocument, RoundTrips) {
    const data::Ed25519Key key = key_of(1);
    const std::string text = sign_document(sample(), key);
    const DocumentCheck c = check(text);
    ASSERT_TRUE(c.ok()) << c.problem;
    EXPECT_EQ(c.why, Why::ok);
    EXPECT_TRUE(c.problem.empty());
    BootstrapDocument want = sample();
    hex::append(want.public_key, key.public_key.data(), 32);
    want.signature = c.doc->signature;
    EXPECT_EQ(*c.doc, want);
    EXPECT_EQ(encode_document(*c.doc), text);
    EXPECT_EQ(c.doc->hubs[1].t, "hub");
    EXPECT_EQ(c.doc->hubs[1].priority, 100);
    EXPECT_EQ(c.doc->hubs[1].public_key, "");
}

TEST(BootstrapDocument, WritesTheDocumentedShapeAndMessage) {
    BootstrapDocument d;
    d.app_id = "a";
    d.hub_id = std::string(40, '0');
    d.public_key = std::string(64, '1');
    d.dht = {"h:1"};
    KnownHub h;
    h.u = "ws://x";
    d.hubs = {h};
    d.timestamp = 5;
    d.signature = std::string(128, '2');
    const std::string body = R"("v":1,"appId":"a","hubId":")" + std::string(40, '0') + R"(","publicKey":")" +
                             std::string(64, '1') +
                             R"(","url":"","region":"","dht":["h:1"],"hubs":[{"t":"hub","u":"ws://x","region":"",)"
                             R"("priority":100,"description":""}],"timestamp":5)";
    EXPECT_EQ(signed_message(d), R"(["pigeonhub-bootstrap/1",{)" + body + "}]");
    EXPECT_EQ(encode_document(d), "{" + body + R"(,"signature":")" + std::string(128, '2') + "\"}");
}

TEST(BootstrapDocument, SigningFillsTheKeyAndIgnoresWhatWasThere) {
    BootstrapDocument d = sample();
    d.public_key = std::string(64, 'f');
    d.signature = "junk";
    const DocumentCheck c = check(sign_document(d, key_of(2)));
    ASSERT_TRUE(c.ok()) << c.problem;
    std::string want;
    hex::append(want, key_of(2).public_key.data(), 32);
    EXPECT_EQ(c.doc->public_key, want);
}

TEST(BootstrapDocument, WhitespaceAndEscapesAreNotPartOfTheSignature) {
    // What is signed is the values, not the spelling: a reformatted document still verifies.
    const std::string text = sign_document(sample(), key_of(1));
    std::string spaced = replaced(text, R"("region":"eu-west")", "\n  \"region\" :\t\"\\u0065u-west\" ");
    spaced = replaced(spaced, R"("priority":10,)", R"("priority":10.0,)");
    spaced = replaced(spaced, "\"timestamp\":", "\"timestamp\": 17e11, \"x\":");  // "x" is unknown: refused
    EXPECT_EQ(check(spaced).why, Why::malformed);
    spaced = replaced(spaced, "17e11, \"x\":", "");
    spaced = replaced(spaced, std::to_string(kNow), "17e11");
    const DocumentCheck c = check(spaced);
    ASSERT_TRUE(c.ok()) << c.problem;
    EXPECT_EQ(c.doc->region, "eu-west");
    EXPECT_EQ(c.doc->timestamp, kNow);
    // What JSON.stringify(JSON.parse(spaced)) gives is what the hub writes: the message a client derives is ours.
    EXPECT_EQ(data::canonical_json(spaced), encode_document(*c.doc));
}

TEST(BootstrapDocument, AChangedMemberIsABadSignature) {
    const std::string text = sign_document(sample(), key_of(1));
    const std::pair<std::string, std::string> changes[] = {
        {"wss://hub.example.org/", "wss://evil.example.org/"},
        {"hub.example.org:4222", "evil.example.org:4222"},
        {"\"priority\":10", "\"priority\":11"},
        {"wss://other.example.net", "wss://evil.example.net"},
        {std::to_string(kNow), std::to_string(kNow + 1)},
        {"eu-west", "eu-east"},
        {"4f1c2a9e0b", "4f1c2a9e0c"},
    };
    for (const auto& [from, to] : changes) {
        const DocumentCheck c = check(replaced(text, from, to));
        EXPECT_EQ(c.why, Why::bad_signature) << from << ": " << c.problem;
        EXPECT_FALSE(c.doc);
    }
    // A dropped DHT endpoint or hub entry.
    EXPECT_EQ(check(replaced(text, R"("hub.example.org:4222",)", "")).why, Why::bad_signature);
    const std::size_t second = text.find(R"(,{"t":"hub","u":"https://third)");
    ASSERT_NE(second, std::string::npos);
    const std::string dropped = text.substr(0, second) + text.substr(text.find('}', second) + 1);
    EXPECT_EQ(check(dropped).why, Why::bad_signature);
    // Another key put in: its signature does not match.
    std::string other_key;
    hex::append(other_key, key_of(3).public_key.data(), 32);
    const DocumentCheck c = check(replaced(text, check(text).doc->public_key, other_key));
    EXPECT_EQ(c.why, Why::bad_signature);
    // A signature flipped in one digit.
    const std::string sig = check(text).doc->signature;
    std::string flipped = sig;
    flipped[10] = flipped[10] == '0' ? '1' : '0';
    EXPECT_EQ(check(replaced(text, sig, flipped)).why, Why::bad_signature);
}

TEST(BootstrapDocument, StaleFutureAndWrongApp) {
    const std::string text = sign_document(sample(), key_of(1));
    EXPECT_TRUE(check(text, kNow + kHour).ok());
    EXPECT_EQ(check(text, kNow + kHour + 1).why, Why::stale);
    EXPECT_TRUE(check(text, kNow - kMaxClockSkewMs).ok());
    EXPECT_EQ(check(text, kNow - kMaxClockSkewMs - 1).why, Why::future);
    EXPECT_EQ(check(text, 0).why, Why::future);
    EXPECT_TRUE(check_document(text, kApp, UINT64_MAX, UINT64_MAX).ok());  // no overflow
    const DocumentCheck wrong = check_document(text, "other-app", kNow, kHour);
    EXPECT_EQ(wrong.why, Why::wrong_app);
    EXPECT_FALSE(wrong.doc);
    // The signature is checked first: a forged document is forged, whatever else it is.
    const std::string forged = replaced(text, "eu-west", "eu-east");
    EXPECT_EQ(check_document(forged, "other-app", kNow + 100 * kHour, kHour).why, Why::bad_signature);
    EXPECT_EQ(why_name(Why::wrong_app), "wrong_app");
    EXPECT_EQ(why_name(Why::bad_signature), "bad_signature");
}

TEST(BootstrapDocument, MalformedShapes) {
    const std::string text = sign_document(sample(), key_of(1));
    const std::string sig = check(text).doc->signature;
    const std::string malformed[] = {
        "",
        "null",
        "[]",
        "{}",
        text.substr(0, text.size() - 1),
        replaced(text, "{\"v\":1,", "{\"v\":1,\"v\":1,"),  // repeated
        replaced(text, "{\"v\":1,", "{\"v\":2,"),          // unknown version
        replaced(text, "{\"v\":1,", "{\"v\":\"1\","),
        replaced(text, "{\"v\":1,", "{"),  // missing
        replaced(text, "\"appId\":\"pigeonhub\",", ""),
        replaced(text, "{\"v\":1,\"appId\":\"pigeonhub\",", "{\"appId\":\"pigeonhub\",\"v\":1,"),  // order
        replaced(text, "{\"v\":1,", "{\"v\":1,\"extra\":true,"),                                   // unknown member
        replaced(text, "\"description\":\"\"}", "\"description\":\"\",\"x\":1}"),
        replaced(text, "\"region\":\"\",\"priority\"", "\"priority\""),  // a hub without region
        replaced(text, "\"priority\":10", "\"priority\":-1"),
        replaced(text, "\"priority\":10", "\"priority\":1.5"),
        replaced(text, "\"priority\":10", "\"priority\":2147483648"),
        replaced(text, "\"priority\":10", "\"priority\":\"10\""),
        replaced(text, std::to_string(kNow), "9007199254740992"),  // beyond 2^53 - 1
        replaced(text, std::to_string(kNow), "1e400"),
        replaced(text, std::to_string(kNow), "null"),
        replaced(text, "\"dht\":[", "\"dht\":[1,"),
        replaced(text, "\"dht\":[", "\"dht\":[\"hub\","),  // no port
        replaced(text, "\"dht\":[", "\"dht\":[\"0.0.0.0:4222\","),
        replaced(text, "\"dht\":[", "\"dht\":[\"hub:70000\","),
        replaced(text, "\"dht\":[\"hub.example.org:4222\",\"[2001:db8::1]:4222\"]", "\"dht\":\"hub:1\""),
        replaced(text, "\"hubs\":[", "\"hubs\":[null,"),
        replaced(text, "\"hubs\":[", "\"hubs\":{},\"x\":["),
        replaced(text, "wss://hub.example.org/", "ftp://hub.example.org/"),
        replaced(text, "wss://other.example.net", ""),  // a known hub needs a URL
        replaced(text, "\"t\":\"hub\"", "\"t\":\"\""),
        replaced(text, "eu-west", "eu-w\\ud800est"),  // lone surrogate
        replaced(text, "\"publicKey\":\"" + std::string(64, 'a') + "\"", "\"publicKey\":\"\""),
        replaced(text, std::string(64, 'a'), std::string(64, 'A')),
        replaced(text, "4f1c2a9e0b", "4F1C2A9E0B"),
        replaced(text, "4f1c2a9e0b", "4f1c2a9e0"),
        replaced(text, sig, sig.substr(0, 126)),
        replaced(text, sig, std::string(128, 'G')),
        replaced(text, ",\"signature\":\"" + sig + "\"", ""),
        replaced(text, "\"signature\"", "\"extra\":1,\"signature\""),
    };
    for (const std::string& m : malformed) {
        const DocumentCheck c = check(m);
        EXPECT_EQ(c.why, Why::malformed) << m << "\n" << c.problem;
        EXPECT_FALSE(c.problem.empty()) << m;
        EXPECT_FALSE(c.doc) << m;
    }
    EXPECT_EQ(check(replaced(text, "{\"v\":1,", "{\"v\":1,\"extra\":true,")).problem.substr(0, 35),
              "document: unknown member \"extra\" (t");
    EXPECT_EQ(check(replaced(text, "\"priority\":10", "\"priority\":-1")).problem,
              "hubs[0].priority: must be an integer from 0 to 2147483647");
    EXPECT_EQ(check(replaced(text, "\"region\":\"\",\"priority\"", "\"priority\"")).problem,
              "hubs[1]: \"region\" must come next, not \"priority\"");
    EXPECT_EQ(check(replaced(text, ",\"signature\":\"" + sig + "\"", "")).problem,
              "document: member \"signature\" is required");
}

TEST(BootstrapDocument, ValueBounds) {
    // Each within its bound is fine (and signed), one past it is malformed.
    EXPECT_TRUE(check(resigned([](auto& d) { d.region = std::string(kMaxTextBytes, 'r'); })).ok());
    EXPECT_EQ(check(resigned([](auto& d) { d.region = std::string(kMaxTextBytes + 1, 'r'); })).why, Why::malformed);
    EXPECT_TRUE(check_document(resigned([](auto& d) { d.app_id = std::string(kMaxAppIdBytes, 'a'); }),
                               std::string(kMaxAppIdBytes, 'a'), kNow, kHour)
                    .ok());
    EXPECT_EQ(check(resigned([](auto& d) { d.app_id = std::string(kMaxAppIdBytes + 1, 'a'); })).why, Why::malformed);
    EXPECT_EQ(check(resigned([](auto& d) { d.app_id.clear(); })).why, Why::malformed);
    EXPECT_EQ(check(resigned([](auto& d) { d.url = "https://h/" + std::string(kMaxTextBytes, 'p'); })).why,
              Why::malformed);
    EXPECT_TRUE(check(resigned([](auto& d) { d.url.clear(); })).ok());
    EXPECT_TRUE(check(resigned([](auto& d) { d.dht.clear(); })).ok());
    EXPECT_TRUE(check(resigned([](auto& d) { d.hubs.clear(); })).ok());

    EXPECT_TRUE(check(resigned([](auto& d) { d.dht.assign(kMaxDhtEndpoints, "h:1"); })).ok());
    const DocumentCheck dht = check(resigned([](auto& d) { d.dht.assign(kMaxDhtEndpoints + 1, "h:1"); }));
    EXPECT_EQ(dht.why, Why::malformed);
    EXPECT_EQ(dht.problem, "dht: at most 16 entries");

    KnownHub h;
    h.u = "wss://h";
    EXPECT_TRUE(check(resigned([&](auto& d) { d.hubs.assign(kMaxKnownHubs, h); })).ok());
    const DocumentCheck hubs = check(resigned([&](auto& d) { d.hubs.assign(kMaxKnownHubs + 1, h); }));
    EXPECT_EQ(hubs.why, Why::malformed);
    EXPECT_EQ(hubs.problem, "hubs: at most 64 entries");

    // 64 hubs with long descriptions would pass each bound and still be too large a document (a control character
    // is 6 bytes as JSON: \u0001).
    h.description = std::string(kMaxTextBytes, '\x01');
    BootstrapDocument big = sample();
    big.public_key = std::string(64, 'a');
    big.hubs.assign(kMaxKnownHubs, h);
    EXPECT_NE(document_problem(big).find("over 65536"), std::string::npos) << document_problem(big);
    EXPECT_EQ(check(resigned([&](auto& d) { d.hubs.assign(kMaxKnownHubs, h); })).why, Why::malformed);
    // And text over the bound is refused before it is parsed.
    EXPECT_EQ(check(std::string(kMaxDocumentBytes + 1, ' ')).problem, "larger than 65536 bytes");
}

TEST(BootstrapDocument, DocumentProblemNamesTheField) {
    BootstrapDocument d = sample();
    d.public_key = std::string(64, 'a');
    EXPECT_EQ(document_problem(d), "");
    d.hubs[1].u = "not a url";
    EXPECT_EQ(document_problem(d), "hubs[1].u: must be an http, https, ws or wss URL");
    d = sample();
    d.public_key = std::string(64, 'a');
    d.region = "\xff";
    EXPECT_EQ(document_problem(d), "region: must be valid UTF-8");
    d.region.clear();
    d.dht = {"hub"};
    EXPECT_NE(document_problem(d).find("dht[0]: must be host:port"), std::string::npos);
    d.dht.clear();
    d.hub_id = "x";
    EXPECT_EQ(document_problem(d), "hubId: must be 40 lower-case hex digits");
    d.hub_id = sample().hub_id;
    d.timestamp = data::kMaxSafeInteger + 1;
    EXPECT_NE(document_problem(d).find("timestamp"), std::string::npos);
}

// --- the vector file (tests/vectors/bootstrap-document.json) ---------------------------------------------------

namespace {

std::string read_vectors() {
    std::ifstream f(std::string(PIGEONHUB_SOURCE_ROOT) + "/tests/vectors/bootstrap-document.json");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

json::Value member(std::string_view object, std::string_view name) {
    json::Value out;
    json::for_each_member(object, [&](std::string_view k, const json::Value& v) {
        if (json::string_equals(k, name)) out = v;
    });
    return out;
}

std::string string_member(std::string_view object, std::string_view name) {
    std::string out;
    json::decode_string(member(object, name).raw, out);
    return out;
}

}  // namespace

TEST(BootstrapDocumentVectors, CppMakesTheSameDocumentsMessagesAndSignatures) {
    const std::string text = read_vectors();
    json::Value root;
    ASSERT_TRUE(json::validate(text, &root)) << "tests/vectors/bootstrap-document.json is missing or not JSON";
    const std::string seed_hex = string_member(root.raw, "seed");
    std::array<std::uint8_t, 32> seed;
    ASSERT_TRUE(hex::decode_lower(seed_hex, seed.data(), seed.size()));
    const data::Ed25519Key key = data::Ed25519Key::from_seed(seed);
    std::string pub;
    hex::append(pub, key.public_key.data(), 32);
    EXPECT_EQ(pub, string_member(root.raw, "publicKey"));

    const json::Value docs = member(root.raw, "documents");
    ASSERT_EQ(docs.kind, json::Kind::array);
    int n = 0;
    const char* p = docs.raw.data() + 1;
    const char* end = docs.raw.data() + docs.raw.size();
    for (p = json::detail::skip_ws(p, end); *p == '{'; ++n) {
        json::Kind kind;
        const char* e = json::detail::skip_value(p, end, &kind);
        const std::string_view v(p, static_cast<std::size_t>(e - p));
        const std::string document = string_member(v, "document");
        json::Value doc_root;
        ASSERT_TRUE(json::validate(document, &doc_root)) << document;
        const json::Value ts = member(doc_root.raw, "timestamp");
        std::uint64_t timestamp = 0;
        std::from_chars(ts.raw.data(), ts.raw.data() + ts.raw.size(), timestamp);
        const DocumentCheck c = check_document(document, string_member(doc_root.raw, "appId"), timestamp, 0);
        ASSERT_TRUE(c.ok()) << document << "\n" << c.problem;
        EXPECT_EQ(c.doc->public_key, pub);
        EXPECT_EQ(signed_message(*c.doc), string_member(v, "message")) << document;
        EXPECT_EQ(c.doc->signature, string_member(v, "signature")) << document;
        EXPECT_EQ(encode_document(*c.doc), document);
        EXPECT_EQ(sign_document(*c.doc, key), document);  // Ed25519 is deterministic
        p = json::detail::skip_ws(e, end);
        if (*p == ',') p = json::detail::skip_ws(p + 1, end);
    }
    EXPECT_GE(n, 2);
}
