#include "auth/access_policy.h"

#include <algorithm>

#include "auth/password_hash.h"
#include "protocol/json.h"
#include "util/hex.h"

namespace pigeonhub::auth {
namespace {

constexpr std::size_t kMaxNamespaceName = 256;  // SignalingOptions::max_namespace_name
constexpr std::size_t kMinSecretBytes = 16, kMaxSecretBytes = 64;

bool is_prefix(const std::string& p) { return !p.empty() && p.back() == '*'; }

// One entry's credentials; "" or why not.
std::string parse_rule(std::string_view object, NamespaceRule& rule) {
    std::string error;
    json::for_each_member(object, [&](std::string_view key, const json::Value& list) {
        if (!error.empty()) return;
        std::string name;
        json::decode_string(key, name);
        if (name != "ed25519" && name != "hmac" && name != "argon2id") {
            error = "unknown member '" + name + "' (ed25519, hmac or argon2id)";
            return;
        }
        if (list.kind != json::Kind::array) {
            error = "'" + name + "' must be an array of strings";
            return;
        }
        std::size_t index = 0;
        json::for_each_element(list.raw, [&](const json::Value& v) {
            if (!error.empty()) return;
            const std::string where = "'" + name + "'[" + std::to_string(index++) + "]";
            if (v.kind != json::Kind::string) {
                error = where + " must be a string";
                return;
            }
            std::string text;
            json::decode_string(v.raw, text);
            if (name == "ed25519") {
                std::array<std::uint8_t, 32> key_bytes;
                if (!hex::decode_lower(text, key_bytes.data(), key_bytes.size())) {
                    error = where + " must be an Ed25519 public key: 64 lower-case hex digits";
                    return;
                }
                rule.issuers.push_back(key_bytes);
            } else if (name == "hmac") {
                const std::size_t n = text.size() / 2;
                std::string secret(n, '\0');
                if (text.size() % 2 || n < kMinSecretBytes || n > kMaxSecretBytes ||
                    !hex::decode_lower(text, reinterpret_cast<std::uint8_t*>(secret.data()), n)) {
                    error = where + " must be a secret of 16 to 64 bytes written as 32 to 128 lower-case hex digits";
                    return;
                }
                rule.hmac_secrets.push_back(std::move(secret));
            } else {
                auto p = password_hash_params(text);
                if (!p) {
                    error = where + " is not an argon2id hash ($argon2id$v=19$m=..,t=..,p=..$salt$hash)";
                    return;
                }
                if (p->memory_kib > kMaxArgon2MemoryKib || p->passes > kMaxArgon2Passes || p->lanes > kMaxArgon2Lanes) {
                    error = where + " costs more than a hub allows (m <= " + std::to_string(kMaxArgon2MemoryKib) +
                            " KiB, t <= " + std::to_string(kMaxArgon2Passes) + ", p <= " +
                            std::to_string(kMaxArgon2Lanes) + ")";
                    return;
                }
                rule.password_hashes.push_back(std::move(text));
            }
        });
    });
    if (error.empty() && rule.issuers.empty() && rule.hmac_secrets.empty() && rule.password_hashes.empty())
        error = "no credential (give ed25519, hmac or argon2id)";
    return error;
}

}  // namespace

const NamespaceRule* AccessPolicy::rule_for(std::string_view ns) const {
    for (const auto& r : rules_) {
        if (!is_prefix(r.pattern)) {
            if (r.pattern == ns) return &r;
        } else if (ns.substr(0, r.pattern.size() - 1) == std::string_view(r.pattern).substr(0, r.pattern.size() - 1)) {
            return &r;
        }
    }
    return nullptr;
}

std::optional<AccessPolicy> AccessPolicy::parse(std::string_view text, std::string* error) {
    auto fail = [&](std::string why) -> std::optional<AccessPolicy> {
        if (error) *error = std::move(why);
        return std::nullopt;
    };
    json::Value root;
    if (!json::validate(text, &root) || root.kind != json::Kind::object) return fail("not a JSON object");
    std::optional<json::Value> namespaces;
    std::string unknown;
    json::for_each_member(root.raw, [&](std::string_view key, const json::Value& v) {
        if (json::string_equals(key, "namespaces")) namespaces = v;
        else if (unknown.empty()) json::decode_string(key, unknown);
    });
    if (!unknown.empty()) return fail("unknown member '" + unknown + "' (only \"namespaces\")");
    if (!namespaces || namespaces->kind != json::Kind::object) return fail("\"namespaces\" must be an object");

    AccessPolicy policy;
    std::string why;
    json::for_each_member(namespaces->raw, [&](std::string_view key, const json::Value& v) {
        if (!why.empty()) return;
        NamespaceRule rule;
        json::decode_string(key, rule.pattern);
        const std::string where = "namespace '" + rule.pattern + "': ";
        if (rule.pattern.empty() || rule.pattern.size() > kMaxNamespaceName) {
            why = where + "a name of 1 to 256 bytes, or a prefix followed by '*', is needed";
            return;
        }
        for (const auto& r : policy.rules_)
            if (r.pattern == rule.pattern) why = where + "listed twice";
        if (!why.empty()) return;
        if (v.kind != json::Kind::object) {
            why = where + "must be an object";
            return;
        }
        if (std::string e = parse_rule(v.raw, rule); !e.empty()) {
            why = where + e;
            return;
        }
        policy.rules_.push_back(std::move(rule));
    });
    if (!why.empty()) return fail(why);
    std::stable_sort(policy.rules_.begin(), policy.rules_.end(), [](const NamespaceRule& a, const NamespaceRule& b) {
        if (is_prefix(a.pattern) != is_prefix(b.pattern)) return !is_prefix(a.pattern);
        return is_prefix(a.pattern) && a.pattern.size() > b.pattern.size();
    });
    return policy;
}

}  // namespace pigeonhub::auth
