// Writes tests/vectors/data-records.json (stdout) from the C++ record codec (src/data/data_record.h):
//   build/tests/make_data_vectors > tests/vectors/data-records.json
// The file is checked against this code by tests/unit/data_record_test.cpp and, independently, against
// JavaScript's JSON.stringify and Node's crypto by tests/integration/data_vectors.test.mjs.
#include <cstdio>
#include <string>
#include <vector>

#include "data/data_record.h"
#include "util/hex.h"

using namespace pigeonhub;
using namespace pigeonhub::data;

namespace {

// RFC 8032, section 7.1, TEST 1: a published seed, so that its public key can be checked against the RFC too.
constexpr std::array<std::uint8_t, 32> kSeed = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
                                                0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
                                                0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};

struct RecordCase {
    std::string topic;
    std::string data;  // raw JSON, as a client might send it (not canonical on purpose)
    std::uint64_t seq, expires;
};

const std::vector<RecordCase> kRecords = {
    {"weather/london", R"({ "temp" : 21.50, "unit" : "C", "ok" : true })", 1, 1700000300000},
    {"chat/caf\xc3\xa9/\xf0\x9f\x98\x80", R"("h\u00e9llo \"world\"\n\u2028 \ud83d\ude00 \/ \u0007")", 2, 1700000300001},
    {"numbers", R"([0, -0, 1.50, 1e21, 1E-7, 123456789012345678901234, 5e-324, 0.1, 100, 1e300, 1e-400, -2.5E+3])", 3,
     1700000400000},
    {"nothing", "null", 0, 1},
    {"order", R"({"b": 1, "2": "two", "1": [], "01": 0, "x": {"10": null, "9": "nine", "-1": -1}})", 42, 1700000500000},
    {"a \"quoted\" \\ topic\twith\ttabs", R"([[[[{"deep": [true, false, null]}]]], "", {}, []])", 9007199254740991,
     9007199254740991},
    {"t", "12345.678e-2", 7, 1700000600000},
};

// Inputs canonical_json accepts, with what it gives (= JSON.stringify(JSON.parse(input))).
const std::vector<std::string> kCanonical = {
    " \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } }\n",
    "0",
    "-0",
    "1.50",
    "1e21",
    "1e20",
    "1e-7",
    "1e-6",
    "0.000001",
    "1.5e-7",
    "123456789012345678901234",
    "5e-324",
    "0.1",
    "100",
    "1e300",
    "1E+2",
    "-1e-7",
    "1e-400",
    "-1e-400",
    "0e999999",
    "9007199254740993",
    "0.30000000000000004",
    "1.7976931348623157e308",
    "2.2250738585072014e-308",
    "4.35",
    "123e-20",
    "-0.0",
    "1000000000000000128",
    "\"\\u00E9\\u00e9\xc3\xa9\"",
    "\"\\ud83d\\ude00\xf0\x9f\x98\x80\"",
    "\"\\/\\\\\\\"\\b\\f\\n\\r\\t\"",
    "\"\\u0000\\u0001\\u001f\\u007f\\u0080\\u2028\\u2029\\ufeff\\uffff\"",
    "\"\xe2\x80\xa8\x7f\"",
    "{\"b\":1,\"2\":2,\"1\":3}",
    "{\"4294967295\":1,\"4294967294\":2,\"a\":3,\"0\":4}",
    "{\"01\":1,\"1.0\":2,\"-1\":3,\"1\":4}",
    "{\"__proto__\":{\"x\":1}}",
    "{\"a\":1,\"A\":2}",
    "[true,false,null,\"\",[],{}]",
    "\"\"",
    "[[[[[[[[[[]]]]]]]]]]",
};

// Inputs canonical_json refuses (JSON.parse accepts most, but JSON.stringify of the result differs or loses data).
const std::vector<std::string> kRefused = {
    "{\"a\":1,\"a\":2}",
    "[{\"x\":{\"a\":1,\"b\":2,\"a\":3}}]",
    "{\"a\":1,\"\\u0061\":2}",
    "\"\\ud800\"",
    "\"\\udc00\"",
    "\"\\ud800\\u0041\"",
    "\"\\ude00\\ud83d\"",
    "{\"\\udfff\":1}",
    "1e400",
    "-1e309",
    "[1.8e308]",
    std::string(65, '[') + std::string(65, ']'),
    "{\"a\":}",
    "[1,]",
    "01",
    "1 2",
    "",
    "NaN",
    "\"\\x\"",
};

// s as a JSON string, with the characters one cannot see (DEL, C1 controls, U+2028, U+2029, U+FEFF, U+FFFE,
// U+FFFF) escaped too, so that the file shows them; JSON.parse reads both forms alike.
std::string q(std::string_view s) {
    std::string quoted, out;
    append_js_string(quoted, s);
    for (std::size_t i = 0; i < quoted.size();) {
        const auto c = static_cast<unsigned char>(quoted[i]);
        const std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        std::uint32_t cp = n == 1 ? c : c & (0x7F >> n);
        for (std::size_t k = 1; k < n; ++k) cp = cp << 6 | (static_cast<unsigned char>(quoted[i + k]) & 0x3F);
        if (cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF || cp == 0xFFFE ||
            cp == 0xFFFF) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
            out += buf;
        } else {
            out.append(quoted, i, n);
        }
        i += n;
    }
    return out;
}

}  // namespace

int main() {
    const Ed25519Key key = Ed25519Key::from_seed(kSeed);
    std::string seed_hex, pub_hex;
    hex::append(seed_hex, key.seed.data(), key.seed.size());
    hex::append(pub_hex, key.public_key.data(), key.public_key.size());

    std::string out = "{\n";
    out += "  \"about\": " +
           q("Data records of PigeonHub (src/data/data_record.h). message = JSON.stringify([\"pigeonhub-record/1\", "
             "topic, seq, expires, data]) (its UTF-8 bytes are signed); signature = Ed25519(seed, message), hex. data "
             "is written as a client might send it; its canonical form is JSON.stringify(data). canonical: "
             "JSON.stringify(JSON.parse(input)) === output. refused: inputs the hub refuses (error as canonical_json "
             "gives it). Made by tests/vectors/make_data_vectors.cpp.") +
           ",\n";
    out += "  \"seed\": \"" + seed_hex + "\",\n";
    out += "  \"publicKey\": \"" + pub_hex + "\",\n";
    out += "  \"privateKeyPem\": " + q(ed25519_to_pem(key)) + ",\n";
    out += "  \"records\": [\n";
    for (std::size_t i = 0; i < kRecords.size(); ++i) {
        const RecordCase& c = kRecords[i];
        std::string error;
        auto data = canonical_json(c.data, &error);
        if (!data) {
            std::fprintf(stderr, "record %zu: %s\n", i, error.c_str());
            return 1;
        }
        Record r;
        r.topic = c.topic;
        r.data = *data;
        r.seq = c.seq;
        r.expires = c.expires;
        sign(r, key);
        out += "    {\n";
        out += "      \"topic\": " + q(r.topic) + ",\n";
        out += "      \"data\": " + c.data + ",\n";
        out += "      \"seq\": " + std::to_string(r.seq) + ",\n";
        out += "      \"expires\": " + std::to_string(r.expires) + ",\n";
        out += "      \"message\": " + q(signed_message(r)) + ",\n";
        out += "      \"signature\": \"" + r.signature + "\"\n";
        out += i + 1 < kRecords.size() ? "    },\n" : "    }\n";
    }
    out += "  ],\n  \"canonical\": [\n";
    for (std::size_t i = 0; i < kCanonical.size(); ++i) {
        std::string error;
        auto c = canonical_json(kCanonical[i], &error);
        if (!c) {
            std::fprintf(stderr, "canonical %zu: %s\n", i, error.c_str());
            return 1;
        }
        out += "    {\"input\": " + q(kCanonical[i]) + ", \"output\": " + q(*c) + "}";
        out += i + 1 < kCanonical.size() ? ",\n" : "\n";
    }
    out += "  ],\n  \"refused\": [\n";
    for (std::size_t i = 0; i < kRefused.size(); ++i) {
        std::string error;
        if (canonical_json(kRefused[i], &error)) {
            std::fprintf(stderr, "refused %zu was accepted\n", i);
            return 1;
        }
        out += "    {\"input\": " + q(kRefused[i]) + ", \"error\": " + q(error) + "}";
        out += i + 1 < kRefused.size() ? ",\n" : "\n";
    }
    out += "  ]\n}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}
