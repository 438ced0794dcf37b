#include "auth/password_hash.h"

#include <argon2.h>

#include <charconv>

#include "util/random.h"

namespace pigeonhub::auth {
namespace {

constexpr std::size_t kSaltSize = 16;
constexpr std::size_t kHashSize = 32;

// "<name>=<decimal>" at the front of `s`; advances `s` past it.
bool take_param(std::string_view& s, std::string_view name, std::uint32_t& out) {
    if (s.substr(0, name.size() + 1) != std::string(name) + "=") return false;
    s.remove_prefix(name.size() + 1);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc{} || p == s.data()) return false;
    s.remove_prefix(static_cast<std::size_t>(p - s.data()));
    return true;
}

}  // namespace

std::string make_password_hash(std::string_view password, const Argon2Params& params) {
    std::uint8_t salt[kSaltSize];
    random_bytes(salt, sizeof salt);
    std::string encoded(argon2_encodedlen(params.passes, params.memory_kib, params.lanes, kSaltSize, kHashSize,
                                          Argon2_id),
                        '\0');
    if (argon2id_hash_encoded(params.passes, params.memory_kib, params.lanes, password.data(), password.size(), salt,
                              sizeof salt, kHashSize, encoded.data(), encoded.size()) != ARGON2_OK)
        return {};
    encoded.resize(encoded.find('\0'));
    return encoded;
}

std::optional<Argon2Params> password_hash_params(std::string_view s) {
    constexpr std::string_view kHead = "$argon2id$v=19$";
    if (s.substr(0, kHead.size()) != kHead) return std::nullopt;
    s.remove_prefix(kHead.size());
    Argon2Params p;
    if (!take_param(s, "m", p.memory_kib) || s.empty() || s[0] != ',') return std::nullopt;
    s.remove_prefix(1);
    if (!take_param(s, "t", p.passes) || s.empty() || s[0] != ',') return std::nullopt;
    s.remove_prefix(1);
    if (!take_param(s, "p", p.lanes) || s.empty() || s[0] != '$') return std::nullopt;
    s.remove_prefix(1);
    const std::size_t dollar = s.find('$');  // salt$hash, both unpadded standard base64
    if (dollar == std::string_view::npos || dollar == 0 || dollar + 1 == s.size()) return std::nullopt;
    for (char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
              c == '$'))
            return std::nullopt;
    if (p.memory_kib < 8 * p.lanes || p.passes < 1 || p.lanes < 1) return std::nullopt;  // libargon2's own minimums
    return p;
}

bool verify_password(std::string_view encoded, std::string_view password) {
    if (password.size() > kMaxPasswordSize) return false;
    const std::string enc(encoded);  // argon2id_verify wants a C string
    return argon2id_verify(enc.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace pigeonhub::auth
