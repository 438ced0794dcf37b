#include "net/ws_frame.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

using namespace pigeonhub;

namespace {

struct Event {
    std::string kind;
    std::string payload;
    std::uint16_t code = 0;
};

class Recorder : public WsSink {
public:
    bool on_message(std::string_view p, bool binary) override { return add(binary ? "bin" : "text", p); }
    bool on_ping(std::string_view p) override { return add("ping", p); }
    bool on_pong(std::string_view p) override { return add("pong", p); }
    bool on_close(std::uint16_t code, std::string_view r) override {
        events.push_back({"close", std::string(r), code});
        return false;
    }
    bool add(const char* k, std::string_view p) {
        events.push_back({k, std::string(p)});
        return true;
    }
    std::vector<Event> events;
};

// A client frame: masked, with the given first byte and declared length.
std::string frame(std::uint8_t b0, std::string_view payload, std::uint64_t declared = UINT64_MAX,
                  bool masked = true) {
    std::uint64_t len = declared == UINT64_MAX ? payload.size() : declared;
    std::string f;
    f += static_cast<char>(b0);
    const char m = masked ? '\x80' : 0;
    if (len < 126) {
        f += static_cast<char>(m | static_cast<char>(len));
    } else if (len <= 0xFFFF) {
        f += static_cast<char>(m | 126);
        f += static_cast<char>(len >> 8);
        f += static_cast<char>(len & 0xFF);
    } else {
        f += static_cast<char>(m | 127);
        for (int i = 7; i >= 0; --i) f += static_cast<char>((len >> (8 * i)) & 0xFF);
    }
    const char key[4] = {0x12, 0x34, 0x56, 0x78};
    if (masked) f.append(key, 4);
    for (std::size_t i = 0; i < payload.size(); ++i) f += static_cast<char>(payload[i] ^ (masked ? key[i & 3] : 0));
    return f;
}

std::uint16_t feed(WsReader& r, Recorder& rec, std::string bytes) { return r.feed(bytes.data(), bytes.size(), rec); }

}  // namespace

TEST(WsFrame, TextAndBinaryMessages) {
    WsReader r(1024);
    Recorder rec;
    EXPECT_EQ(feed(r, rec, frame(0x81, "hello") + frame(0x82, "\xff\x00")), 0);
    ASSERT_EQ(rec.events.size(), 2u);
    EXPECT_EQ(rec.events[0].kind, "text");
    EXPECT_EQ(rec.events[0].payload, "hello");
    EXPECT_EQ(rec.events[1].kind, "bin");
    EXPECT_EQ(r.buffered(), 0u);
}

TEST(WsFrame, ByteByByteDelivery) {
    WsReader r(100000);
    Recorder rec;
    std::string big(70000, 'x');
    std::string bytes = frame(0x81, "a") + frame(0x81, std::string(300, 'y')) + frame(0x81, big);
    for (char c : bytes) ASSERT_EQ(feed(r, rec, std::string(1, c)), 0);
    ASSERT_EQ(rec.events.size(), 3u);
    EXPECT_EQ(rec.events[2].payload, big);
    EXPECT_EQ(r.buffered(), 0u);
}

TEST(WsFrame, FragmentsReassembleWithInterleavedControl) {
    WsReader r(1024);
    Recorder rec;
    EXPECT_EQ(feed(r, rec, frame(0x01, "he") + frame(0x89, "p") + frame(0x00, "ll") + frame(0x80, "o")), 0);
    ASSERT_EQ(rec.events.size(), 2u);
    EXPECT_EQ(rec.events[0].kind, "ping");
    EXPECT_EQ(rec.events[1].payload, "hello");
}

TEST(WsFrame, LimitIsInclusive) {
    WsReader r(10);
    Recorder rec;
    EXPECT_EQ(feed(r, rec, frame(0x81, std::string(10, 'a'))), 0);
    EXPECT_EQ(feed(r, rec, frame(0x81, std::string(11, 'a'))), 1009);
}

TEST(WsFrame, HugeDeclaredLengthFailsBeforeAnyPayload) {
    for (std::uint64_t declared : {std::uint64_t{1} << 30, std::uint64_t{1} << 62, std::uint64_t{70000}}) {
        WsReader r(65536);
        Recorder rec;
        std::string header = frame(0x82, "", declared);  // header only, no payload bytes
        EXPECT_EQ(feed(r, rec, header), 1009) << declared;
        EXPECT_LE(r.buffered(), 14u);
    }
    WsReader r(65536);
    Recorder rec;
    EXPECT_EQ(feed(r, rec, frame(0x82, "", std::uint64_t{1} << 63)), 1002);  // top bit set
}

TEST(WsFrame, FragmentsPastTheLimitFail) {
    WsReader r(10);
    Recorder rec;
    EXPECT_EQ(feed(r, rec, frame(0x01, "123456")), 0);
    EXPECT_EQ(feed(r, rec, frame(0x00, "12345")), 1009);
}

TEST(WsFrame, ProtocolErrors) {
    struct Case {
        const char* what;
        std::string bytes;
    } cases[] = {
        {"unmasked", frame(0x81, "x", UINT64_MAX, false)},
        {"rsv1", frame(0xC1, "x")},
        {"rsv3", frame(0x91, "x")},
        {"opcode 3", frame(0x83, "x")},
        {"opcode 11", frame(0x8B, "x")},
        {"fragmented ping", frame(0x09, "x")},
        {"long ping", frame(0x89, std::string(126, 'p'))},
        {"continuation first", frame(0x80, "x")},
        {"new message inside fragments", frame(0x01, "a") + frame(0x81, "b")},
        {"close with 1 byte", frame(0x88, "x")},
        {"close with bad code", frame(0x88, std::string("\x03\xe7", 2))},
    };
    for (auto& c : cases) {
        WsReader r(1024);
        Recorder rec;
        EXPECT_EQ(feed(r, rec, c.bytes), 1002) << c.what;
    }
}

TEST(WsFrame, InvalidUtf8Text) {
    WsReader r(1024);
    Recorder rec;
    EXPECT_EQ(feed(r, rec, frame(0x81, "\xc3\x28")), 1007);
    WsReader r2(1024);
    EXPECT_EQ(feed(r2, rec, frame(0x82, "\xc3\x28")), 0);  // binary is not checked here
    WsReader r3(1024);
    EXPECT_EQ(feed(r3, rec, frame(0x01, "\xe2\x82") + frame(0x80, "\xac")), 0);  // split across fragments: valid
}

TEST(WsFrame, CloseFrames) {
    WsReader r(1024);
    Recorder rec;
    EXPECT_EQ(feed(r, rec, frame(0x88, std::string("\x03\xe8", 2) + "bye") + frame(0x81, "after")), 0);
    ASSERT_EQ(rec.events.size(), 1u);  // the sink stopped reading at the close
    EXPECT_EQ(rec.events[0].code, 1000);
    EXPECT_EQ(rec.events[0].payload, "bye");
    WsReader r2(1024);
    Recorder rec2;
    EXPECT_EQ(feed(r2, rec2, frame(0x88, "")), 0);
    EXPECT_EQ(rec2.events[0].code, 1005);
}

// Nothing after the peer's close frame is kept: a peer sending close frames with data behind them, read after read,
// grew the buffer without bound (ws_reader_fuzz; the session keeps reading while it closes).
TEST(WsFrame, NothingIsBufferedAfterAClose) {
    WsReader r(1024);
    Recorder rec;
    std::string bytes = frame(0x88, "");
    for (int i = 0; i < 1000; ++i) bytes += frame(0x88, "") + "x";
    EXPECT_EQ(feed(r, rec, bytes), 0);
    EXPECT_EQ(r.buffered(), 0u);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(feed(r, rec, std::string(4000, '\x88')), 0);
    EXPECT_EQ(r.buffered(), 0u);
    EXPECT_EQ(rec.events.size(), 1u) << "one close seen, then nothing";
}

TEST(WsFrame, ServerHeaders) {
    std::uint8_t h[10];
    EXPECT_EQ(write_frame_header(h, WsOpcode::text, 5), 2u);
    EXPECT_EQ(h[0], 0x81);
    EXPECT_EQ(h[1], 5);
    EXPECT_EQ(write_frame_header(h, WsOpcode::text, 126), 4u);
    EXPECT_EQ(write_frame_header(h, WsOpcode::text, 70000), 10u);
    EXPECT_EQ(h[1], 127);
    std::string c = make_close_frame(1008, std::string(200, 'r'));
    EXPECT_EQ(c.size(), 2u + 125u);
    EXPECT_EQ(static_cast<unsigned char>(c[0]), 0x88);
}

// Random bytes never crash the reader and never make it hold more than one frame plus one read.
TEST(WsFrame, RandomInputIsSafe) {
    std::mt19937 rng(7);
    for (int round = 0; round < 2000; ++round) {
        WsReader r(4096);
        Recorder rec;
        std::string bytes(static_cast<std::size_t>(rng() % 600), '\0');
        for (auto& b : bytes) b = static_cast<char>(rng());
        if (round % 2) bytes[1] = static_cast<char>(bytes[1] | 0x80);  // masked more often than not
        std::size_t pos = 0;
        while (pos < bytes.size()) {
            std::size_t n = std::min<std::size_t>(1 + rng() % 64, bytes.size() - pos);
            std::string chunk = bytes.substr(pos, n);
            if (r.feed(chunk.data(), chunk.size(), rec) != 0) break;
            ASSERT_LE(r.buffered(), 4096u + 131u);
            pos += n;
        }
    }
}

// After the sink stops at a close frame, later input neither replays nor loses frames.
// The close is reported once, and a frame split across the close's read and the next is neither replayed nor kept
// (no frame may follow a close: RFC 6455 5.5.1).
TEST(WsFrame, NoReplayAfterStop) {
    WsReader r(1024);
    Recorder rec;
    std::string close = frame(0x88, std::string("\x03\xe8", 2));
    std::string first = close + frame(0x81, "one").substr(0, 3);  // close, then part of a frame
    EXPECT_EQ(feed(r, rec, first), 0);
    ASSERT_EQ(rec.events.size(), 1u);
    EXPECT_EQ(feed(r, rec, frame(0x81, "one").substr(3)), 0);
    EXPECT_EQ(rec.events.size(), 1u);
    EXPECT_EQ(r.buffered(), 0u);
}
