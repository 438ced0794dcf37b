// The access decision for one announce into a protected namespace: what the connection brought (its hub URL's
// `token` and `password` query parameters) against the namespace's rule. Pure: the time is passed in, and the
// argon2id check is left to the caller (Verdict::check_password), which runs it off the io thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "auth/access_policy.h"

namespace pigeonhub::auth {

// What a connection carries, from its hub URL (`?token=...`, `?password=...`). Empty when absent.
struct JoinCredentials {
    std::string token;
    std::string password;
    bool empty() const noexcept { return token.empty() && password.empty(); }
};

enum class Verdict : std::uint8_t {
    allowed,
    missing,          // neither token nor password
    invalid,          // not a pht1 token, or no configured key signed it
    expired,          // signed right, but exp has passed
    wrong_namespace,  // signed right, for another namespace
    wrong_password,   // the password matches no configured hash
    busy,             // too many password checks at once (AUTH_MAX_VERIFICATIONS)
    check_password,   // the token did not admit it, a password is there: run the argon2id check
    pending,          // that check is running; the announce waits for it
    count_
};

// The counters' and metrics' name of a verdict ("allowed", "missing", "wrong_namespace", ...).
const char* verdict_name(Verdict v) noexcept;
// The `error` text an announce refused with `v` gets.
std::string_view verdict_error_text(Verdict v) noexcept;

// allowed for a valid token of the rule's keys that covers `ns` and has not expired at `now_s`; else
// check_password when a password is there and the rule has hashes; else why not (the token's fault first).
Verdict authorize(const NamespaceRule& rule, const JoinCredentials& creds, std::string_view ns, std::int64_t now_s);

}  // namespace pigeonhub::auth
