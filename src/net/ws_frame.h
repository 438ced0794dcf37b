// RFC 6455 framing for the server side: a reader that turns inbound bytes into messages and control frames
// with hard limits, and a writer for frame headers. Pure: no sockets; unit-tested and fuzzed alone.
//
// Limits enforced by WsReader (the reason restinio's own WebSocket reader is not used, see README):
// - a data frame whose header declares more than max_message bytes, or fragments that add up to more,
//   fail with 1009 as soon as the header is read, before any payload is buffered;
// - between calls it holds at most one reassembled message (<= max_message) plus one incomplete frame
//   (<= 131 bytes for a control frame, or the rest of max_message for a data frame);
// - protocol violations fail with 1002, a text message that is not UTF-8 with 1007.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pigeonhub {

enum class WsOpcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

// Receives what WsReader decodes. Payload views are valid only during the call.
class WsSink {
public:
    virtual ~WsSink() = default;
    // A complete (reassembled) text or binary message. Return false to stop reading (e.g. after closing).
    virtual bool on_message(std::string_view payload, bool binary) = 0;
    virtual bool on_ping(std::string_view payload) = 0;
    virtual bool on_pong(std::string_view payload) = 0;
    // A close frame: `code` is 1005 when the frame carried none.
    virtual bool on_close(std::uint16_t code, std::string_view reason) = 0;
};

class WsReader {
public:
    explicit WsReader(std::size_t max_message) : max_message_(max_message) {}

    // Consumes `n` bytes at `data` (which may be modified: payloads are unmasked in place). Returns 0 when
    // all is well (including when the sink asked to stop), or the close code to fail the connection with. Once a
    // close frame was read, every later byte (in this call or the next) is dropped unread.
    std::uint16_t feed(char* data, std::size_t n, WsSink& sink);

    // Bytes held between calls (an incomplete frame plus an incomplete fragmented message).
    std::size_t buffered() const noexcept { return pending_.size() + message_.size(); }

private:
    // Parses complete frames from [data, data+n); returns bytes consumed, sets *error on failure.
    std::size_t parse(char* data, std::size_t n, WsSink& sink, std::uint16_t* error, bool* stop);
    void release_if_idle();

    std::size_t max_message_;
    std::string pending_;   // bytes of an incomplete frame
    std::string message_;   // fragments of an incomplete message
    bool fragmented_ = false;
    bool fragmented_binary_ = false;
    bool peer_closed_ = false;  // a close frame was read: nothing more is
};

// Writes a server (unmasked, FIN) frame header for `payload_len` bytes into out[0..10); returns its length.
std::size_t write_frame_header(std::uint8_t* out, WsOpcode opcode, std::uint64_t payload_len) noexcept;

// A complete close frame: code (network order) + reason, reason cut to fit 125 bytes.
std::string make_close_frame(std::uint16_t code, std::string_view reason);

// True if `code` may appear in a close frame received from a peer (RFC 6455 7.4).
bool is_valid_close_code(std::uint16_t code) noexcept;

}  // namespace pigeonhub
