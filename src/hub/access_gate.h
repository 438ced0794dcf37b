// Namespace access control at the hub (docs/AUTH.md): the AccessGate the router asks at each announce. Keeps each
// connection's credentials (its hub URL's token and password) by router slot, decides with auth::authorize, and
// runs argon2id password checks on worker threads, at most AUTH_MAX_VERIFICATIONS at once (more is refused with
// the `busy` verdict; connections that bring a password being checked wait for that check), remembering results in
// a bounded PasswordCache. When a check completes, the announce that
// waited for it is handed back to the router (the `resume` callback) on the io thread.
//
// Threading: everything but the argon2id call runs on the io thread of the io_context given; destroy the gate
// before that io_context (the destructor joins the workers).
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "auth/access_policy.h"
#include "auth/access_stats.h"
#include "auth/password_cache.h"
#include "pigeonhub/config.h"
#include "signaling/access_gate.h"

namespace pigeonhub {

class HubAccessGate final : public AccessGate {
public:
    using Resume = std::function<void(Slot slot, std::string_view announce_text)>;
    HubAccessGate(asio::io_context& io, auth::AccessPolicy policy, const AccessOptions& options);
    ~HubAccessGate() override;

    // The router, to hand a waiting announce back.
    void set_resume(Resume resume) { resume_ = std::move(resume); }
    // A connection admitted in `slot` with these credentials / gone (its pending check, if any, is forgotten).
    void attach(Slot slot, auth::JoinCredentials creds) override;
    void detach(Slot slot) override;

    auth::Verdict check(Slot slot, std::string_view ns, std::string_view announce_text, std::int64_t now_ms) override;
    bool is_protected(std::string_view ns) const override { return policy_.rule_for(ns) != nullptr; }

    AccessStats stats() const;

    // Reads and checks NAMESPACE_AUTH; nullopt with the reason in *error.
    static std::optional<auth::AccessPolicy> load_policy(const std::string& path, std::string* error);

private:
    struct Conn {
        auth::JoinCredentials creds;
        std::uint64_t generation = 0;  // bumped at attach and detach: a late check result for a reused slot is dropped
        std::string waiting;           // the announce waiting for a password check ("" if none)
    };
    void start_check(Slot slot, const auth::NamespaceRule& rule, std::uint64_t key);
    void finish_check(std::uint64_t key, bool ok);

    asio::io_context& io_;
    auth::AccessPolicy policy_;
    AccessOptions options_;
    auth::PasswordCache cache_;
    std::vector<Conn> conns_;
    // Checks running, by cache key: the connections (slot, generation) waiting for each. A password being checked
    // is checked once however many connections bring it.
    std::unordered_map<std::uint64_t, std::vector<std::pair<Slot, std::uint64_t>>> running_;
    Resume resume_;
    AccessStats stats_;
    std::shared_ptr<char> alive_ = std::make_shared<char>();
    std::unique_ptr<asio::thread_pool> workers_;  // made at the first password check
};

}  // namespace pigeonhub
