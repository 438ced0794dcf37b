// Results of argon2id checks, so that a password is checked once per process and rule, not at every announce.
// Keyed by a keyed hash (SipHash-2-4, a key drawn per process) of the rule's pattern and the password: the
// password itself is never kept. Bounded: at `capacity` entries the oldest is forgotten. Failures are kept too
// (a client repeating a wrong password costs one check). Pure; single-threaded (the hub's io thread).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace pigeonhub::auth {

class PasswordCache {
public:
    // `k0`, `k1`: the hash key (random per process in the hub; fixed in tests).
    PasswordCache(std::size_t capacity, std::uint64_t k0, std::uint64_t k1);

    std::uint64_t key(std::string_view pattern, std::string_view password) const noexcept;
    // The cached result for `key`, if any.
    std::optional<bool> find(std::uint64_t key) const;
    void put(std::uint64_t key, bool ok);
    std::size_t size() const noexcept { return results_.size(); }
    std::uint64_t evicted() const noexcept { return evicted_; }

private:
    std::size_t capacity_;
    std::uint64_t k0_, k1_;
    std::unordered_map<std::uint64_t, bool> results_;
    std::deque<std::uint64_t> order_;  // oldest first
    std::uint64_t evicted_ = 0;
};

}  // namespace pigeonhub::auth
