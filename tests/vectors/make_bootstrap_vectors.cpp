// Writes tests/vectors/bootstrap-document.json (stdout) from the C++ codec (src/bootstrap/bootstrap_document.h):
//   build/tests/make_bootstrap_vectors > tests/vectors/bootstrap-document.json
// The file is checked against this code by tests/unit/bootstrap_document_test.cpp and, independently, against
// JavaScript's JSON.stringify and Node's crypto by tests/integration/bootstrap_vectors.test.mjs.
#include <cstdio>
#include <string>
#include <vector>

#include "bootstrap/bootstrap_document.h"
#include "data/data_record.h"
#include "util/hex.h"

using namespace pigeonhub;
using namespace pigeonhub::bootstrap;

namespace {

// RFC 8032, section 7.1, TEST 1 (as tests/vectors/data-records.json): a published seed.
constexpr std::array<std::uint8_t, 32> kSeed = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
                                                0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
                                                0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};

std::vector<BootstrapDocument> documents() {
    BootstrapDocument full;
    full.app_id = "pigeonhub";
    full.hub_id = "4f1c2a9e0b7d3c5a8e6f1029384756abcdef0123";
    full.url = "wss://hub.example.org/";
    full.region = "eu-west";
    full.dht = {"hub.example.org:4222", "203.0.113.7:4222", "[2001:db8::1]:4223"};
    KnownHub other;
    other.u = "wss://other.example.net";
    other.region = "us-east";
    other.priority = 10;
    other.description = "Other hub \xe2\x80\x94 caf\xc3\xa9 \"quoted\" \\ \xf0\x9f\x98\x80\ttab";
    other.public_key = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
    KnownHub third;
    third.u = "https://third.example:8443/ws?x=1";
    third.priority = 0;
    full.hubs = {other, third};
    full.timestamp = 1700000000000;

    BootstrapDocument minimal;
    minimal.app_id = "my app/\xc3\xa9\x01";
    minimal.hub_id = "0000000000000000000000000000000000000000";
    minimal.timestamp = 9007199254740991;
    return {full, minimal};
}

std::string q(std::string_view s) {
    std::string out;
    data::append_js_string(out, s);
    return out;
}

}  // namespace

int main() {
    const data::Ed25519Key key = data::Ed25519Key::from_seed(kSeed);
    std::string seed_hex, pub_hex;
    hex::append(seed_hex, key.seed.data(), key.seed.size());
    hex::append(pub_hex, key.public_key.data(), key.public_key.size());

    std::string out = "{\n";
    out += "  \"about\": " +
           q("Bootstrap documents of PigeonHub (src/bootstrap/bootstrap_document.h), as a hub serves them at "
             "/.well-known/pigeonhub-bootstrap. obj = JSON.parse(document); delete obj.signature; message = "
             "JSON.stringify([\"pigeonhub-bootstrap/1\", obj]) (its UTF-8 bytes are signed); signature = "
             "Ed25519(seed, message), hex, also the document's \"signature\". Made by "
             "tests/vectors/make_bootstrap_vectors.cpp.") +
           ",\n";
    out += "  \"seed\": \"" + seed_hex + "\",\n";
    out += "  \"publicKey\": \"" + pub_hex + "\",\n";
    out += "  \"documents\": [\n";
    const auto docs = documents();
    for (std::size_t i = 0; i < docs.size(); ++i) {
        BootstrapDocument d = docs[i];
        d.public_key = pub_hex;
        if (const std::string p = document_problem(d); !p.empty()) {
            std::fprintf(stderr, "document %zu: %s\n", i, p.c_str());
            return 1;
        }
        const std::string text = sign_document(d, key);
        const DocumentCheck check = check_document(text, d.app_id, d.timestamp, 0);
        if (!check.ok()) {
            std::fprintf(stderr, "document %zu: %s\n", i, check.problem.c_str());
            return 1;
        }
        out += "    {\n";
        out += "      \"document\": " + q(text) + ",\n";
        out += "      \"message\": " + q(signed_message(*check.doc)) + ",\n";
        out += "      \"signature\": \"" + check.doc->signature + "\"\n";
        out += i + 1 < docs.size() ? "    },\n" : "    }\n";
    }
    out += "  ]\n}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}
