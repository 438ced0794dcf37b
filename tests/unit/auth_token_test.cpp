// Join tokens (src/auth/token.h), the access decision (src/auth/authorizer.h), base64url (src/util/base64url.h) and
// the shared vectors (tests/vectors/auth-tokens.json).
#include "auth/token.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "auth/authorizer.h"
#include "protocol/json.h"
#include "util/base64url.h"
#include "util/hex.h"

using namespace pigeonhub;
using auth::Verdict;

namespace {

const data::Ed25519Key kIssuer = data::Ed25519Key::from_seed(std::array<std::uint8_t, 32>{7});
const data::Ed25519Key kOther = data::Ed25519Key::from_seed(std::array<std::uint8_t, 32>{8});
const std::string kSecret(32, 's');
constexpr std::int64_t kNow = 1'800'000'000;

auth::NamespaceRule rule() {
    auth::NamespaceRule r;
    r.pattern = "room1";
    r.issuers.push_back(kIssuer.public_key);
    r.hmac_secrets.push_back(kSecret);
    return r;
}

Verdict check(const std::string& token, std::string_view ns = "room1", std::int64_t now = kNow) {
    return auth::authorize(rule(), auth::JoinCredentials{token, ""}, ns, now);
}

}  // namespace

TEST(Base64Url, RoundTripAndOneSpelling) {
    for (std::string s : {"", "f", "fo", "foo", "foob", "\xff\xfe\x00\x01"}) {
        const std::string e = base64url::encode(s);
        EXPECT_EQ(e.find('='), std::string::npos);
        ASSERT_EQ(base64url::decode(e), s) << e;
    }
    EXPECT_EQ(base64url::encode("\xfb\xff"), "-_8");
    EXPECT_FALSE(base64url::decode("Zg=="));   // padding
    EXPECT_FALSE(base64url::decode("Zh"));     // "f" with non-zero unused bits
    EXPECT_FALSE(base64url::decode("Z"));      // no length encodes to one character mod 4
    EXPECT_FALSE(base64url::decode("+/8"));    // standard alphabet
    EXPECT_FALSE(base64url::decode("Zm 9v"));  // white space
}

TEST(AuthToken, IssuedTokensParseAndVerify) {
    const std::string ed = auth::issue_ed25519("room1", kNow + 60, kIssuer);
    const std::string hm = auth::issue_hmac("room1", kNow + 60, kSecret);
    EXPECT_EQ(ed.rfind("pht1.", 0), 0u);
    auto t = auth::parse_token(ed);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->claims.alg, auth::TokenAlg::ed25519);
    EXPECT_EQ(t->claims.ns, "room1");
    EXPECT_EQ(t->claims.exp, kNow + 60);
    EXPECT_TRUE(auth::verify_ed25519(*t, kIssuer.public_key));
    EXPECT_FALSE(auth::verify_ed25519(*t, kOther.public_key));
    EXPECT_FALSE(auth::verify_hmac(*t, kSecret));  // an Ed25519 token is never checked as HMAC
    auto h = auth::parse_token(hm);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->claims.alg, auth::TokenAlg::hmac_sha256);
    EXPECT_TRUE(auth::verify_hmac(*h, kSecret));
    EXPECT_FALSE(auth::verify_hmac(*h, std::string(32, 't')));
    EXPECT_EQ(check(ed), Verdict::allowed);
    EXPECT_EQ(check(hm), Verdict::allowed);
    // URL-safe as it stands: PeerPigeon's URLSearchParams leaves it unchanged.
    EXPECT_EQ(ed.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."), std::string::npos);
}

TEST(AuthToken, ExpiryIsExclusive) {
    const std::string t = auth::issue_hmac("room1", kNow, kSecret);
    EXPECT_EQ(check(t, "room1", kNow - 1), Verdict::allowed);
    EXPECT_EQ(check(t, "room1", kNow), Verdict::expired);
    EXPECT_EQ(check(t, "room1", kNow + 3600), Verdict::expired);
}

TEST(AuthToken, NamespaceExactOrPrefix) {
    EXPECT_EQ(check(auth::issue_ed25519("room1", kNow + 9, kIssuer), "room2"), Verdict::wrong_namespace);
    EXPECT_EQ(check(auth::issue_ed25519("room1", kNow + 9, kIssuer), "room10"), Verdict::wrong_namespace);
    EXPECT_EQ(check(auth::issue_ed25519("room*", kNow + 9, kIssuer), "room1"), Verdict::allowed);
    EXPECT_EQ(check(auth::issue_ed25519("room*", kNow + 9, kIssuer), "roo"), Verdict::wrong_namespace);
    EXPECT_EQ(check(auth::issue_ed25519("*", kNow + 9, kIssuer), "anything"), Verdict::allowed);
    EXPECT_TRUE(auth::covers("caf\xc3\xa9", "caf\xc3\xa9"));
    EXPECT_FALSE(auth::covers("a", "a*"));
}

TEST(AuthToken, TamperingIsRefused) {
    const std::string t = auth::issue_ed25519("room1", kNow + 60, kIssuer);
    const std::size_t dot = t.rfind('.');
    // Every single-character change of the payload or signature is refused (invalid, never allowed).
    for (std::size_t i = 5; i < t.size(); ++i) {
        if (i == dot) continue;
        std::string bad = t;
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        EXPECT_EQ(check(bad), Verdict::invalid) << "position " << i;
    }
    // A payload for another namespace under the original signature.
    const std::string forged = "pht1." + base64url::encode(R"({"alg":"EdDSA","ns":"room2","exp":1800000060})") +
                               t.substr(dot);
    EXPECT_EQ(check(forged, "room2"), Verdict::invalid);
    // alg switched to HS256 over an Ed25519 signature: wrong length, refused unread.
    const std::string hs = "pht1." + base64url::encode(R"({"alg":"HS256","ns":"room1","exp":1800000060})") + t.substr(dot);
    EXPECT_FALSE(auth::parse_token(hs));
}

TEST(AuthToken, GarbageIsInvalid) {
    const std::string sig64 = base64url::encode(std::string(64, '\1'));
    auto payload = [](std::string_view j) { return "pht1." + base64url::encode(j); };
    for (std::string g : {std::string("x"), std::string("pht1."), std::string("pht1.."), std::string("pht2.e30.AA"),
                          std::string("pht1.e30"), payload("{}") + "." + sig64, payload("[]") + "." + sig64,
                          payload(R"({"alg":"none","ns":"room1","exp":1})") + "." + sig64,
                          payload(R"({"alg":"EdDSA","ns":"","exp":1800000060})") + "." + sig64,
                          payload(R"({"alg":"EdDSA","ns":"room1","exp":-1})") + "." + sig64,
                          payload(R"({"alg":"EdDSA","ns":"room1","exp":1.5})") + "." + sig64,
                          payload(R"({"alg":"EdDSA","ns":"room1","exp":1e10})") + "." + sig64,
                          payload(R"({"alg":"EdDSA","ns":"room1","exp":99999999999999999999})") + "." + sig64,
                          payload(R"({"alg":"EdDSA","ns":1,"exp":1})") + "." + sig64,
                          payload(R"({"alg":"EdDSA","ns":"room1","exp":1)") + "." + sig64,
                          payload(R"({"alg":"EdDSA","ns":"room1","exp":1800000060})") + "." + sig64 + "A",
                          payload(R"({"alg":"EdDSA","ns":"room1","exp":1800000060})") + "." + sig64 + ".x",
                          std::string(5000, 'p')}) {
        EXPECT_FALSE(auth::parse_token(g)) << g;
        EXPECT_EQ(check(g), Verdict::invalid) << g;
    }
}

TEST(AuthToken, CredentialsOrder) {
    auth::NamespaceRule r = rule();
    const std::string good = auth::issue_hmac("room1", kNow + 9, kSecret);
    EXPECT_EQ(auth::authorize(r, {}, "room1", kNow), Verdict::missing);
    EXPECT_EQ(auth::authorize(r, {"", "pw"}, "room1", kNow), Verdict::wrong_password);  // no hash configured
    r.password_hashes.push_back("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA");
    EXPECT_EQ(auth::authorize(r, {"", "pw"}, "room1", kNow), Verdict::check_password);
    EXPECT_EQ(auth::authorize(r, {good, "pw"}, "room1", kNow), Verdict::allowed);  // no argon2id when the token does
    EXPECT_EQ(auth::authorize(r, {"bad", "pw"}, "room1", kNow), Verdict::check_password);
    EXPECT_EQ(auth::authorize(r, {"", std::string(2000, 'p')}, "room1", kNow), Verdict::wrong_password);
    EXPECT_STREQ(auth::verdict_name(Verdict::wrong_namespace), "wrong_namespace");
    EXPECT_EQ(auth::verdict_error_text(Verdict::expired), "Access denied: token expired");
}

// --- the vector file -------------------------------------------------------------------------------------------

TEST(AuthTokenVectors, FileMatchesTheCode) {
    std::ifstream f(std::string(PIGEONHUB_SOURCE_ROOT) + "/tests/vectors/auth-tokens.json");
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string text = ss.str();
    json::Value root;
    ASSERT_TRUE(json::validate(text, &root)) << "tests/vectors/auth-tokens.json is missing or not JSON";
    auth::NamespaceRule r;
    r.pattern = "*";
    std::int64_t now = 0;
    std::size_t cases = 0, allowed = 0;
    std::string cases_raw;
    json::for_each_member(root.raw, [&](std::string_view k, const json::Value& v) {
        std::string s;
        if (v.kind == json::Kind::string) json::decode_string(v.raw, s);
        if (json::string_equals(k, "issuerSeed")) {
            std::array<std::uint8_t, 32> seed;
            ASSERT_TRUE(hex::decode_lower(s, seed.data(), 32));
            r.issuers.push_back(data::Ed25519Key::from_seed(seed).public_key);
        } else if (json::string_equals(k, "hmacSecret")) {
            std::string secret(s.size() / 2, '\0');
            ASSERT_TRUE(hex::decode_lower(s, reinterpret_cast<std::uint8_t*>(secret.data()), secret.size()));
            r.hmac_secrets.push_back(secret);
        } else if (json::string_equals(k, "now")) {
            now = std::stoll(std::string(v.raw));
        } else if (json::string_equals(k, "cases")) {
            cases_raw = std::string(v.raw);
        }
    });
    json::for_each_element(cases_raw, [&](const json::Value& c) {
        std::string name, token, ns, verdict;
        json::for_each_member(c.raw, [&](std::string_view k, const json::Value& v) {
            std::string s;
            json::decode_string(v.raw, s);
            if (json::string_equals(k, "name")) name = s;
            if (json::string_equals(k, "token")) token = s;
            if (json::string_equals(k, "namespace")) ns = s;
            if (json::string_equals(k, "verdict")) verdict = s;
        });
        ++cases;
        allowed += verdict == "allowed";
        EXPECT_EQ(auth::verdict_name(auth::authorize(r, {token, ""}, ns, now)), verdict) << name;
    });
    EXPECT_GE(cases, 12u);
    EXPECT_GE(allowed, 3u);
}
