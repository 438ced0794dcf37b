#include "auth/token.h"

#include <nettle/hmac.h>
#include <nettle/memops.h>

#include <charconv>

#include "protocol/json.h"
#include "util/base64url.h"
#include "util/hex.h"

namespace pigeonhub::auth {
namespace {

constexpr std::string_view kEdDsa = "EdDSA";
constexpr std::string_view kHs256 = "HS256";
constexpr std::size_t kEd25519SigSize = 64;
constexpr std::size_t kHmacSize = 32;
constexpr std::int64_t kMaxExp = 253402300799;  // 9999-12-31T23:59:59Z: keeps exp far from overflow

std::string payload_json(TokenAlg alg, std::string_view ns, std::int64_t exp) {
    std::string s = "{\"alg\":";
    json::append_quoted(s, alg == TokenAlg::ed25519 ? kEdDsa : kHs256);
    s += ",\"ns\":";
    json::append_quoted(s, ns);
    s += ",\"exp\":" + std::to_string(exp) + "}";
    return s;
}

std::string signed_part(TokenAlg alg, std::string_view ns, std::int64_t exp) {
    return std::string(kTokenPrefix) + base64url::encode(payload_json(alg, ns, exp));
}

std::array<std::uint8_t, kHmacSize> hmac(std::string_view secret, std::string_view message) {
    hmac_sha256_ctx ctx;
    hmac_sha256_set_key(&ctx, secret.size(), reinterpret_cast<const std::uint8_t*>(secret.data()));
    hmac_sha256_update(&ctx, message.size(), reinterpret_cast<const std::uint8_t*>(message.data()));
    std::array<std::uint8_t, kHmacSize> mac;
    hmac_sha256_digest(&ctx, mac.size(), mac.data());
    return mac;
}

// A JSON integer 0..kMaxExp (no fraction, no exponent, no sign).
bool parse_exp(std::string_view raw, std::int64_t& out) {
    auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), out);
    return ec == std::errc{} && p == raw.data() + raw.size() && out >= 0 && out <= kMaxExp;
}

}  // namespace

std::optional<ParsedToken> parse_token(std::string_view token) {
    if (token.size() > kMaxTokenSize || token.substr(0, kTokenPrefix.size()) != kTokenPrefix) return std::nullopt;
    const std::size_t dot = token.find('.', kTokenPrefix.size());
    if (dot == std::string_view::npos) return std::nullopt;
    ParsedToken t;
    t.signed_part = token.substr(0, dot);
    auto payload = base64url::decode(token.substr(kTokenPrefix.size(), dot - kTokenPrefix.size()));
    auto sig = base64url::decode(token.substr(dot + 1));
    if (!payload || !sig) return std::nullopt;

    json::Value root;
    bool has_alg = false, has_ns = false, has_exp = false, bad = false;
    const bool valid = json::validate_members(*payload, &root, [&](std::string_view key, const json::Value& v) {
        if (json::string_equals(key, "alg")) {
            has_alg = v.kind == json::Kind::string;
            if (has_alg && json::string_equals(v.raw, kEdDsa)) t.claims.alg = TokenAlg::ed25519;
            else if (has_alg && json::string_equals(v.raw, kHs256)) t.claims.alg = TokenAlg::hmac_sha256;
            else bad = true;
        } else if (json::string_equals(key, "ns")) {
            has_ns = v.kind == json::Kind::string;
            if (has_ns) json::decode_string(v.raw, t.claims.ns);
        } else if (json::string_equals(key, "exp")) {
            has_exp = v.kind == json::Kind::number && parse_exp(v.raw, t.claims.exp);
        }
    });
    if (!valid || root.kind != json::Kind::object || bad || !has_alg || !has_ns || !has_exp || t.claims.ns.empty())
        return std::nullopt;
    const std::size_t want = t.claims.alg == TokenAlg::ed25519 ? kEd25519SigSize : kHmacSize;
    if (sig->size() != want) return std::nullopt;
    t.signature = std::move(*sig);
    return t;
}

std::string issue_ed25519(std::string_view ns, std::int64_t exp, const data::Ed25519Key& key) {
    std::string text = signed_part(TokenAlg::ed25519, ns, exp);
    const std::string sig_hex = data::ed25519_sign(text, key);
    std::string sig(kEd25519SigSize, '\0');
    hex::decode_lower(sig_hex, reinterpret_cast<std::uint8_t*>(sig.data()), sig.size());
    return text + "." + base64url::encode(sig);
}

std::string issue_hmac(std::string_view ns, std::int64_t exp, std::string_view secret) {
    std::string text = signed_part(TokenAlg::hmac_sha256, ns, exp);
    const auto mac = hmac(secret, text);
    return text + "." + base64url::encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

bool verify_ed25519(const ParsedToken& t, const std::array<std::uint8_t, 32>& public_key) {
    if (t.claims.alg != TokenAlg::ed25519 || t.signature.size() != kEd25519SigSize) return false;
    std::string pub, sig;
    hex::append(pub, public_key.data(), public_key.size());
    hex::append(sig, reinterpret_cast<const std::uint8_t*>(t.signature.data()), t.signature.size());
    return data::ed25519_verify(pub, t.signed_part, sig);
}

bool verify_hmac(const ParsedToken& t, std::string_view secret) {
    if (t.claims.alg != TokenAlg::hmac_sha256 || t.signature.size() != kHmacSize) return false;
    const auto mac = hmac(secret, t.signed_part);
    return memeql_sec(mac.data(), t.signature.data(), kHmacSize) != 0;
}

bool covers(std::string_view pattern, std::string_view ns) noexcept {
    if (!pattern.empty() && pattern.back() == '*') {
        pattern.remove_suffix(1);
        return ns.substr(0, pattern.size()) == pattern;
    }
    return pattern == ns;
}

}  // namespace pigeonhub::auth
