#include "net/ws_frame.h"

#include <cstring>

#include "util/utf8.h"

namespace pigeonhub {
namespace {

constexpr std::uint16_t kProtocolError = 1002;
constexpr std::uint16_t kInvalidPayload = 1007;
constexpr std::uint16_t kTooBig = 1009;

void unmask(char* p, std::size_t n, const unsigned char key[4]) {
    std::uint32_t k32;
    std::memcpy(&k32, key, 4);
    std::uint64_t k64 = (static_cast<std::uint64_t>(k32) << 32) | k32;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        w ^= k64;
        std::memcpy(p + i, &w, 8);
    }
    for (; i < n; ++i) p[i] = static_cast<char>(p[i] ^ key[i & 3]);
}

}  // namespace

bool is_valid_close_code(std::uint16_t code) noexcept {
    if (code >= 3000 && code <= 4999) return true;
    switch (code) {
    case 1000: case 1001: case 1002: case 1003: case 1007: case 1008: case 1009: case 1010: case 1011:
        return true;
    default:
        return false;
    }
}

std::uint16_t WsReader::feed(char* data, std::size_t n, WsSink& sink) {
    // After the peer's close frame nothing is read: no frame may follow it (RFC 6455 5.5.1), and keeping what came
    // after it let a peer that sends close frames with data behind them grow the buffer without bound while its
    // connection closed (found by ws_reader_fuzz).
    if (peer_closed_) return 0;
    std::uint16_t error = 0;
    bool stop = false;
    // When the sink stops, the bytes after that frame are kept like any others, so that a later call neither loses
    // nor replays anything; after a close frame they are dropped (above).
    if (pending_.empty()) {
        std::size_t used = parse(data, n, sink, &error, &stop);
        if (error) return error;
        if (used < n) pending_.assign(data + used, n - used);
    } else {
        pending_.append(data, n);
        std::size_t used = parse(pending_.data(), pending_.size(), sink, &error, &stop);
        if (error) return error;
        pending_.erase(0, used);
    }
    if (peer_closed_) pending_.clear();
    release_if_idle();
    return 0;
}

void WsReader::release_if_idle() {
    // Large buffers are returned to the allocator once a big message is done, so idle sockets stay small.
    if (pending_.empty() && pending_.capacity() > 4096) std::string().swap(pending_);
    if (message_.empty() && message_.capacity() > 4096) std::string().swap(message_);
}

std::size_t WsReader::parse(char* data, std::size_t n, WsSink& sink, std::uint16_t* error, bool* stop) {
    std::size_t pos = 0;
    while (n - pos >= 2) {
        const auto* h = reinterpret_cast<const unsigned char*>(data + pos);
        const bool fin = h[0] & 0x80;
        const unsigned rsv = h[0] & 0x70;
        const auto opcode = static_cast<WsOpcode>(h[0] & 0x0F);
        const bool masked = h[1] & 0x80;
        const unsigned len7 = h[1] & 0x7F;
        if (rsv) return *error = kProtocolError, pos;
        const bool control = (h[0] & 0x08) != 0;
        switch (opcode) {
        case WsOpcode::continuation: case WsOpcode::text: case WsOpcode::binary:
        case WsOpcode::close: case WsOpcode::ping: case WsOpcode::pong: break;
        default: return *error = kProtocolError, pos;
        }
        if (!masked) return *error = kProtocolError, pos;
        if (control && (!fin || len7 > 125)) return *error = kProtocolError, pos;
        const std::size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
        if (n - pos < 2 + ext) break;
        std::uint64_t len = len7;
        if (ext == 2) {
            len = (std::uint64_t{h[2]} << 8) | h[3];
        } else if (ext == 8) {
            len = 0;
            for (int i = 0; i < 8; ++i) len = (len << 8) | h[2 + i];
            if (len >> 63) return *error = kProtocolError, pos;
        }
        if (!control) {
            if (opcode == WsOpcode::continuation && !fragmented_) return *error = kProtocolError, pos;
            if (opcode != WsOpcode::continuation && fragmented_) return *error = kProtocolError, pos;
            // The size check happens here, before the payload is waited for or buffered.
            const std::uint64_t so_far = fragmented_ ? message_.size() : 0;
            if (len > max_message_ || so_far + len > max_message_) return *error = kTooBig, pos;
        }
        const std::size_t header = 2 + ext + 4;
        if (n - pos < header + len) break;
        char* payload = data + pos + header;
        unmask(payload, static_cast<std::size_t>(len), h + 2 + ext);
        std::string_view body(payload, static_cast<std::size_t>(len));
        pos += header + static_cast<std::size_t>(len);

        bool go_on = true;
        switch (opcode) {
        case WsOpcode::ping: go_on = sink.on_ping(body); break;
        case WsOpcode::pong: go_on = sink.on_pong(body); break;
        case WsOpcode::close: {
            if (body.size() == 1) return *error = kProtocolError, pos;
            std::uint16_t code = 1005;
            std::string_view reason;
            if (body.size() >= 2) {
                code = static_cast<std::uint16_t>((static_cast<unsigned char>(body[0]) << 8) |
                                                  static_cast<unsigned char>(body[1]));
                if (!is_valid_close_code(code)) return *error = kProtocolError, pos;
                reason = body.substr(2);
                if (!is_valid_utf8(reason)) return *error = kInvalidPayload, pos;
            }
            peer_closed_ = true;
            go_on = sink.on_close(code, reason);
            break;
        }
        case WsOpcode::text:
        case WsOpcode::binary:
            if (fin) {
                if (opcode == WsOpcode::text && !is_valid_utf8(body)) return *error = kInvalidPayload, pos;
                go_on = sink.on_message(body, opcode == WsOpcode::binary);
            } else {
                fragmented_ = true;
                fragmented_binary_ = opcode == WsOpcode::binary;
                message_.assign(body);
            }
            break;
        case WsOpcode::continuation:
            message_.append(body);
            if (fin) {
                fragmented_ = false;
                if (!fragmented_binary_ && !is_valid_utf8(message_)) return *error = kInvalidPayload, pos;
                // Move out first: the sink may re-enter nothing, but message_ must be reusable afterwards.
                std::string whole;
                whole.swap(message_);
                go_on = sink.on_message(whole, fragmented_binary_);
                if (whole.capacity() <= 4096) {
                    whole.clear();
                    message_.swap(whole);
                }
            }
            break;
        }
        if (!go_on) {
            *stop = true;
            return pos;
        }
    }
    return pos;
}

std::size_t write_frame_header(std::uint8_t* out, WsOpcode opcode, std::uint64_t len) noexcept {
    out[0] = static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(opcode));
    if (len < 126) {
        out[1] = static_cast<std::uint8_t>(len);
        return 2;
    }
    if (len <= 0xFFFF) {
        out[1] = 126;
        out[2] = static_cast<std::uint8_t>(len >> 8);
        out[3] = static_cast<std::uint8_t>(len);
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<std::uint8_t>(len >> (56 - 8 * i));
    return 10;
}

std::string make_close_frame(std::uint16_t code, std::string_view reason) {
    if (reason.size() > 123) reason = reason.substr(0, 123);
    std::string f;
    std::uint8_t hdr[10];
    std::size_t h = write_frame_header(hdr, WsOpcode::close, 2 + reason.size());
    f.append(reinterpret_cast<const char*>(hdr), h);
    f += static_cast<char>(code >> 8);
    f += static_cast<char>(code & 0xFF);
    f += reason;
    return f;
}

}  // namespace pigeonhub
