// SipHash-2-4 with a per-process random key: the hash for every map keyed by client-chosen strings
// (peer ids, namespace names), so that a client cannot pick keys that collide on purpose.
#pragma once

#include <cstdint>
#include <string_view>

namespace pigeonhub {

std::uint64_t siphash24(std::uint64_t k0, std::uint64_t k1, const void* data, std::size_t len) noexcept;

// Hasher for unordered containers; the key is drawn from getrandom once per process.
struct KeyedHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept;
};

}  // namespace pigeonhub
