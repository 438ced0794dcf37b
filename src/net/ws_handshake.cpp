#include "net/ws_handshake.h"

#include <nettle/base64.h>
#include <nettle/sha1.h>

#include <cstdint>
#include <string_view>

namespace pigeonhub {
namespace {

constexpr std::string_view kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(const std::uint8_t* p, std::size_t n) {
    std::string out(BASE64_ENCODE_RAW_LENGTH(n), '\0');
    base64_encode_raw(reinterpret_cast<char*>(out.data()), n, p);
    return out;
}

bool is_b64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string websocket_accept(std::string_view client_key) {
    static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    sha1_ctx ctx;
    sha1_init(&ctx);
    sha1_update(&ctx, client_key.size(), reinterpret_cast<const std::uint8_t*>(client_key.data()));
    sha1_update(&ctx, kGuid.size(), reinterpret_cast<const std::uint8_t*>(kGuid.data()));
    std::uint8_t digest[SHA1_DIGEST_SIZE];
    sha1_digest(&ctx, sizeof digest, digest);
    return base64(digest, sizeof digest);
}

bool is_valid_websocket_key(std::string_view key) noexcept {
    if (key.size() != 24 || key[22] != '=' || key[23] != '=') return false;
    for (std::size_t i = 0; i < 22; ++i)
        if (!is_b64_char(key[i])) return false;
    // The last character before the padding carries only 2 significant bits: 16 bytes exactly.
    const char last = key[21];
    return (kB64.find(last) & 15) == 0;
}

bool header_has_token(std::string_view value, std::string_view token) noexcept {
    std::size_t i = 0;
    while (i <= value.size()) {
        std::size_t comma = value.find(',', i);
        if (comma == std::string_view::npos) comma = value.size();
        std::string_view part = value.substr(i, comma - i);
        while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) part.remove_prefix(1);
        while (!part.empty() && (part.back() == ' ' || part.back() == '\t')) part.remove_suffix(1);
        if (part.size() == token.size()) {
            bool eq = true;
            for (std::size_t k = 0; k < part.size() && eq; ++k) eq = lower(part[k]) == lower(token[k]);
            if (eq) return true;
        }
        i = comma + 1;
    }
    return false;
}

std::string switching_protocols_response(std::string_view accept) {
    std::string r;
    r.reserve(160);
    r += "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ";
    r += accept;
    r += "\r\n\r\n";
    return r;
}

}  // namespace pigeonhub
