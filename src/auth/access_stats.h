// Counters of namespace access control (docs/AUTH.md), kept by the access gate on the io thread; /stats "access"
// and /metrics pigeonhub_access_*.
#pragma once

#include <array>
#include <cstdint>

#include "auth/authorizer.h"

namespace pigeonhub {

struct AccessStats {
    static constexpr std::size_t kVerdicts = static_cast<std::size_t>(auth::Verdict::count_);
    bool enabled = false;                          // NAMESPACE_AUTH is set
    std::uint64_t protected_namespaces = 0;        // entries of the policy
    std::array<std::uint64_t, kVerdicts> announces{};  // announces into protected namespaces, by verdict
    std::uint64_t password_checks = 0;             // argon2id verifications run
    std::uint64_t password_cache_hits = 0;
    std::uint64_t password_checks_running = 0;     // now (at most AUTH_MAX_VERIFICATIONS)
    std::uint64_t password_cache_size = 0;         // now (at most AUTH_CACHE_SIZE)
    std::uint64_t denied() const noexcept {
        std::uint64_t n = 0;
        for (std::size_t i = 0; i < kVerdicts; ++i)
            if (i != static_cast<std::size_t>(auth::Verdict::allowed) &&
                i != static_cast<std::size_t>(auth::Verdict::pending))
                n += announces[i];
        return n;
    }
};

}  // namespace pigeonhub
