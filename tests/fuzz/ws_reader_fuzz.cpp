// Fuzz target: arbitrary bytes, split into arbitrary chunks, into WsReader. Asserts the buffering bound.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "net/ws_frame.h"

namespace {
class NullSink : public pigeonhub::WsSink {
public:
    bool on_message(std::string_view, bool) override { return true; }
    bool on_ping(std::string_view) override { return true; }
    bool on_pong(std::string_view) override { return true; }
    bool on_close(std::uint16_t, std::string_view) override { return false; }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t chunk = 1 + data[0] % 97;
    constexpr std::size_t kMax = 1024;
    pigeonhub::WsReader reader(kMax);
    NullSink sink;
    std::string buf(reinterpret_cast<const char*>(data + 1), size - 1);
    for (std::size_t pos = 0; pos < buf.size(); pos += chunk) {
        std::size_t n = std::min(chunk, buf.size() - pos);
        if (reader.feed(buf.data() + pos, n, sink) != 0) break;
        // At most one reassembled message plus one incomplete frame (a control frame is at most 131 bytes).
        if (reader.buffered() > kMax + 131) std::abort();
    }
    return 0;
}
