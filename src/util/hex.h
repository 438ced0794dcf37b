// Hexadecimal digits: the one codec the hub uses (peer ids, keys, signatures, JSON \u escapes, URL percent escapes).
// Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

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

// `n` bytes into `out` from exactly 2n lower-case hex digits; false (and `out` partly written) for anything else
// (another length, an upper-case or non-hex digit). For values that have one spelling (keys, signatures, ids).
inline bool decode_lower(std::string_view s, std::uint8_t* out, std::size_t n) noexcept {
    if (s.size() != 2 * n) return false;
    for (std::size_t i = 0; i < n; ++i) {
        const char hi = s[2 * i], lo = s[2 * i + 1];
        if ((hi >= 'A' && hi <= 'F') || (lo >= 'A' && lo <= 'F')) return false;
        const int h = value(hi), l = value(lo);
        if (h < 0 || l < 0) return false;
        out[i] = static_cast<std::uint8_t>(h << 4 | l);
    }
    return true;
}

// True if `s` is exactly `digits` lower-case hex digits.
constexpr bool is_lower_hex(std::string_view s, std::size_t digits) noexcept {
    if (s.size() != digits) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// Appends the lower-case hex of `n` bytes.
inline void append(std::string& out, const std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        out += kDigits[p[i] >> 4];
        out += kDigits[p[i] & 15];
    }
}

}  // namespace pigeonhub::hex
