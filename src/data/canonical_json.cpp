// Canonical JSON (data_record.h): canonical_json, js_number, append_js_string. Pure, no I/O.
//
// The text is first checked by json::validate (syntax, UTF-8, nesting at most json::kMaxDepth), then written
// out again in one recursive pass; the recursion is bounded by that same depth. Cost: linear in the input, plus
// sorting each object's member names once (duplicates) and, only for objects with array-index names, one copy of
// that object's output (below).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "data/data_record.h"
#include "protocol/json.h"
#include "util/hex.h"

namespace pigeonhub::data {
namespace {

constexpr std::size_t kMaxNameInError = 40;  // bytes of a member name quoted in an error

std::uint32_t hex4(const char* p) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 4) | static_cast<std::uint32_t>(hex::value(p[i]));
    return v;
}

// True if the validated string token has a \u escape of a surrogate that is not part of a high-low pair.
// (json::decode_string would turn it into U+FFFD, while JSON.stringify writes it back as the escape.)
bool has_lone_surrogate(std::string_view token) {
    const char* p = token.data() + 1;
    const char* end = token.data() + token.size() - 1;
    while ((p = static_cast<const char*>(std::memchr(p, '\\', static_cast<std::size_t>(end - p))))) {
        if (p[1] != 'u') {
            p += 2;
            continue;
        }
        const std::uint32_t cp = hex4(p + 2);
        p += 6;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return true;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (end - p < 6 || p[0] != '\\' || p[1] != 'u') return true;
            const std::uint32_t lo = hex4(p + 2);
            if (lo < 0xDC00 || lo > 0xDFFF) return true;
            p += 6;
        }
    }
    return false;
}

// An "array index" in ECMAScript's sense: the canonical decimal of an integer 0 .. 2^32 - 2. Objects list such
// property names first, in ascending numeric order, then the others in insertion order (OrdinaryOwnPropertyKeys),
// and JSON.stringify follows that order.
bool array_index(std::string_view name, std::uint32_t* index) {
    if (name.empty() || name.size() > 10 || (name.size() > 1 && name[0] == '0')) return false;
    std::uint64_t v = 0;
    for (char c : name) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (v > 0xFFFFFFFEull) return false;
    *index = static_cast<std::uint32_t>(v);
    return true;
}

// When from_chars says a validated number token is out of range: true if it overflows (|x| too large), false if
// it underflows (JavaScript reads it as 0). Decided by the decimal order of magnitude of its first digit.
bool overflows(std::string_view token) {
    auto digit = [&](std::size_t i) { return i < token.size() && token[i] >= '0' && token[i] <= '9'; };
    std::size_t i = token[0] == '-' ? 1 : 0;
    // order: the power of ten of the first non-zero digit (123.4 -> 2, 0.05 -> -2).
    std::int64_t int_digits = 0, first_nonzero = -1, order = 0;
    for (; digit(i); ++i, ++int_digits)
        if (first_nonzero < 0 && token[i] != '0') first_nonzero = int_digits;
    bool found = first_nonzero >= 0;
    if (found) order = int_digits - 1 - first_nonzero;
    if (i < token.size() && token[i] == '.') {
        for (std::int64_t place = -1; digit(++i); --place) {
            if (!found && token[i] != '0') {
                found = true;
                order = place;
            }
        }
    }
    std::int64_t exp = 0;
    if (i < token.size()) {  // 'e' or 'E'
        ++i;
        const bool negative = token[i] == '-';
        if (token[i] == '+' || token[i] == '-') ++i;
        for (; i < token.size(); ++i) exp = std::min<std::int64_t>(exp * 10 + (token[i] - '0'), 1'000'000'000);
        if (negative) exp = -exp;
    }
    return found && order + exp > 0;
}

std::string quoted_for_error(std::string_view name) {
    if (name.size() > kMaxNameInError) {
        std::size_t n = kMaxNameInError;
        while (n > 0 && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80) --n;  // not inside a UTF-8 sequence
        std::string out;
        append_js_string(out, std::string(name.substr(0, n)) + "...");
        return out;
    }
    std::string out;
    append_js_string(out, name);
    return out;
}

// True if the (invalid) text nests deeper than json::kMaxDepth before it ends or breaks: to tell that refusal
// apart from plain malformed text.
bool too_deep(std::string_view raw) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > json::kMaxDepth) return true;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return false;
}

class Writer {
public:
    Writer(const char* end, std::string& out) : end_(end), out_(out) {}

    // Writes the value starting at p (validated text, no whitespace before it); its end, or nullptr on refusal.
    const char* value(const char* p) {
        switch (*p) {
            case '{': return object(p);
            case '[': return array(p);
            case '"': return string(p);
            case 't': out_ += "true"; return p + 4;
            case 'f': out_ += "false"; return p + 5;
            case 'n': out_ += "null"; return p + 4;
            default: return number(p);
        }
    }

    std::string error;

private:
    const char* ws(const char* p) const { return json::detail::skip_ws(p, end_); }

    const char* string(const char* p) {
        json::Kind kind;
        const char* e = json::detail::skip_value(p, end_, &kind);
        const std::string_view token(p, static_cast<std::size_t>(e - p));
        if (has_lone_surrogate(token)) return fail("lone surrogate escape in a string");
        json::decode_string(token, scratch_);
        append_js_string(out_, scratch_);
        return e;
    }

    const char* number(const char* p) {
        json::Kind kind;
        const char* e = json::detail::skip_value(p, end_, &kind);
        const std::string_view token(p, static_cast<std::size_t>(e - p));
        // Integers of up to 15 digits are exact doubles that Number::toString writes back digit for digit.
        const std::size_t sign = token[0] == '-' ? 1 : 0;
        const std::string_view digits = token.substr(sign);
        if (digits.size() <= 15 && (digits.size() == 1 || digits[0] != '0') &&
            std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            out_.append(digits == "0" ? digits : token);  // -0 is written 0
            return e;
        }
        double x = 0;
        const auto r = std::from_chars(token.data(), token.data() + token.size(), x);
        if (r.ec == std::errc::result_out_of_range) {
            if (overflows(token)) return fail("number too large for a double: " + std::string(token.substr(0, 40)));
            x = 0;  // JSON.parse reads an underflow as (-)0
        } else if (r.ec != std::errc() || r.ptr != e) {
            return fail("malformed JSON");  // cannot happen on validated text
        }
        out_ += js_number(x);
        return e;
    }

    const char* array(const char* p) {
        out_ += '[';
        p = ws(p + 1);
        if (*p == ']') {
            out_ += ']';
            return p + 1;
        }
        for (;;) {
            if (!(p = value(p))) return nullptr;
            p = ws(p);
            if (*p == ']') break;
            out_ += ',';
            p = ws(p + 1);
        }
        out_ += ']';
        return p + 1;
    }

    struct Member {
        std::string name;
        std::size_t begin, end;  // its "name":value in out_
        std::uint32_t index;     // when `is_index`
        bool is_index;
    };

    const char* object(const char* p) {
        const std::size_t start = out_.size();
        out_ += '{';
        p = ws(p + 1);
        if (*p == '}') {
            out_ += '}';
            return p + 1;
        }
        std::vector<Member> members;
        for (;;) {
            json::Kind kind;
            const char* key_end = json::detail::skip_value(p, end_, &kind);
            const std::string_view token(p, static_cast<std::size_t>(key_end - p));
            if (has_lone_surrogate(token)) return fail("lone surrogate escape in a member name");
            Member m;
            json::decode_string(token, m.name);
            m.is_index = array_index(m.name, &m.index);
            if (!members.empty()) out_ += ',';
            m.begin = out_.size();
            append_js_string(out_, m.name);
            out_ += ':';
            p = ws(ws(key_end) + 1);  // past ':'
            if (!(p = value(p))) return nullptr;
            m.end = out_.size();
            members.push_back(std::move(m));
            p = ws(p);
            if (*p == '}') break;
            p = ws(p + 1);  // past ','
        }
        ++p;
        out_ += '}';
        if (members.size() > 1) {
            std::vector<const Member*> by_name(members.size());
            for (std::size_t i = 0; i < members.size(); ++i) by_name[i] = &members[i];
            std::sort(by_name.begin(), by_name.end(), [](auto* a, auto* b) { return a->name < b->name; });
            for (std::size_t i = 1; i < by_name.size(); ++i)
                if (by_name[i]->name == by_name[i - 1]->name)
                    return fail("duplicate member " + quoted_for_error(by_name[i]->name));
            reorder(start, members);
        }
        return p;
    }

    // Array-index names first, ascending, then the rest as they came (see array_index).
    void reorder(std::size_t start, std::vector<Member>& members) {
        if (std::none_of(members.begin(), members.end(), [](const Member& m) { return m.is_index; })) return;
        std::stable_sort(members.begin(), members.end(), [](const Member& a, const Member& b) {
            if (a.is_index != b.is_index) return a.is_index;
            return a.is_index && a.index < b.index;
        });
        std::string text = "{";
        for (const Member& m : members) {
            if (text.size() > 1) text += ',';
            text.append(out_, m.begin, m.end - m.begin);
        }
        text += '}';
        out_.replace(start, std::string::npos, text);
    }

    const char* fail(std::string why) {
        error = std::move(why);
        return nullptr;
    }

    const char* end_;
    std::string& out_;
    std::string scratch_;
};

}  // namespace

std::optional<std::string> canonical_json(std::string_view raw, std::string* error) {
    json::Value v;
    if (!json::validate(raw, &v)) {
        if (error) *error = too_deep(raw) ? "JSON nested deeper than 64 levels" : "malformed JSON";
        return std::nullopt;
    }
    std::string out;
    out.reserve(v.raw.size());
    Writer w(v.raw.data() + v.raw.size(), out);
    if (!w.value(v.raw.data())) {
        if (error) *error = std::move(w.error);
        return std::nullopt;
    }
    return out;
}

std::string js_number(double x) {
    if (std::isnan(x)) return "NaN";
    if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
    if (x == 0) return "0";  // and -0
    // The shortest digits that read back as x (closest to x when several do), as Number::toString wants them.
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
    const std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));  // [-]d[.ddd]e(+|-)xx
    std::string out;
    std::size_t i = 0;
    if (sci[0] == '-') {
        out += '-';
        i = 1;
    }
    const std::size_t e_pos = sci.find('e');
    std::string digits;
    for (; i < e_pos; ++i)
        if (sci[i] != '.') digits += sci[i];
    int exp = 0;
    std::from_chars(sci.data() + e_pos + (sci[e_pos + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exp);
    const int k = static_cast<int>(digits.size());
    const int n = exp + 1;  // x = 0.digits * 10^n
    if (k <= n && n <= 21) {
        out += digits;
        out.append(static_cast<std::size_t>(n - k), '0');
    } else if (0 < n && n <= 21) {
        out.append(digits, 0, static_cast<std::size_t>(n));
        out += '.';
        out.append(digits, static_cast<std::size_t>(n));
    } else if (-6 < n && n <= 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-n), '0');
        out += digits;
    } else {
        out += digits[0];
        if (k > 1) {
            out += '.';
            out.append(digits, 1);
        }
        out += 'e';
        out += n - 1 > 0 ? '+' : '-';
        out += std::to_string(std::abs(n - 1));
    }
    return out;
}

void append_js_string(std::string& out, std::string_view text) {
    // json::append_quoted escapes exactly as JSON.stringify does for well-formed text: \" \\ \b \f \n \r \t,
    // other controls as \u00xx (lower-case hex), everything else (DEL, U+2028, U+2029 included) as it is.
    json::append_quoted(out, text);
}

}  // namespace pigeonhub::data
