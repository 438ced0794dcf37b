// Join tokens for protected namespaces (docs/AUTH.md): the wire format, issuing and checking. Pure: no I/O, no
// clock (the caller passes the time).
//
//   pht1.<payload>.<signature>
//
// payload   base64url (unpadded) of a JSON object {"alg":"EdDSA"|"HS256","ns":NAME,"exp":SECONDS}; NAME is the
//           namespace, or a prefix followed by '*' ("team-*" covers every namespace that starts with "team-");
//           exp is the expiry in seconds since the Unix epoch (the token is refused from that second on). Other
//           members are ignored.
// signature base64url of the Ed25519 signature (64 bytes, RFC 8032) or the HMAC-SHA256 (32 bytes) of the ASCII
//           text "pht1.<payload>" (everything before the second dot), by the issuer key or secret configured for
//           the namespace.
// Only the canonical base64url spelling is accepted, so a token has exactly one text.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "data/data_record.h"

namespace pigeonhub::auth {

inline constexpr std::string_view kTokenPrefix = "pht1.";
inline constexpr std::size_t kMaxTokenSize = 2048;  // longer is refused unread (a name is at most 256 bytes)

enum class TokenAlg : std::uint8_t { ed25519, hmac_sha256 };

struct TokenClaims {
    TokenAlg alg = TokenAlg::ed25519;
    std::string ns;        // a namespace, or a prefix ending in '*'
    std::int64_t exp = 0;  // seconds since the epoch
};

struct ParsedToken {
    TokenClaims claims;
    std::string_view signed_part;  // "pht1.<payload>" (a view into the text given to parse_token)
    std::string signature;         // raw bytes: 64 (Ed25519) or 32 (HMAC-SHA256)
};

// Splits and decodes `token`; nullopt when it is not a well-formed pht1 token (size, prefix, base64url, JSON,
// members, signature length for its alg). Checks no signature.
std::optional<ParsedToken> parse_token(std::string_view token);

// Issues a token (the claims' alg is set from the key kind).
std::string issue_ed25519(std::string_view ns, std::int64_t exp, const data::Ed25519Key& key);
std::string issue_hmac(std::string_view ns, std::int64_t exp, std::string_view secret);

// True if the token's signature is right for the issuer public key / the secret. Constant time in the
// compared bytes for HMAC.
bool verify_ed25519(const ParsedToken& t, const std::array<std::uint8_t, 32>& public_key);
bool verify_hmac(const ParsedToken& t, std::string_view secret);

// True if the token's `ns` names `ns`: equal, or a prefix pattern "p*" and `ns` starts with p.
bool covers(std::string_view pattern, std::string_view ns) noexcept;

}  // namespace pigeonhub::auth
