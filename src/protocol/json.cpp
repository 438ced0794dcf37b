#include "protocol/json.h"

#include <cstdint>
#include <cstring>

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

}  // namespace

const char* skip_ws(const char* p, const char* end) noexcept {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
    return p;
}

namespace {

int hexval(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

const char* check_string(const char* p, const char* end) noexcept {
    ++p;  // opening quote
    while (p < end) {
        if (end - p >= 8 && !has_string_special(load8(p))) {
            p += 8;
            continue;
        }
        unsigned char c = static_cast<unsigned char>(*p);
        if (c == '"') return p + 1;
        if (c == '\\') {
            if (++p >= end) return nullptr;
            switch (*p) {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': ++p; break;
            case 'u':
                if (end - p < 5) return nullptr;
                for (int i = 1; i <= 4; ++i)
                    if (hexval(p[i]) < 0) return nullptr;
                p += 5;
                break;
            default: return nullptr;
            }
        } else if (c < 0x20) {
            return nullptr;
        } else if (c < 0x80) {
            ++p;
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

// Iterative validator with an explicit container stack, so hostile nesting cannot exhaust the C++ stack.
const char* check_value(const char* p, const char* end, Kind* kind) noexcept {
    char stack[kMaxDepth];
    int depth = 0;
    bool first_kind = true;
    auto note = [&](Kind k) {
        if (first_kind) {
            *kind = k;
            first_kind = false;
        }
    };
    for (;;) {
        // Expect a value at p.
        p = skip_ws(p, end);
        if (p >= end) return nullptr;
        switch (*p) {
        case '{':
        case '[': {
            note(*p == '{' ? Kind::object : Kind::array);
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
            if (open == '{') {
                if (*p != '"' || !(p = check_string(p, end))) return nullptr;
                p = skip_ws(p, end);
                if (p >= end || *p != ':') return nullptr;
                ++p;
            }
            continue;
        }
        case '"': note(Kind::string); p = check_string(p, end); break;
        case 't': note(Kind::boolean_true); p = check_literal(p, end, "true"); break;
        case 'f': note(Kind::boolean_false); p = check_literal(p, end, "false"); break;
        case 'n': note(Kind::null); p = check_literal(p, end, "null"); break;
        default: note(Kind::number); p = check_number(p, end); break;
        }
        if (!p) return nullptr;
    after_value:
        // After a value: close containers or continue with the next element.
        for (;;) {
            if (depth == 0) return p;
            p = skip_ws(p, end);
            if (p >= end) return nullptr;
            char open = stack[depth - 1];
            if (*p == ',') {
                p = skip_ws(p + 1, end);
                if (open == '{') {
                    if (p >= end || *p != '"' || !(p = check_string(p, end))) return nullptr;
                    p = skip_ws(p, end);
                    if (p >= end || *p != ':') return nullptr;
                    ++p;
                }
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
        if (end - p >= 8 && !has_quote_or_escape(load8(p))) {
            p += 8;
            continue;
        }
        if (*p == '"') return p + 1;
        p += (*p == '\\') ? 2 : 1;
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

bool validate(std::string_view text, Value* out) noexcept {
    const char* p = text.data();
    const char* end = p + text.size();
    p = detail::skip_ws(p, end);
    const char* start = p;
    Kind kind = Kind::null;
    const char* v_end = detail::check_value(p, end, &kind);
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
        char c = p[i];
        int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : c - 'A' + 10;
        v = (v << 4) | static_cast<std::uint32_t>(d);
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
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    // Copy the longest prefix that needs no escaping in one go (ids and names are plain ASCII).
    std::size_t plain = 0;
    while (plain < text.size()) {
        auto c = static_cast<unsigned char>(text[plain]);
        if (c < 0x20 || c == '"' || c == '\\') break;
        ++plain;
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
                out += kHex[c >> 4];
                out += kHex[c & 15];
            } else {
                out += ch;
            }
        }
    }
    out += '"';
}

}  // namespace pigeonhub::json
