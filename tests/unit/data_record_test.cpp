#include "data/data_record.h"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "protocol/json.h"
#include "util/hex.h"

using namespace pigeonhub;
using namespace pigeonhub::data;

namespace {

std::string canon(std::string_view raw) {
    std::string error;
    auto c = canonical_json(raw, &error);
    return c ? *c : "refused: " + error;
}

std::array<std::uint8_t, 32> seed_of(std::uint8_t fill) {
    std::array<std::uint8_t, 32> s;
    s.fill(fill);
    return s;
}

Record signed_record(const Ed25519Key& key) {
    Record r;
    r.topic = "weather/london";
    r.data = R"({"temp":21.5})";
    r.seq = 7;
    r.expires = 1700000300000;
    r.published = 1700000000000;
    sign(r, key);
    return r;
}

std::string hexed(const std::uint8_t* p, std::size_t n) {
    std::string s;
    hex::append(s, p, n);
    return s;
}

}  // namespace

// --- canonical JSON -----------------------------------------------------------------------------------------------

TEST(CanonicalJson, DropsWhitespaceAndKeepsMemberOrder) {
    EXPECT_EQ(canon(" \t\r\n{ \"b\" : [ 1 , 2 ] , \"a\" : { } , \"c\":null }\n"), R"({"b":[1,2],"a":{},"c":null})");
    EXPECT_EQ(canon("[true,false,null,\"\",[],{}]"), "[true,false,null,\"\",[],{}]");
    EXPECT_EQ(canon("\"\""), "\"\"");
}

TEST(CanonicalJson, ArrayIndexNamesComeFirstInNumericOrder) {
    EXPECT_EQ(canon(R"({"b":1,"2":2,"1":3})"), R"({"1":3,"2":2,"b":1})");
    EXPECT_EQ(canon(R"({"4294967295":1,"4294967294":2,"a":3,"0":4})"),
              R"({"0":4,"4294967294":2,"4294967295":1,"a":3})");
    EXPECT_EQ(canon(R"({"01":1,"1.0":2,"-1":3,"1":4})"), R"({"1":4,"01":1,"1.0":2,"-1":3})");
    EXPECT_EQ(canon(R"({"x":{"10":[{"9":1,"z":2,"8":3}],"9":0}})"), R"({"x":{"9":0,"10":[{"8":3,"9":1,"z":2}]}})");
}

TEST(CanonicalJson, EscapesStringsAsJsonStringifyDoes) {
    EXPECT_EQ(canon(R"("\/\\\"\b\f\n\r\t")"), R"("/\\\"\b\f\n\r\t")");
    EXPECT_EQ(canon(R"("\u0000\u0001\u001F\u007f\u0041")"),
              "\"\\u0000\\u0001\\u001f\x7f"
              "A\"");
    EXPECT_EQ(canon(R"("\u00E9\u00e9)"
                    "\xc3\xa9\""),
              "\"\xc3\xa9\xc3\xa9\xc3\xa9\"");
    EXPECT_EQ(canon(R"("\ud83d\ude00)"
                    "\xf0\x9f\x98\x80\""),
              "\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"");
    EXPECT_EQ(canon(R"("\u2028\u2029\ufeff")"), "\"\xe2\x80\xa8\xe2\x80\xa9\xef\xbb\xbf\"");
    EXPECT_EQ(canon(R"({"\u0061":"\n"})"), R"({"a":"\n"})");
}

TEST(CanonicalJson, WritesNumbersAsNumberToString) {
    const std::vector<std::pair<std::string_view, std::string_view>> cases = {
        {"0", "0"},
        {"-0", "0"},
        {"-0.0", "0"},
        {"0e999999", "0"},
        {"1.50", "1.5"},
        {"1e21", "1e+21"},
        {"1e20", "100000000000000000000"},
        {"1e-7", "1e-7"},
        {"1e-6", "0.000001"},
        {"0.0000001", "1e-7"},
        {"-1.5e-7", "-1.5e-7"},
        {"123456789012345678901234", "1.2345678901234569e+23"},
        {"5e-324", "5e-324"},
        {"1e-400", "0"},
        {"-1e-400", "0"},
        {"0.1", "0.1"},
        {"100", "100"},
        {"1E+2", "100"},
        {"1e300", "1e+300"},
        {"9007199254740993", "9007199254740992"},
        {"123456789012345", "123456789012345"},
        {"-1234567890123456789", "-1234567890123456800"},
        {"0.30000000000000004", "0.30000000000000004"},
        {"1.7976931348623157e308", "1.7976931348623157e+308"},
        {"4.35", "4.35"},
        {"123e-20", "1.23e-18"},
    };
    for (const auto& [in, want] : cases) EXPECT_EQ(canon(in), want) << in;
}

TEST(CanonicalJson, JsNumberCoversEveryLayout) {
    EXPECT_EQ(js_number(0.0), "0");
    EXPECT_EQ(js_number(-0.0), "0");
    EXPECT_EQ(js_number(123.0), "123");
    EXPECT_EQ(js_number(1.25), "1.25");
    EXPECT_EQ(js_number(0.00125), "0.00125");
    EXPECT_EQ(js_number(1e-7), "1e-7");
    EXPECT_EQ(js_number(1.5e22), "1.5e+22");
    EXPECT_EQ(js_number(-4.9406564584124654e-324), "-5e-324");
    EXPECT_EQ(js_number(9007199254740991.0), "9007199254740991");
    EXPECT_EQ(js_number(1.0 / 0.0), "Infinity");
}

TEST(CanonicalJson, RefusesWhatJsonStringifyCannotReproduce) {
    EXPECT_EQ(canon(R"({"a":1,"a":2})"), "refused: duplicate member \"a\"");
    EXPECT_EQ(canon(R"({"a":1,"\u0061":2})"), "refused: duplicate member \"a\"");
    EXPECT_EQ(canon(R"([{"x":{"a":1,"b":2,"a":3}}])"), "refused: duplicate member \"a\"");
    EXPECT_EQ(canon(R"({"a":1,"A":2})"), R"({"a":1,"A":2})");
    for (std::string_view s : {R"("\ud800")", R"("\udc00")", R"("\ud800\u0041")", R"("\ude00\ud83d")", R"("x\ud800")",
                               R"({"\udfff":1})", R"(["\udbff"])"}) {
        EXPECT_EQ(canon(s).rfind("refused: lone surrogate escape", 0), 0u) << s;
    }
    for (std::string_view s : {"1e400", "-1e309", "[1.8e308]",
                               "1797693134862315807937289714053034150799341327100378269"
                               "361737789804449682927647507e282"}) {
        EXPECT_EQ(canon(s).rfind("refused: number too large", 0), 0u) << s;
    }
}

TEST(CanonicalJson, BoundsNesting) {
    const std::string ok = std::string(json::kMaxDepth, '[') + std::string(json::kMaxDepth, ']');
    const std::string deep = std::string(json::kMaxDepth + 1, '[') + std::string(json::kMaxDepth + 1, ']');
    EXPECT_EQ(canon(ok), ok);
    EXPECT_EQ(canon(deep), "refused: JSON nested deeper than 64 levels");
    std::string objects;
    for (int i = 0; i <= json::kMaxDepth; ++i) objects += "{\"a\":";
    objects += "1" + std::string(json::kMaxDepth + 1, '}');
    EXPECT_EQ(canon(objects), "refused: JSON nested deeper than 64 levels");
}

TEST(CanonicalJson, RefusesMalformedText) {
    for (std::string_view s :
         {"", " ", "{\"a\":}", "[1,]", "01", "1 2", "NaN", "\"\\x\"", "{a:1}", "\"\xc3\"", "[\"]"}) {
        EXPECT_EQ(canon(s), "refused: malformed JSON") << s;
    }
}

TEST(CanonicalJson, LongDuplicateNamesAreCutInTheError) {
    const std::string name(100, 'x');
    const auto got = canon("{\"" + name + "\":1,\"" + name + "\":2}");
    EXPECT_EQ(got, "refused: duplicate member \"" + std::string(40, 'x') + "...\"");
}

// --- keys ---------------------------------------------------------------------------------------------------------

TEST(Ed25519, MatchesRfc8032Test1) {
    // RFC 8032, 7.1, TEST 1: the seed, its public key, and the signature of the empty message.
    const std::array<std::uint8_t, 32> seed = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
                                               0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
                                               0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
    const Ed25519Key k = Ed25519Key::from_seed(seed);
    EXPECT_EQ(hexed(k.public_key.data(), 32), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    // The PEM that `openssl pkey` prints for this seed.
    EXPECT_EQ(ed25519_to_pem(k),
              "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
              "-----END PRIVATE KEY-----\n");
}

TEST(Ed25519, PemRoundTrips) {
    const Ed25519Key k = Ed25519Key::generate();
    EXPECT_NE(Ed25519Key::generate().seed, k.seed);
    const std::string pem = ed25519_to_pem(k);
    auto back = ed25519_from_pem(pem);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->seed, k.seed);
    EXPECT_EQ(back->public_key, k.public_key);
    // CRLF line ends and text around the block are fine.
    std::string crlf = "key for hub a\r\n" + pem;
    for (std::size_t i = 0; (i = crlf.find('\n', i)) != std::string::npos; i += 2)
        if (i == 0 || crlf[i - 1] != '\r') crlf.insert(i, "\r");
    back = ed25519_from_pem(crlf);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->seed, k.seed);
}

TEST(Ed25519, RefusesOtherPem) {
    const std::string pem = ed25519_to_pem(Ed25519Key::from_seed(seed_of(1)));
    EXPECT_FALSE(ed25519_from_pem(""));
    EXPECT_FALSE(ed25519_from_pem(pem.substr(0, pem.size() - 10)));  // no END line
    std::string wrong_oid = pem;
    wrong_oid[28 + 12] = 'X';  // inside the DER prefix
    EXPECT_FALSE(ed25519_from_pem(wrong_oid));
    std::string bad_char = pem;
    bad_char[28 + 5] = '*';
    EXPECT_FALSE(ed25519_from_pem(bad_char));
    std::string short_key = pem;
    short_key.erase(28 + 60, 4);  // 45 bytes, not 48
    EXPECT_FALSE(ed25519_from_pem(short_key));
    // An X25519 key (OID 1.3.101.110) is not an Ed25519 key.
    EXPECT_FALSE(ed25519_from_pem(
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VuBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
        "-----END PRIVATE KEY-----\n"));
}

// --- records ------------------------------------------------------------------------------------------------------

TEST(DataRecord, SignedMessageIsTheCanonicalArray) {
    Record r;
    r.topic = "a\"b";
    r.data = R"({"x":[1,"\n"]})";
    r.seq = 9007199254740991;
    r.expires = 1700000300000;
    EXPECT_EQ(signed_message(r), R"(["pigeonhub-record/1","a\"b",9007199254740991,1700000300000,{"x":[1,"\n"]}])");
}

TEST(DataRecord, SignThenVerify) {
    const Ed25519Key key = Ed25519Key::from_seed(seed_of(7));
    const Record r = signed_record(key);
    EXPECT_EQ(r.public_key, hexed(key.public_key.data(), 32));
    EXPECT_EQ(r.signature.size(), 128u);
    EXPECT_TRUE(verify(r));
    Record again = r;
    sign(again, key);
    EXPECT_EQ(again.signature, r.signature);  // Ed25519 is deterministic
}

TEST(DataRecord, TamperedRecordsDoNotVerify) {
    const Record r = signed_record(Ed25519Key::from_seed(seed_of(7)));
    Record t = r;
    t.data = R"({"temp":21.6})";
    EXPECT_FALSE(verify(t));
    t = r;
    t.topic = "weather/paris";
    EXPECT_FALSE(verify(t));
    t = r;
    t.seq = 8;
    EXPECT_FALSE(verify(t));
    t = r;
    t.expires += 1;
    EXPECT_FALSE(verify(t));
    t = r;
    t.published += 1;  // not signed
    EXPECT_TRUE(verify(t));
    t = r;
    t.public_key = hexed(Ed25519Key::from_seed(seed_of(8)).public_key.data(), 32);
    EXPECT_FALSE(verify(t));
    t = r;
    t.signature[5] = t.signature[5] == '0' ? '1' : '0';
    EXPECT_FALSE(verify(t));
    t = r;
    t.signature.pop_back();
    EXPECT_FALSE(verify(t));
    t = r;
    for (char& c : t.signature) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_FALSE(verify(t));  // lower-case hex only
}

TEST(DataRecord, EncodeThenParse) {
    Record r = signed_record(Ed25519Key::from_seed(seed_of(3)));
    r.topic = "caf\xc3\xa9 \"q\"";
    sign(r, Ed25519Key::from_seed(seed_of(3)));
    const std::string json = encode(r);
    EXPECT_EQ(json, "{\"topic\":\"caf\xc3\xa9 \\\"q\\\"\",\"data\":{\"temp\":21.5},\"publicKey\":\"" + r.public_key +
                        "\",\"signature\":\"" + r.signature +
                        "\",\"seq\":7,\"published\":1700000000000,\"expires\":1700000300000}");
    EXPECT_EQ(encode(r, true), json.substr(0, json.size() - 1) + ",\"verified\":true}");
    const Parsed p = parse_record(encode(r, true));
    ASSERT_TRUE(p.record) << p.problem.error;
    EXPECT_EQ(p.record->topic, r.topic);
    EXPECT_EQ(p.record->data, r.data);
    EXPECT_EQ(p.record->public_key, r.public_key);
    EXPECT_EQ(p.record->signature, r.signature);
    EXPECT_EQ(p.record->seq, r.seq);
    EXPECT_EQ(p.record->published, r.published);
    EXPECT_EQ(p.record->expires, r.expires);
}

TEST(DataRecord, ParseCanonicalizesDataAndReadsIntegersAsJavaScriptDoes) {
    Record r = signed_record(Ed25519Key::from_seed(seed_of(3)));
    std::string json = encode(r);
    // The same record written by another client: whitespace, 21.50, 7.0, 1.7000003e12, no "published", extra members.
    std::string other =
        "{ \"extra\": [1], \"topic\" : \"weather/london\", \"data\" : { \"temp\" : 21.50 }, "
        "\"publicKey\": \"" +
        r.public_key + "\", \"signature\": \"" + r.signature +
        "\", \"seq\": 7.0, \"expires\": 1.7000003e12, \"verified\": false }";
    const Parsed p = parse_record(other);
    ASSERT_TRUE(p.record) << p.problem.error;
    EXPECT_EQ(p.record->data, R"({"temp":21.5})");
    EXPECT_EQ(p.record->seq, 7u);
    EXPECT_EQ(p.record->expires, 1700000300000u);
    EXPECT_EQ(p.record->published, 0u);
}

namespace {

// parse_record of the record above with member `name`'s value replaced by `value` (removed when empty).
Problem record_problem(std::string_view name, std::string_view value) {
    const Record r = signed_record(Ed25519Key::from_seed(seed_of(3)));
    std::vector<std::pair<std::string, std::string>> members = {{"topic", "\"" + r.topic + "\""},
                                                                {"data", r.data},
                                                                {"publicKey", "\"" + r.public_key + "\""},
                                                                {"signature", "\"" + r.signature + "\""},
                                                                {"seq", "7"},
                                                                {"published", "1700000000000"},
                                                                {"expires", "1700000300000"}};
    std::string json = "{";
    bool replaced = false;
    for (auto& [k, v] : members) {
        if (k == name) {
            replaced = true;
            if (value.empty()) continue;
            v = value;
        }
        if (json.size() > 1) json += ',';
        json += "\"" + k + "\":" + v;
    }
    if (!replaced) json += ",\"" + std::string(name) + "\":" + std::string(value);
    json += '}';
    const Parsed p = parse_record(json);
    EXPECT_FALSE(p.record) << json;
    return p.problem;
}

void expect_problem(const Problem& p, std::string_view field, std::string_view error) {
    EXPECT_EQ(p.field, field) << p.error;
    EXPECT_EQ(p.error, error);
}

}  // namespace

TEST(DataRecord, ParseErrorsNameTheirField) {
    expect_problem(record_problem("topic", ""), "topic", "topic is required");
    expect_problem(record_problem("topic", "5"), "topic", "topic must be a string");
    expect_problem(record_problem("topic", "\"\""), "topic", "topic must be 1 to 256 bytes of UTF-8");
    expect_problem(record_problem("topic", "\"" + std::string(257, 't') + "\""), "topic",
                   "topic must be 1 to 256 bytes of UTF-8");
    expect_problem(record_problem("topic", R"("\ud800")"), "topic",
                   "topic must not contain a lone surrogate escape (\\ud800 to \\udfff)");
    expect_problem(record_problem("data", ""), "data", "data is required (any JSON value, null included)");
    expect_problem(record_problem("data", R"({"a":1,"a":2})"), "data", "data: duplicate member \"a\"");
    expect_problem(record_problem("data", "1e999"), "data", "data: number too large for a double: 1e999");
    expect_problem(record_problem("publicKey", ""), "publicKey", "publicKey is required");
    expect_problem(record_problem("publicKey", "\"abc\""), "publicKey", "publicKey must be 64 lower-case hex digits");
    expect_problem(record_problem("publicKey", "\"" + std::string(64, 'A') + "\""), "publicKey",
                   "publicKey must be 64 lower-case hex digits");
    expect_problem(record_problem("publicKey", "1"), "publicKey", "publicKey must be 64 lower-case hex digits");
    expect_problem(record_problem("signature", ""), "signature", "signature is required");
    expect_problem(record_problem("signature", "\"" + std::string(127, 'a') + "\""), "signature",
                   "signature must be 128 lower-case hex digits");
    expect_problem(record_problem("seq", ""), "seq", "seq is required");
    for (std::string_view bad : {"-1", "1.5", "\"7\"", "null", "9007199254740992", "1e400", "true"})
        expect_problem(record_problem("seq", bad), "seq", "seq must be an integer from 0 to 9007199254740991");
    expect_problem(record_problem("published", "-5"), "published",
                   "published must be an integer from 0 to 9007199254740991");
    expect_problem(record_problem("expires", ""), "expires", "expires is required");
    expect_problem(record_problem("expires", "{}"), "expires", "expires must be an integer from 0 to 9007199254740991");
    // Well-formed but signed over something else.
    expect_problem(record_problem("seq", "8"), "signature",
                   "signature does not match the record (topic, data, seq, expires) and publicKey");
    expect_problem(record_problem("data", R"({"temp":21.5,"x":1})"), "signature",
                   "signature does not match the record (topic, data, seq, expires) and publicKey");
}

TEST(DataRecord, ParseRefusesBodiesThatAreNotOneObject) {
    expect_problem(parse_record("{\"topic\":").problem, "", "malformed JSON");
    expect_problem(parse_record("").problem, "", "malformed JSON");
    expect_problem(parse_record("[1]").problem, "", "the body must be a JSON object");
    expect_problem(parse_record("null").problem, "", "the body must be a JSON object");
    expect_problem(parse_record(R"({"topic":"a","topic":"b"})").problem, "topic", "topic appears twice");
    std::string deep = "{\"data\":" + std::string(64, '[') + std::string(64, ']') + "}";
    expect_problem(parse_record(deep).problem, "", "JSON nested deeper than 64 levels");
}

TEST(DataRecord, DataOverTheLimitIsTooLarge) {
    const std::string big = "\"" + std::string(kMaxDataBytes - 2, 'x') + "\"";  // exactly kMaxDataBytes
    ParsedPublish p = parse_publish("{\"topic\":\"t\",\"data\":" + big + "}");
    ASSERT_TRUE(p.request) << p.problem.error;
    p = parse_publish("{\"topic\":\"t\",\"data\":\"" + std::string(kMaxDataBytes - 1, 'x') + "\"}");
    ASSERT_FALSE(p.request);
    EXPECT_TRUE(p.problem.too_large);
    expect_problem(p.problem, "data", "data must be at most 16384 bytes as canonical JSON");
    // Canonical size counts, not raw size: 1e20 is 21 bytes.
    std::string numbers = "[1e20";
    while (numbers.size() < kMaxDataBytes / 4) numbers += ",1e20";
    p = parse_publish("{\"topic\":\"t\",\"data\":" + numbers + "]}");
    EXPECT_TRUE(p.problem.too_large);
    EXPECT_FALSE(parse_publish("{\"topic\":\"t\",\"data\":1,\"ttl\":0}").problem.too_large);
}

TEST(DataRecord, PublishUnsigned) {
    ParsedPublish p = parse_publish(R"({"topic":"t","data":null})");
    ASSERT_TRUE(p.request) << p.problem.error;
    EXPECT_FALSE(p.request->is_signed);
    EXPECT_EQ(p.request->record.topic, "t");
    EXPECT_EQ(p.request->record.data, "null");
    EXPECT_EQ(p.request->ttl_seconds, kDefaultTtlSeconds);

    p = parse_publish(R"({"topic":"t","data":{ "a" : [ 1.0 ] },"ttl":86400})");
    ASSERT_TRUE(p.request) << p.problem.error;
    EXPECT_EQ(p.request->record.data, R"({"a":[1]})");
    EXPECT_EQ(p.request->ttl_seconds, 86400);

    for (std::string_view bad : {"0", "86401", "1.5", "-1", "\"60\"", "null"})
        expect_problem(parse_publish(std::string(R"({"topic":"t","data":1,"ttl":)") + std::string(bad) + "}").problem,
                       "ttl", "ttl must be an integer from 1 to 86400");
    expect_problem(parse_publish(R"({"topic":"t"})").problem, "data",
                   "data is required (any JSON value, null included)");
    expect_problem(parse_publish(R"({"data":1})").problem, "topic", "topic is required");
    expect_problem(parse_publish(R"({"topic":"t","data":1,"signature":"00"})").problem, "publicKey",
                   "publicKey is required with a signature");
    expect_problem(parse_publish("[]").problem, "", "the body must be a JSON object");
    expect_problem(parse_publish("{").problem, "", "malformed JSON");
}

TEST(DataRecord, PublishSigned) {
    const Record r = signed_record(Ed25519Key::from_seed(seed_of(5)));
    ParsedPublish p = parse_publish(encode(r));
    ASSERT_TRUE(p.request) << p.problem.error;
    EXPECT_TRUE(p.request->is_signed);
    EXPECT_EQ(p.request->record.signature, r.signature);
    EXPECT_EQ(p.request->record.seq, r.seq);
    Record tampered = r;
    tampered.expires += 1000;
    expect_problem(parse_publish(encode(tampered)).problem, "signature",
                   "signature does not match the record (topic, data, seq, expires) and publicKey");
    Record no_seq_json = r;
    std::string body = encode(no_seq_json);
    body.replace(body.find("\"seq\":7,"), 8, "");
    expect_problem(parse_publish(body).problem, "seq", "seq is required");
}

TEST(DataRecord, ReplicateOneOrABatch) {
    const Record r = signed_record(Ed25519Key::from_seed(seed_of(5)));
    ParsedReplicate one = parse_replicate(encode(r));
    ASSERT_TRUE(one.problem.error.empty()) << one.problem.error;
    ASSERT_EQ(one.records.size(), 1u);
    EXPECT_EQ(one.records[0].signature, r.signature);
    ParsedReplicate two = parse_replicate("{\"records\":[" + encode(r) + "," + encode(r) + "]}");
    EXPECT_TRUE(two.problem.error.empty());
    EXPECT_EQ(two.records.size(), 2u);
    EXPECT_TRUE(parse_replicate(R"({"records":[]})").records.empty());
    EXPECT_TRUE(parse_replicate(R"({"records":[]})").problem.error.empty());
}

TEST(DataRecord, ReplicateRefusesTheWholeBodyForOneBadRecord) {
    Record tampered = signed_record(Ed25519Key::from_seed(seed_of(5)));
    tampered.seq += 1;
    const std::string good = encode(signed_record(Ed25519Key::from_seed(seed_of(5))));
    ParsedReplicate p = parse_replicate("{\"records\":[" + good + "," + encode(tampered) + "]}");
    EXPECT_TRUE(p.records.empty());
    expect_problem(p.problem, "signature",
                   "record 1: signature does not match the record (topic, data, seq, expires) and publicKey");
    expect_problem(parse_replicate(R"({"records":{}})").problem, "records", "records must be an array of records");
    expect_problem(parse_replicate("[1]").problem, "", "malformed JSON: expected a record or {\"records\": [...]}");
    expect_problem(parse_replicate("{").problem, "", "malformed JSON: expected a record or {\"records\": [...]}");
}

// --- the vector file (tests/vectors/data-records.json) ------------------------------------------------------------

namespace {

// The members of a validated object, by decoded name.
std::vector<std::pair<std::string, json::Value>> members(std::string_view object) {
    std::vector<std::pair<std::string, json::Value>> out;
    json::for_each_member(object, [&](std::string_view key, const json::Value& v) {
        std::string name;
        json::decode_string(key, name);
        out.emplace_back(std::move(name), v);
    });
    return out;
}

json::Value member(std::string_view object, std::string_view name) {
    for (auto& [k, v] : members(object))
        if (k == name) return v;
    ADD_FAILURE() << "no member " << name;
    return {};
}

std::string string_member(std::string_view object, std::string_view name) {
    std::string s;
    const json::Value v = member(object, name);
    if (v.kind == json::Kind::string) json::decode_string(v.raw, s);
    return s;
}

std::uint64_t integer_member(std::string_view object, std::string_view name) {
    return std::stoull(std::string(member(object, name).raw));
}

// The elements of a validated array.
std::vector<json::Value> elements(std::string_view array) {
    std::vector<json::Value> out;
    const char* p = array.data();
    const char* end = p + array.size();
    p = json::detail::skip_ws(p + 1, end);
    while (p < end && *p != ']') {
        json::Kind k;
        const char* e = json::detail::skip_value(p, end, &k);
        out.push_back({k, std::string_view(p, static_cast<std::size_t>(e - p))});
        p = json::detail::skip_ws(e, end);
        if (p < end && *p == ',') p = json::detail::skip_ws(p + 1, end);
    }
    return out;
}

std::string read_vectors() {
    std::ifstream f(std::string(PIGEONHUB_SOURCE_ROOT) + "/tests/vectors/data-records.json");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

}  // namespace

TEST(DataRecordVectors, CppMakesTheSameMessagesAndSignatures) {
    const std::string text = read_vectors();
    json::Value root;
    ASSERT_TRUE(json::validate(text, &root)) << "tests/vectors/data-records.json is missing or not JSON";
    std::array<std::uint8_t, 32> seed;
    const std::string seed_hex = string_member(root.raw, "seed");
    ASSERT_EQ(seed_hex.size(), 64u);
    for (std::size_t i = 0; i < 32; ++i)
        seed[i] = static_cast<std::uint8_t>(hex::value(seed_hex[2 * i]) << 4 | hex::value(seed_hex[2 * i + 1]));
    const Ed25519Key key = Ed25519Key::from_seed(seed);
    EXPECT_EQ(hexed(key.public_key.data(), 32), string_member(root.raw, "publicKey"));
    EXPECT_EQ(ed25519_to_pem(key), string_member(root.raw, "privateKeyPem"));

    const auto records = elements(member(root.raw, "records").raw);
    ASSERT_GE(records.size(), 5u);
    for (const json::Value& v : records) {
        Record r;
        r.topic = string_member(v.raw, "topic");
        auto data = canonical_json(member(v.raw, "data").raw);
        ASSERT_TRUE(data) << r.topic;
        r.data = *data;
        r.seq = integer_member(v.raw, "seq");
        r.expires = integer_member(v.raw, "expires");
        sign(r, key);
        EXPECT_EQ(signed_message(r), string_member(v.raw, "message")) << r.topic;
        EXPECT_EQ(r.signature, string_member(v.raw, "signature")) << r.topic;
        // And the record as it travels parses back.
        const Parsed p = parse_record(encode(r));
        EXPECT_TRUE(p.record) << r.topic << ": " << p.problem.error;
    }

    const auto canonical = elements(member(root.raw, "canonical").raw);
    ASSERT_GE(canonical.size(), 20u);
    for (const json::Value& c : canonical) {
        const std::string input = string_member(c.raw, "input");
        EXPECT_EQ(canon(input), string_member(c.raw, "output")) << input;
    }
    const auto refused = elements(member(root.raw, "refused").raw);
    ASSERT_GE(refused.size(), 5u);
    for (const json::Value& c : refused) {
        const std::string input = string_member(c.raw, "input");
        EXPECT_EQ(canon(input), "refused: " + string_member(c.raw, "error")) << input;
    }
}
