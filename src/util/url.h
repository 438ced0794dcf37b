// URLs: the path and query parameters of a request target ("/path?a=1&peerId=..."), absolute http(s) URLs split
// for a client (net/http_client.h), and "host:port" authorities. Pure string functions.
#pragma once

#include <cstdint>
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

// "host[:port]", as in a URL's authority: the host a DNS name or an IPv4 literal (letters, digits, '-', '.', '_'),
// or an IPv6 literal in brackets ("[::1]", no zone; `host` without the brackets); the port decimal 1..65535, 0 when
// absent ("host" or "host:"). nullopt for anything else (user info, spaces, controls, non-ASCII bytes included).
struct HostPort {
    std::string host;
    std::uint16_t port = 0;
};
std::optional<HostPort> parse_host_port(std::string_view authority);

// An absolute URL "http://host[:port][/path][?query][#fragment]" (or https://), split for an HTTP client.
struct HttpUrl {
    bool https = false;
    std::string host;        // a DNS name, an IPv4 literal, or an IPv6 literal without its brackets
    std::uint16_t port = 0;  // 80 (443 for https) when absent
    std::string target;      // path and query ("/" when there is no path); the fragment is dropped
};
// nullopt for anything else: another scheme, user info ("user@host"), an empty host, a host of other characters
// than letters, digits, '-', '.', '_' (a bracketed host must be an IPv6 address, without a zone), a port outside
// 1..65535, and any space, control or non-ASCII byte (nothing can reach a request line or a header unescaped).
// The scheme is case-insensitive.
std::optional<HttpUrl> parse_http_url(std::string_view url);

// `url` with a "ws://" scheme read as "http://" and "wss://" as "https://" (any case), else unchanged: the HTTP
// URL of a hub given by its WebSocket URL (RFC 6455, section 3: a ws(s) URL is an http(s) URL by another name).
std::string ws_as_http(std::string_view url);

// True if ws_as_http(url) is one parse_http_url accepts: a URL a hub may be reached at.
bool is_http_or_ws_url(std::string_view url);

}  // namespace pigeonhub
