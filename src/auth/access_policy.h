// Which namespaces need a join token or password, and what proves it: NAMESPACE_AUTH (docs/AUTH.md). Pure: parses
// the file's text; the caller reads the file. Namespaces not named stay open (PeerPigeon 1.1.3 behaviour).
//
//   {"namespaces": {
//      "team-red":   {"ed25519": ["<issuer public key, 64 hex>"]},
//      "partners-*": {"hmac": ["<secret, 64-128 hex>"]},
//      "club":       {"argon2id": ["$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"]}}}
//
// A key is a namespace, or a prefix ending in '*' (covers every namespace that starts with it); an exact name wins
// over prefixes, a longer prefix over a shorter one ("*" alone protects every namespace). Each entry lists one or
// more credentials of any of the kinds; any one of them admits.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pigeonhub::auth {

struct NamespaceRule {
    std::string pattern;                                // as written in the file
    std::vector<std::array<std::uint8_t, 32>> issuers;  // Ed25519 public keys
    std::vector<std::string> hmac_secrets;              // raw bytes (16..64)
    std::vector<std::string> password_hashes;           // encoded argon2id
};

class AccessPolicy {
public:
    // The rule protecting `ns`, or nullptr when it is open.
    const NamespaceRule* rule_for(std::string_view ns) const;
    bool empty() const noexcept { return rules_.empty(); }
    const std::vector<NamespaceRule>& rules() const noexcept { return rules_; }

    // Parses the file's text. On error returns nullopt and says why in *error (naming the namespace and member,
    // never a secret).
    static std::optional<AccessPolicy> parse(std::string_view json_text, std::string* error);

private:
    std::vector<NamespaceRule> rules_;  // exact names first, then prefixes longest first
};

}  // namespace pigeonhub::auth
