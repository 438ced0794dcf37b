// Request targets: the path and query parameters of "/path?a=1&peerId=...". Pure string functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pigeonhub {

// The value of the first `name` parameter of the query in `target`, decoded the way WHATWG URLSearchParams does
// (percent escapes, '+' as space). nullopt when absent.
std::optional<std::string> query_param(std::string_view target, std::string_view name);

// `s` with its percent escapes decoded ('+' stays '+'), as a path segment is.
std::string percent_decode(std::string_view s);

// The path of a request target without its query or fragment ("/health?x=1" -> "/health").
std::string_view target_path(std::string_view target) noexcept;

}  // namespace pigeonhub
