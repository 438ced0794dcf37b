#include "auth/authorizer.h"

#include "auth/password_hash.h"
#include "auth/token.h"

namespace pigeonhub::auth {
namespace {

Verdict check_token(const NamespaceRule& rule, std::string_view token, std::string_view ns, std::int64_t now_s) {
    auto t = parse_token(token);
    if (!t) return Verdict::invalid;
    bool signed_right = false;
    if (t->claims.alg == TokenAlg::ed25519) {
        for (const auto& key : rule.issuers)
            if ((signed_right = verify_ed25519(*t, key))) break;
    } else {
        for (const auto& secret : rule.hmac_secrets)
            if ((signed_right = verify_hmac(*t, secret))) break;
    }
    if (!signed_right) return Verdict::invalid;
    if (!covers(t->claims.ns, ns)) return Verdict::wrong_namespace;
    if (now_s >= t->claims.exp) return Verdict::expired;
    return Verdict::allowed;
}

}  // namespace

const char* verdict_name(Verdict v) noexcept {
    switch (v) {
    case Verdict::allowed: return "allowed";
    case Verdict::missing: return "missing";
    case Verdict::invalid: return "invalid";
    case Verdict::expired: return "expired";
    case Verdict::wrong_namespace: return "wrong_namespace";
    case Verdict::wrong_password: return "wrong_password";
    case Verdict::busy: return "busy";
    case Verdict::check_password: return "check_password";
    case Verdict::pending: return "pending";
    case Verdict::count_: break;
    }
    return "?";
}

std::string_view verdict_error_text(Verdict v) noexcept {
    switch (v) {
    case Verdict::missing: return "Access denied: this namespace requires a token or password";
    case Verdict::invalid: return "Access denied: invalid token";
    case Verdict::expired: return "Access denied: token expired";
    case Verdict::wrong_namespace: return "Access denied: token is for another namespace";
    case Verdict::wrong_password: return "Access denied: wrong password";
    case Verdict::busy: return "Access check busy: announce again shortly";
    default: return "Access denied";
    }
}

Verdict authorize(const NamespaceRule& rule, const JoinCredentials& creds, std::string_view ns, std::int64_t now_s) {
    Verdict token_verdict = Verdict::missing;
    if (!creds.token.empty()) {
        token_verdict = check_token(rule, creds.token, ns, now_s);
        if (token_verdict == Verdict::allowed) return token_verdict;
    }
    if (!creds.password.empty() && !rule.password_hashes.empty()) {
        if (creds.password.size() > kMaxPasswordSize) return Verdict::wrong_password;
        return Verdict::check_password;
    }
    if (token_verdict == Verdict::missing && !creds.password.empty()) return Verdict::wrong_password;
    return token_verdict;
}

}  // namespace pigeonhub::auth
