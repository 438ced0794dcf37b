#include "protocol/json.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "util/hex.h"
#include "util/utf8.h"

namespace pigeonhub::json {
namespace detail {
namespace {

// SWAR helpers: look at 8 bytes at a time inside strings (SDP blobs make up most of the bytes we scan).
constexpr std::uint64_t kOnes = 0x0101010101010101ull;
constexpr std::uint64_t kHighs = 0x8080808080808080ull;

inline std::uint64_t load8(const char* p) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
}
// Non-zero if some byte of w is zero (never misses one; may flag bytes above a zero one, which callers handle
// by falling back to the byte-wise path for that word).
inline std::uint64_t has_zero(std::uint64_t w) { return (w - kOnes) & ~w & kHighs; }
// Non-zero if some byte is '"' or '\\'.
inline std::uint64_t has_quote_or_escape(std::uint64_t w) {
    return has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\'));
}
// Non-zero if some byte needs a closer look in a string: '"', '\\', a control byte or a non-ASCII byte.
inline std::uint64_t has_string_special(std::uint64_t w) {
    return has_quote_or_escape(w) | ((w - kOnes * 0x20) & ~w & kHighs) | (w & kHighs);
}

// The scanners below jump straight to the next byte that needs a look. In each SWAR mask above a flagged byte
// may also flag the bytes after it (a borrow), never one before: the lowest flagged byte is always a real one.
enum class Stop { quote_or_escape, string_special };

// Offset of the first byte in [p, p + n) that matches `stop` (n when none); 16 bytes at a time with SSE2.
template <Stop stop>
inline std::size_t scan(const char* p, std::size_t n) noexcept {
    std::size_t i = 0;
#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
        // Signed compare: bytes 0x00-0x1F and 0x80-0xFF are both "less than 0x20".
        if constexpr (stop == Stop::string_special) m = _mm_or_si128(m, _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
        if (const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(m))) return i + static_cast<unsigned>(__builtin_ctz(mask));
    }
#endif
    for (; i + 8 <= n; i += 8) {
        const std::uint64_t w = load8(p + i);
        const std::uint64_t m = stop == Stop::string_special ? has_string_special(w) : has_quote_or_escape(w);
        if (m) return i + static_cast<std::size_t>(__builtin_ctzll(m)) / 8;
    }
    for (; i < n; ++i) {
        const auto c = static_cast<unsigned char>(p[i]);
        if (c == '"' || c == '\\' || (stop == Stop::string_special && (c < 0x20 || c >= 0x80))) return i;
    }
    return n;
}

}  // namespace

const char* skip_ws(const char* p, const char* end) noexcept {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
    return p;
}

namespace {

const char* check_string(const char* p, const char* end) noexcept {
    ++p;  // opening quote
    while (p < end) {
        p += scan<Stop::string_special>(p, static_cast<std::size_t>(end - p));
        if (p >= end) return nullptr;
        unsigned char c = static_cast<unsigned char>(*p);
        if (c == '"') return p + 1;
        if (c == '\\') {
            if (++p >= end) return nullptr;
            switch (*p) {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': ++p; break;
            case 'u':
                if (end - p < 5) return nullptr;
                for (int i = 1; i <= 4; ++i)
                    if (!hex::is_digit(p[i])) return nullptr;
                p += 5;
                break;
            default: return nullptr;
            }
        } else if (c < 0x20) {
            return nullptr;
        } else {
            p = utf8_sequence_end(p, end);
            if (!p) return nullptr;
        }
    }
    return nullptr;
}

const char* check_number(const char* p, const char* end) noexcept {
    if (p < end && *p == '-') ++p;
    if (p >= end) return nullptr;
    if (*p == '0') {
        ++p;
    } else if (*p >= '1' && *p <= '9') {
        while (p < end && *p >= '0' && *p <= '9') ++p;
    } else {
        return nullptr;
    }
    if (p < end && *p == '.') {
        ++p;
        if (p >= end || *p < '0' || *p > '9') return nullptr;
        while (p < end && *p >= '0' && *p <= '9') ++p;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        ++p;
        if (p < end && (*p == '+' || *p == '-')) ++p;
        if (p >= end || *p < '0' || *p > '9') return nullptr;
        while (p < end && *p >= '0' && *p <= '9') ++p;
    }
    return p;
}

const char* check_literal(const char* p, const char* end, std::string_view lit) noexcept {
    if (static_cast<std::size_t>(end - p) < lit.size() || std::string_view(p, lit.size()) != lit) return nullptr;
    return p + lit.size();
}

Kind kind_of(char first) noexcept {
    switch (first) {
    case '{': return Kind::object;
    case '[': return Kind::array;
    case '"': return Kind::string;
    case 't': return Kind::boolean_true;
    case 'f': return Kind::boolean_false;
    case 'n': return Kind::null;
    default: return Kind::number;
    }
}

// Iterative validator with an explicit container stack, so hostile nesting cannot exhaust the C++ stack.
// With `on_member`, each member of a top-level object is reported as soon as its value has been checked.
const char* check_value(const char* p, const char* end, Kind* kind, const MemberSink* on_member) {
    char stack[kMaxDepth];
    int depth = 0;
    *kind = p < end ? kind_of(*p) : Kind::null;
    const char* key = nullptr;  // the pending top-level member: its key token and where its value starts
    const char* key_end = nullptr;
    const char* value = nullptr;
    // After a key at the top level of the root object: p is at the key; checks it and the ':' after it.
    auto read_key = [&](const char* q) -> const char* {
        const char* k = q;
        if (q >= end || *q != '"' || !(q = check_string(q, end))) return nullptr;
        const char* k_end = q;
        q = skip_ws(q, end);
        if (q >= end || *q != ':') return nullptr;
        if (depth == 1 && on_member) {
            key = k;
            key_end = k_end;
            value = skip_ws(q + 1, end);
        }
        return q + 1;
    };
    for (;;) {
        // Expect a value at p.
        p = skip_ws(p, end);
        if (p >= end) return nullptr;
        switch (*p) {
        case '{':
        case '[': {
            if (depth == kMaxDepth) return nullptr;
            char open = *p;
            stack[depth++] = open;
            p = skip_ws(p + 1, end);
            if (p >= end) return nullptr;
            if ((open == '{' && *p == '}') || (open == '[' && *p == ']')) {
                --depth;
                ++p;
                goto after_value;
            }
            if (open == '{' && !(p = read_key(p))) return nullptr;
            continue;
        }
        case '"': p = check_string(p, end); break;
        case 't': p = check_literal(p, end, "true"); break;
        case 'f': p = check_literal(p, end, "false"); break;
        case 'n': p = check_literal(p, end, "null"); break;
        default: p = check_number(p, end); break;
        }
        if (!p) return nullptr;
    after_value:
        // After a value: close containers or continue with the next element.
        for (;;) {
            if (depth == 0) return p;
            if (depth == 1 && key) {
                on_member->fn(on_member->ctx, std::string_view(key, static_cast<std::size_t>(key_end - key)),
                              Value{kind_of(*value), std::string_view(value, static_cast<std::size_t>(p - value))});
                key = nullptr;
            }
            p = skip_ws(p, end);
            if (p >= end) return nullptr;
            char open = stack[depth - 1];
            if (*p == ',') {
                p = skip_ws(p + 1, end);
                if (open == '{' && !(p = read_key(p))) return nullptr;
                break;  // parse the next value
            }
            if ((open == '{' && *p == '}') || (open == '[' && *p == ']')) {
                --depth;
                ++p;
                continue;
            }
            return nullptr;
        }
    }
}

}  // namespace

// Past the closing quote of the validated string starting at p.
static const char* skip_string(const char* p, const char* end) noexcept {
    ++p;
    while (p < end) {
        p += scan<Stop::quote_or_escape>(p, static_cast<std::size_t>(end - p));
        if (p >= end) return end;
        if (*p == '"') return p + 1;
        p += 2;  // an escape and the byte after it
    }
    return end;
}

const char* skip_value(const char* p, const char* end, Kind* kind) noexcept {
    switch (*p) {
    case '"': {
        *kind = Kind::string;
        return skip_string(p, end);
    }
    case '{':
    case '[': {
        *kind = *p == '{' ? Kind::object : Kind::array;
        int depth = 0;
        while (p < end) {
            char c = *p;
            if (c == '"') {
                p = skip_string(p, end);
                continue;
            }
            if (c == '{' || c == '[') ++depth;
            else if (c == '}' || c == ']') {
                if (--depth == 0) return p + 1;
            }
            ++p;
        }
        return end;
    }
    case 't': *kind = Kind::boolean_true; return p + 4;
    case 'f': *kind = Kind::boolean_false; return p + 5;
    case 'n': *kind = Kind::null; return p + 4;
    default:
        *kind = Kind::number;
        while (p < end && (*p == '-' || *p == '+' || *p == '.' || *p == 'e' || *p == 'E' || (*p >= '0' && *p <= '9')))
            ++p;
        return p;
    }
}

}  // namespace detail

bool validate(std::string_view text, Value* out, const MemberSink* on_member) {
    const char* p = text.data();
    const char* end = p + text.size();
    p = detail::skip_ws(p, end);
    const char* start = p;
    Kind kind = Kind::null;
    const char* v_end = detail::check_value(p, end, &kind, on_member);
    if (!v_end) return false;
    if (detail::skip_ws(v_end, end) != end) return false;
    if (out) {
        out->kind = kind;
        out->raw = std::string_view(start, static_cast<std::size_t>(v_end - start));
    }
    return true;
}

namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::uint32_t hex4(const char* p) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
        v = (v << 4) | static_cast<std::uint32_t>(hex::value(p[i]));
    }
    return v;
}

}  // namespace

void decode_string(std::string_view token, std::string& out) {
    out.clear();
    const char* p = token.data() + 1;
    const char* end = token.data() + token.size() - 1;
    if (std::memchr(p, '\\', static_cast<std::size_t>(end - p)) == nullptr) {
        out.assign(p, end);  // nothing to unescape (the common case)
        return;
    }
    while (p < end) {
        if (*p != '\\') {
            out += *p++;
            continue;
        }
        ++p;
        char e = *p++;
        switch (e) {
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
            std::uint32_t cp = hex4(p);
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                std::uint32_t lo = hex4(p + 2);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
            append_utf8(out, cp);
            break;
        }
        default: out += e; break;  // '"', '\\', '/'
        }
    }
}

bool string_equals(std::string_view token, std::string_view text) noexcept {
    std::string_view inner = token.substr(1, token.size() - 2);
    if (inner.find('\\') == std::string_view::npos) return inner == text;
    std::string decoded;
    decode_string(token, decoded);
    return decoded == text;
}

void append_quoted(std::string& out, std::string_view text) {
    out += '"';
    // Copy the longest prefix that needs no escaping in one go (ids and names are plain ASCII; non-ASCII UTF-8
    // is copied as it is).
    std::size_t plain = 0;
    while (plain < text.size()) {
        plain += detail::scan<detail::Stop::string_special>(text.data() + plain, text.size() - plain);
        if (plain < text.size() && static_cast<unsigned char>(text[plain]) >= 0x80) {
            ++plain;
            continue;
        }
        break;
    }
    out.append(text.data(), plain);
    text.remove_prefix(plain);
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += hex::kDigits[c >> 4];
                out += hex::kDigits[c & 15];
            } else {
                out += ch;
            }
        }
    }
    out += '"';
}

}  // namespace pigeonhub::json
