// A small, strict JSON (RFC 8259) validator and scanner for the signaling hot path.
//
// Messages are validated once, then only the top-level fields the hub needs are located; every other value
// (notably `data`, which carries SDP) is forwarded as the exact bytes the client sent. Strings must be valid
// UTF-8 and nesting is limited to kMaxDepth. Pure functions, no allocation except in decode/escape helpers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

namespace pigeonhub::json {

inline constexpr int kMaxDepth = 64;

enum class Kind : unsigned char { null, boolean_false, boolean_true, number, string, array, object };

struct Value {
    Kind kind = Kind::null;
    std::string_view raw;  // the exact text of the value (a string includes its quotes)
};

// Receives the members of a top-level object while it is validated (see validate_members).
struct MemberSink {
    void (*fn)(void* ctx, std::string_view key_token, const Value& value);
    void* ctx;
};

// True if `text` is exactly one JSON value, optionally surrounded by whitespace. On success *out (if given)
// describes the value, without the surrounding whitespace. With `on_member`, every member of a top-level
// object is passed to it, in order, as soon as its value has been checked (before the rest of the text is).
bool validate(std::string_view text, Value* out = nullptr, const MemberSink* on_member = nullptr);

// validate() that also calls fn(key_token, value) for each member of a top-level object, in one pass over the
// text. When it returns false, the members seen so far came from invalid text and must be discarded.
template <typename Fn>
bool validate_members(std::string_view text, Value* out, Fn&& fn) {
    using F = std::remove_reference_t<Fn>;
    const MemberSink sink{[](void* ctx, std::string_view k, const Value& v) { (*static_cast<F*>(ctx))(k, v); },
                          const_cast<void*>(static_cast<const void*>(&fn))};
    return validate(text, out, &sink);
}

// Calls fn(key_token, value) for each member of `object` (the raw text of a *validated* object).
// key_token is the raw key string including quotes; decode it with string_equals/decode_string.
template <typename Fn>
void for_each_member(std::string_view object, Fn&& fn);

// Calls fn(value) for each element of `array` (the raw text of a *validated* array), in order.
template <typename Fn>
void for_each_element(std::string_view array, Fn&& fn);

// Compares a raw string token (with quotes, validated) to plain text, decoding escapes if needed.
bool string_equals(std::string_view token, std::string_view text) noexcept;

// Decodes a raw string token (with quotes, validated) into UTF-8. Lone surrogate escapes become U+FFFD.
void decode_string(std::string_view token, std::string& out);

// Appends `text` (UTF-8) as a JSON string literal with quotes.
void append_quoted(std::string& out, std::string_view text);

// --- implementation details used by the template above ---
namespace detail {
const char* skip_ws(const char* p, const char* end) noexcept;
// Skips one value of already-validated text starting at p (no whitespace); returns the end and its kind.
const char* skip_value(const char* p, const char* end, Kind* kind) noexcept;
}  // namespace detail

template <typename Fn>
void for_each_member(std::string_view object, Fn&& fn) {
    const char* p = object.data();
    const char* end = p + object.size();
    p = detail::skip_ws(p + 1, end);  // past '{'
    if (p < end && *p == '}') return;
    while (p < end) {
        Kind k;
        const char* key_end = detail::skip_value(p, end, &k);
        std::string_view key(p, static_cast<std::size_t>(key_end - p));
        p = detail::skip_ws(key_end, end);
        p = detail::skip_ws(p + 1, end);  // past ':'
        const char* v_end = detail::skip_value(p, end, &k);
        fn(key, Value{k, std::string_view(p, static_cast<std::size_t>(v_end - p))});
        p = detail::skip_ws(v_end, end);
        if (p >= end || *p == '}') return;
        p = detail::skip_ws(p + 1, end);  // past ','
    }
}

template <typename Fn>
void for_each_element(std::string_view array, Fn&& fn) {
    const char* p = array.data();
    const char* end = p + array.size();
    p = detail::skip_ws(p + 1, end);  // past '['
    while (p < end && *p != ']') {
        Kind k;
        const char* e = detail::skip_value(p, end, &k);
        fn(Value{k, std::string_view(p, static_cast<std::size_t>(e - p))});
        p = detail::skip_ws(e, end);
        if (p < end && *p == ',') p = detail::skip_ws(p + 1, end);
    }
}

}  // namespace pigeonhub::json
