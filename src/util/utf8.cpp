#include "util/utf8.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pigeonhub {

const char* utf8_sequence_end(const char* first, const char* last) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(first);
    const auto* end = reinterpret_cast<const unsigned char*>(last);
    auto cont = [&](std::ptrdiff_t i) { return p + i < end && (p[i] & 0xC0) == 0x80; };
    const unsigned c = *p;
    if (c < 0x80) return first + 1;
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? first + 2 : nullptr;
    if (c == 0xE0) return (p + 1 < end && p[1] >= 0xA0 && p[1] <= 0xBF && cont(2)) ? first + 3 : nullptr;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return (cont(1) && cont(2)) ? first + 3 : nullptr;
    if (c == 0xED) return (p + 1 < end && p[1] >= 0x80 && p[1] <= 0x9F && cont(2)) ? first + 3 : nullptr;
    if (c == 0xF0) return (p + 1 < end && p[1] >= 0x90 && p[1] <= 0xBF && cont(2) && cont(3)) ? first + 4 : nullptr;
    if (c >= 0xF1 && c <= 0xF3) return (cont(1) && cont(2) && cont(3)) ? first + 4 : nullptr;
    if (c == 0xF4) return (p + 1 < end && p[1] >= 0x80 && p[1] <= 0x8F && cont(2) && cont(3)) ? first + 4 : nullptr;
    return nullptr;
}

bool is_valid_utf8(std::string_view s) noexcept {
    const char* p = s.data();
    const char* end = p + s.size();
    while (p < end) {
#if defined(__SSE2__)
        // ASCII fast path, 16 bytes at a time; jumps to the first non-ASCII byte.
        if (end - p >= 16) {
            const auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
            if (mask == 0) {
                p += 16;
                continue;
            }
            p += __builtin_ctz(mask);
        }
#endif
        // ASCII fast path, 8 bytes at a time.
        if (end - p >= 8) {
            std::uint64_t w;
            std::memcpy(&w, p, 8);
            if ((w & 0x8080808080808080ull) == 0) {
                p += 8;
                continue;
            }
        }
        p = utf8_sequence_end(p, end);
        if (!p) return false;
    }
    return true;
}

}  // namespace pigeonhub
