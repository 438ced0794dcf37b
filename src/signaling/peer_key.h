// The 160-bit value of a peer id, for XOR distance (Kademlia metric, as PeerPigeon clients use).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "util/hex.h"

namespace pigeonhub {

struct PeerKey {
    std::array<std::uint8_t, 20> bytes{};

    // REQUIRES: id is a valid peer id (40 hex digits, either case).
    static PeerKey from_hex(std::string_view id) noexcept {
        PeerKey k;
        for (std::size_t i = 0; i < 20; ++i)
            k.bytes[i] = static_cast<std::uint8_t>(hex::value(id[2 * i]) << 4 | hex::value(id[2 * i + 1]));
        return k;
    }

    // Bit `i` counted from the most significant bit (0..159).
    bool bit(unsigned i) const noexcept { return (bytes[i / 8] >> (7 - i % 8)) & 1; }

    friend bool operator<(const PeerKey& a, const PeerKey& b) noexcept { return a.bytes < b.bytes; }
    friend bool operator==(const PeerKey& a, const PeerKey& b) noexcept { return a.bytes == b.bytes; }
};

// XOR distance, comparable with operator< (big-endian byte arrays).
inline std::array<std::uint8_t, 20> xor_distance(const PeerKey& a, const PeerKey& b) noexcept {
    std::array<std::uint8_t, 20> d{};
    for (std::size_t i = 0; i < 20; ++i) d[i] = a.bytes[i] ^ b.bytes[i];
    return d;
}

}  // namespace pigeonhub
