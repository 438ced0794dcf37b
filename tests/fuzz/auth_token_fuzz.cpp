// Fuzz target: arbitrary bytes as a join token (src/auth/token.h) and as a NAMESPACE_AUTH file
// (src/auth/access_policy.h). Asserts: a token that parses has one spelling (re-encoding gives it back), a field
// within bounds, and is never allowed for a rule whose keys did not sign it; the policy parser never accepts an
// entry without a credential.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "auth/access_policy.h"
#include "auth/authorizer.h"
#include "auth/token.h"
#include "util/base64url.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pigeonhub;
    if (size < 1) return 0;
    const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
    if (data[0] & 1) {
        std::string error;
        auto p = auth::AccessPolicy::parse(body, &error);
        if (!p && error.empty()) std::abort();
        if (p)
            for (const auto& r : p->rules())
                if (r.issuers.empty() && r.hmac_secrets.empty() && r.password_hashes.empty()) std::abort();
        return 0;
    }
    // Half the inputs get the token prefix, so the decoders behind it get exercised.
    const std::string token = (data[0] & 2 ? std::string(auth::kTokenPrefix) : std::string()) + std::string(body);
    auto t = auth::parse_token(token);
    if (t) {
        if (token.size() > auth::kMaxTokenSize || t->claims.ns.empty() || t->claims.exp < 0) std::abort();
        const std::size_t dot = token.find('.', auth::kTokenPrefix.size());
        const auto payload = base64url::decode(token.substr(auth::kTokenPrefix.size(), dot - auth::kTokenPrefix.size()));
        if (!payload || std::string(auth::kTokenPrefix) + base64url::encode(*payload) + "." +
                                base64url::encode(t->signature) != token)
            std::abort();
    }
    auth::NamespaceRule rule;
    rule.pattern = "*";
    rule.issuers.push_back(data::Ed25519Key::from_seed(std::array<std::uint8_t, 32>{3}).public_key);
    rule.hmac_secrets.push_back(std::string(32, 'k'));
    // Random bytes never forge a signature.
    if (auth::authorize(rule, auth::JoinCredentials{token, ""}, "room", 0) == auth::Verdict::allowed) std::abort();
    return 0;
}
