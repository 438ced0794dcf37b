// Writes tests/vectors/auth-tokens.json (stdout) from the C++ token code (src/auth/token.h, authorizer.h):
//   build/tests/make_auth_vectors > tests/vectors/auth-tokens.json
// Checked against this code by tests/unit/auth_token_test.cpp and against Node's crypto by
// tests/integration/access.test.mjs (the JavaScript client package checks them too). Every case gives the
// namespace a client announces into, the time of the check, and the verdict the hub reaches.
#include <cstdio>
#include <string>
#include <vector>

#include "auth/authorizer.h"
#include "auth/token.h"
#include "protocol/json.h"
#include "util/base64url.h"
#include "util/hex.h"

using namespace pigeonhub;

namespace {

// RFC 8032, section 7.1, TEST 1's seed (its public key is d75a9801...511a).
constexpr std::array<std::uint8_t, 32> kSeed = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
                                                0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
                                                0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
constexpr std::string_view kSecretHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr std::int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kExp = 1798761600;  // 2027-01-01T00:00:00Z

std::string secret() {
    std::string s(32, '\0');
    hex::decode_lower(kSecretHex, reinterpret_cast<std::uint8_t*>(s.data()), 32);
    return s;
}

struct Case {
    std::string name, token, ns;
};

// The token with one character of its signature (or payload) changed.
std::string flip_last(std::string t) {
    t.back() = t.back() == 'A' ? 'B' : 'A';
    return t;
}

}  // namespace

int main() {
    const auto key = data::Ed25519Key::from_seed(kSeed);
    const auto other = data::Ed25519Key::from_seed(std::array<std::uint8_t, 32>{1});
    const std::string ed = auth::issue_ed25519("room1", kExp, key);
    const std::string hm = auth::issue_hmac("room1", kExp, secret());
    std::string tampered_payload = ed;
    {
        // A payload naming another namespace, with the original signature.
        const std::string sig = ed.substr(ed.rfind('.'));
        tampered_payload = std::string(auth::kTokenPrefix) +
                           base64url::encode(R"({"alg":"EdDSA","ns":"room2","exp":1798761600})") + sig;
    }
    const std::vector<Case> cases = {
        {"ed25519 valid", ed, "room1"},
        {"hmac valid", hm, "room1"},
        {"ed25519 prefix pattern", auth::issue_ed25519("team-*", kExp, key), "team-red"},
        {"hmac prefix pattern, other namespace", auth::issue_hmac("team-*", kExp, secret()), "teams"},
        {"ed25519 wrong namespace", ed, "room2"},
        {"hmac expired", auth::issue_hmac("room1", kNow, secret()), "room1"},
        {"ed25519 expired a second ago", auth::issue_ed25519("room1", kNow - 1, key), "room1"},
        {"ed25519 other issuer", auth::issue_ed25519("room1", kExp, other), "room1"},
        {"hmac other secret", auth::issue_hmac("room1", kExp, std::string(32, 'x')), "room1"},
        {"ed25519 tampered signature", flip_last(ed), "room1"},
        {"ed25519 tampered payload", tampered_payload, "room2"},
        {"hmac signature as ed25519 alg", std::string(auth::kTokenPrefix) +
                                              base64url::encode(R"({"alg":"EdDSA","ns":"room1","exp":1798761600})") +
                                              hm.substr(hm.rfind('.')),
         "room1"},
        {"padded base64", ed + "==", "room1"},
        {"no token prefix", ed.substr(5), "room1"},
        {"garbage", "pht1.not-json.AAAA", "room1"},
        {"missing token", "", "room1"},
    };
    const auto pub = [&] {
        std::string s;
        hex::append(s, key.public_key.data(), key.public_key.size());
        return s;
    }();
    auth::NamespaceRule rule;
    rule.pattern = "*";
    rule.issuers.push_back(key.public_key);
    rule.hmac_secrets.push_back(secret());

    std::string out = "{\n  \"format\": \"pht1.<base64url(JSON {alg, ns, exp})>.<base64url(signature of 'pht1.' + payload)>\",\n";
    out += "  \"issuerSeed\": \"";
    hex::append(out, kSeed.data(), kSeed.size());
    out += "\",\n  \"issuerPublicKey\": \"" + pub + "\",\n";
    out += "  \"hmacSecret\": \"" + std::string(kSecretHex) + "\",\n";
    out += "  \"now\": " + std::to_string(kNow) + ",\n  \"cases\": [\n";
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const Case& c = cases[i];
        const auto verdict = auth::authorize(rule, auth::JoinCredentials{c.token, ""}, c.ns, kNow);
        out += "    {\"name\": ";
        json::append_quoted(out, c.name);
        out += ", \"token\": ";
        json::append_quoted(out, c.token);
        out += ", \"namespace\": ";
        json::append_quoted(out, c.ns);
        out += ", \"verdict\": \"" + std::string(auth::verdict_name(verdict)) + "\"}";
        out += i + 1 < cases.size() ? ",\n" : "\n";
    }
    out += "  ]\n}\n";
    std::fputs(out.c_str(), stdout);
    return 0;
}
