#include "util/siphash.h"

#include "util/random.h"


#include <cstring>

namespace pigeonhub {
namespace {

inline std::uint64_t rotl(std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

inline void round(std::uint64_t& v0, std::uint64_t& v1, std::uint64_t& v2, std::uint64_t& v3) {
    v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);
    v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);
}

struct ProcessKey {
    std::uint64_t k[2] = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
    ProcessKey() {
        // If the kernel refuses, the fixed key above still gives a working (if predictable) hash: this runs at
        // the first hash, and no caller could handle an error there.
        std::uint64_t drawn[2];
        if (try_random_bytes(drawn, sizeof drawn) == 0) std::memcpy(k, drawn, sizeof k);
    }
};

const ProcessKey& process_key() {
    static const ProcessKey key;
    return key;
}

}  // namespace

std::uint64_t siphash24(std::uint64_t k0, std::uint64_t k1, const void* data, std::size_t len) noexcept {
    std::uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
    std::uint64_t v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
    const auto* p = static_cast<const unsigned char*>(data);
    const std::size_t whole = len & ~std::size_t{7};
    for (std::size_t i = 0; i < whole; i += 8) {
        std::uint64_t m;
        std::memcpy(&m, p + i, 8);
        v3 ^= m;
        round(v0, v1, v2, v3);
        round(v0, v1, v2, v3);
        v0 ^= m;
    }
    std::uint64_t b = static_cast<std::uint64_t>(len) << 56;
    for (std::size_t i = 0; i < (len & 7); ++i) b |= static_cast<std::uint64_t>(p[whole + i]) << (8 * i);
    v3 ^= b;
    round(v0, v1, v2, v3);
    round(v0, v1, v2, v3);
    v0 ^= b;
    v2 ^= 0xff;
    for (int i = 0; i < 4; ++i) round(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

std::size_t KeyedHash::operator()(std::string_view s) const noexcept {
    const auto& key = process_key();
    return static_cast<std::size_t>(siphash24(key.k[0], key.k[1], s.data(), s.size()));
}

}  // namespace pigeonhub
