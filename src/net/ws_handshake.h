// The HTTP side of a WebSocket upgrade (RFC 6455 section 4): checking the request and building the 101
// response. Pure string functions.
#pragma once

#include <string>
#include <string_view>

namespace pigeonhub {

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key: base64(SHA-1(key + RFC 6455 GUID)).
std::string websocket_accept(std::string_view client_key);

// True if `key` is base64 of exactly 16 bytes (24 characters ending in "==").
bool is_valid_websocket_key(std::string_view key) noexcept;

// True if a comma-separated header value (Connection, Upgrade) contains `token`, case-insensitively.
bool header_has_token(std::string_view value, std::string_view token) noexcept;

// The complete "HTTP/1.1 101 Switching Protocols" response for an accepted upgrade.
std::string switching_protocols_response(std::string_view accept);

}  // namespace pigeonhub
