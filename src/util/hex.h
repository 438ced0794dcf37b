// Hexadecimal digits: the one codec the hub uses (peer ids, JSON \u escapes, URL percent escapes). Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace pigeonhub::hex {

inline constexpr char kDigits[] = "0123456789abcdef";

// The value of hex digit `c` (either case), or -1.
constexpr int value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

constexpr bool is_digit(char c) noexcept { return value(c) >= 0; }

// Appends the lower-case hex of `n` bytes.
inline void append(std::string& out, const std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        out += kDigits[p[i] >> 4];
        out += kDigits[p[i] & 15];
    }
}

}  // namespace pigeonhub::hex
