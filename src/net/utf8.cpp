#include "net/utf8.h"

#include <cstdint>
#include <cstring>

namespace pigeonhub {

bool is_valid_utf8(std::string_view s) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        // ASCII fast path, 8 bytes at a time.
        if (end - p >= 8) {
            std::uint64_t w;
            std::memcpy(&w, p, 8);
            if ((w & 0x8080808080808080ull) == 0) {
                p += 8;
                continue;
            }
        }
        unsigned c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        auto cont = [&](std::ptrdiff_t i) { return p + i < end && (p[i] & 0xC0) == 0x80; };
        if (c >= 0xC2 && c <= 0xDF) {
            if (!cont(1)) return false;
            p += 2;
        } else if (c == 0xE0) {
            if (!(p + 1 < end && p[1] >= 0xA0 && p[1] <= 0xBF && cont(2))) return false;
            p += 3;
        } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
            if (!(cont(1) && cont(2))) return false;
            p += 3;
        } else if (c == 0xED) {
            if (!(p + 1 < end && p[1] >= 0x80 && p[1] <= 0x9F && cont(2))) return false;
            p += 3;
        } else if (c == 0xF0) {
            if (!(p + 1 < end && p[1] >= 0x90 && p[1] <= 0xBF && cont(2) && cont(3))) return false;
            p += 4;
        } else if (c >= 0xF1 && c <= 0xF3) {
            if (!(cont(1) && cont(2) && cont(3))) return false;
            p += 4;
        } else if (c == 0xF4) {
            if (!(p + 1 < end && p[1] >= 0x80 && p[1] <= 0x8F && cont(2) && cont(3))) return false;
            p += 4;
        } else {
            return false;
        }
    }
    return true;
}

}  // namespace pigeonhub
