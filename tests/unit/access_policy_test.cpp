// NAMESPACE_AUTH's file (src/auth/access_policy.h): what it accepts, the errors it gives, which rule protects a
// namespace.
#include "auth/access_policy.h"

#include <gtest/gtest.h>

using namespace pigeonhub;

namespace {

const std::string kKey(64, 'a');
const std::string kSecret = "00112233445566778899aabbccddeeff";
const std::string kHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo";

std::string parse_error(const std::string& text) {
    std::string e;
    EXPECT_FALSE(auth::AccessPolicy::parse(text, &e)) << text;
    return e;
}

}  // namespace

TEST(AccessPolicy, ParsesEveryKindAndPicksTheRule) {
    const std::string text = R"({"namespaces": {
        "team-*": {"ed25519": [")" + kKey + R"("]},
        "team-red": {"hmac": [")" + kSecret + R"("], "argon2id": [")" + kHash + R"("]},
        "team-red-*": {"ed25519": [")" + kKey + R"(", ")" + kKey + R"("]},
        "club": {"argon2id": [")" + kHash + R"("]}}})";
    std::string e;
    auto p = auth::AccessPolicy::parse(text, &e);
    ASSERT_TRUE(p) << e;
    EXPECT_EQ(p->rules().size(), 4u);
    ASSERT_TRUE(p->rule_for("team-red"));
    EXPECT_EQ(p->rule_for("team-red")->pattern, "team-red");  // exact beats prefixes
    EXPECT_EQ(p->rule_for("team-red")->hmac_secrets.at(0).size(), 16u);
    EXPECT_EQ(p->rule_for("team-red-2")->pattern, "team-red-*");  // longer prefix first
    EXPECT_EQ(p->rule_for("team-red-2")->issuers.size(), 2u);
    EXPECT_EQ(p->rule_for("team-blue")->pattern, "team-*");
    EXPECT_EQ(p->rule_for("club")->password_hashes.at(0), kHash);
    EXPECT_EQ(p->rule_for("clubs"), nullptr);
    EXPECT_EQ(p->rule_for("global"), nullptr);
    EXPECT_EQ(p->rule_for("team"), nullptr);

    auto all = auth::AccessPolicy::parse(R"({"namespaces":{"*":{"ed25519":[")" + kKey + R"("]}}})", &e);
    ASSERT_TRUE(all) << e;
    EXPECT_NE(all->rule_for("global"), nullptr);
    auto none = auth::AccessPolicy::parse(R"({"namespaces":{}})", &e);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
}

TEST(AccessPolicy, ClearErrorsWithoutSecrets) {
    EXPECT_EQ(parse_error("nope"), "not a JSON object");
    EXPECT_EQ(parse_error("[]"), "not a JSON object");
    EXPECT_EQ(parse_error("{}"), "\"namespaces\" must be an object");
    EXPECT_EQ(parse_error(R"({"namespace":{}})"), "unknown member 'namespace' (only \"namespaces\")");
    EXPECT_EQ(parse_error(R"({"namespaces":{"a":{}}})"), "namespace 'a': no credential (give ed25519, hmac or argon2id)");
    EXPECT_EQ(parse_error(R"({"namespaces":{"a":[]}})"), "namespace 'a': must be an object");
    EXPECT_EQ(parse_error(R"({"namespaces":{"a":{"hmacs":[]}}})"),
              "namespace 'a': unknown member 'hmacs' (ed25519, hmac or argon2id)");
    EXPECT_EQ(parse_error(R"({"namespaces":{"a":{"ed25519":"x"}}})"), "namespace 'a': 'ed25519' must be an array of strings");
    EXPECT_EQ(parse_error(R"({"namespaces":{"a":{"ed25519":[")" + kKey.substr(1) + R"("]}}})"),
              "namespace 'a': 'ed25519'[0] must be an Ed25519 public key: 64 lower-case hex digits");
    const std::string short_secret = "secret-secret";
    const std::string e = parse_error(R"({"namespaces":{"a":{"hmac":[")" + kSecret + R"(", ")" + short_secret + R"("]}}})");
    EXPECT_EQ(e, "namespace 'a': 'hmac'[1] must be a secret of 16 to 64 bytes written as 32 to 128 lower-case hex digits");
    EXPECT_EQ(e.find(short_secret), std::string::npos);
    EXPECT_EQ(parse_error(R"({"namespaces":{"a":{"argon2id":["$argon2i$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA"]}}})"),
              "namespace 'a': 'argon2id'[0] is not an argon2id hash ($argon2id$v=19$m=..,t=..,p=..$salt$hash)");
    EXPECT_EQ(parse_error(R"({"namespaces":{"a":{"argon2id":["$argon2id$v=19$m=1048576,t=2,p=1$c2FsdA$aGFzaA"]}}})"),
              "namespace 'a': 'argon2id'[0] costs more than a hub allows (m <= 262144 KiB, t <= 16, p <= 8)");
    EXPECT_EQ(parse_error(R"({"namespaces":{"":{"ed25519":[")" + kKey + R"("]}}})"),
              "namespace '': a name of 1 to 256 bytes, or a prefix followed by '*', is needed");
    EXPECT_EQ(parse_error(R"({"namespaces":{"a":{"ed25519":[")" + kKey + R"("]},"a":{"ed25519":[")" + kKey + R"("]}}})"),
              "namespace 'a': listed twice");
}
