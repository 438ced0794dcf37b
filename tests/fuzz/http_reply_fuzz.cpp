// Fuzz target: arbitrary bytes, after one of a few reply heads and split into arbitrary chunks, into
// HttpReplyParser. Asserts the buffering bounds and that a finished parse stays finished.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "net/http_wire.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using P = pigeonhub::HttpReplyParser;
    if (size < 1) return 0;
    // Heads that random bytes would almost never spell, so that the body framings get exercised too.
    static const char* const kHeads[] = {"",
                                         "HTTP/1.1 200 OK\r\n",
                                         "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                                         "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
                                         "HTTP/1.1 100 Continue\r\n\r\n",
                                         "HTTP/1.0 503 x\r\n\r\n"};
    const std::size_t chunk = 1 + data[0] % 97;
    std::string input = kHeads[(data[0] >> 4) % (sizeof kHeads / sizeof kHeads[0])];
    input.append(reinterpret_cast<const char*>(data + 1), size - 1);
    P parser;
    for (std::size_t pos = 0; pos < input.size(); pos += chunk) {
        const std::size_t n = std::min(chunk, input.size() - pos);
        const P::State s = parser.feed(std::string_view(input).substr(pos, n));
        if (parser.buffered() > P::kMaxHead || parser.body().size() > P::kMaxBody) std::abort();
        if (s != P::State::partial) {
            const std::string body = parser.body();
            if (parser.feed("more bytes\r\n\r\n") != s || parser.end_of_stream() != s || parser.body() != body)
                std::abort();
            return 0;
        }
    }
    const P::State s = parser.end_of_stream();
    if (s == P::State::partial) std::abort();
    if (s == P::State::done && (parser.status() < 200 || parser.status() > 599)) std::abort();
    if (s == P::State::failed && parser.error().empty()) std::abort();
    return 0;
}
