// HTTP/1.1 as HttpClient (net/http_client.h) speaks it: the request it writes and an incremental parser for the
// reply. Pure: no I/O; unit-tested in tests/unit/http_wire_test.cpp, fuzzed by tests/fuzz/http_reply_fuzz.cpp.
//
// The reply: a status line ("HTTP/1.x SSS reason"), headers, then a body framed by Transfer-Encoding: chunked, by
// Content-Length, or by the end of the connection (no 204 or 304 body). Interim 1xx replies are skipped.
// Limits, enforced before a byte is buffered: kMaxHead bytes for the status line and headers together (interim
// replies included), as much again for the trailers of a chunked body and for any one chunk-size line; and kMaxBody
// bytes of body kept: a longer body ends the reply there (truncated()), the rest is never read.
// Threading: a plain value, owned by one request.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/url.h"

namespace pigeonhub {

// "<method> <target> HTTP/1.1" with Host, Connection: close and User-Agent: pigeonhubd; a POST also has
// Content-Type: application/json, Content-Length and `body` (a GET sends none). REQUIRES: `url` from parse_http_url
// (nothing in it needs escaping), `method` "GET" or "POST".
std::string format_request(std::string_view method, const HttpUrl& url, std::string_view body = {});

class HttpReplyParser {
public:
    static constexpr std::size_t kMaxHead = 16 * 1024;
    static constexpr std::size_t kMaxBody = 64 * 1024;

    enum class State : std::uint8_t { partial, done, failed };

    // Feeds the next bytes of the connection. Bytes after the end of the reply are ignored.
    State feed(std::string_view bytes);
    // The connection ended: a body read to the end is complete; anything else unfinished fails.
    State end_of_stream();

    State state() const noexcept;
    int status() const noexcept { return status_; }  // once the status line is read (100..599)
    const std::string& body() const noexcept { return body_; }
    bool truncated() const noexcept { return truncated_; }          // the body went on beyond kMaxBody
    const std::string& error() const noexcept { return error_; }    // why, once failed
    std::size_t buffered() const noexcept { return line_.size(); }  // bytes of an unfinished line

private:
    enum class Step : std::uint8_t {
        status_line,
        headers,
        length_body,
        eof_body,
        chunk_size,
        chunk_data,
        chunk_end,
        trailers,
        done,
        failed
    };

    // Takes bytes up to and including the next '\n' into line_; true when the line is complete.
    bool take_line(std::string_view& bytes);
    void on_line(std::string_view line);
    void on_header(std::string_view name, std::string_view value);
    void end_of_head();
    void keep(std::string_view bytes);
    void fail(std::string why);

    Step step_ = Step::status_line;
    std::string line_;
    std::size_t head_bytes_ = 0;
    int status_ = 0;
    bool chunked_ = false;
    bool has_transfer_encoding_ = false;
    bool has_length_ = false;
    std::uint64_t remaining_ = 0;  // of the Content-Length body or of the current chunk
    std::string body_;
    bool truncated_ = false;
    std::string error_;
};

}  // namespace pigeonhub
