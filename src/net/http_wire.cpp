#include "net/http_wire.h"

#include <algorithm>

#include "util/text.h"

namespace pigeonhub {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string format_request(std::string_view method, const HttpUrl& url, std::string_view body) {
    std::string host = url.host.find(':') == std::string::npos ? url.host : "[" + url.host + "]";
    if (url.port != (url.https ? 443 : 80)) host += ":" + std::to_string(url.port);
    std::string out;
    out.reserve(200 + url.target.size() + host.size() + body.size());
    out += std::string(method) + " " + url.target + " HTTP/1.1\r\n";
    out += "Host: " + host + "\r\n";
    if (method == "POST") {
        out += "Content-Type: application/json\r\n";
        out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    out += "Connection: close\r\n";
    out += "User-Agent: pigeonhubd\r\n\r\n";
    out += body;
    return out;
}

HttpReplyParser::State HttpReplyParser::state() const noexcept {
    if (step_ == Step::done) return State::done;
    if (step_ == Step::failed) return State::failed;
    return State::partial;
}

void HttpReplyParser::fail(std::string why) {
    step_ = Step::failed;
    error_ = std::move(why);
    line_.clear();
}

bool HttpReplyParser::take_line(std::string_view& bytes) {
    const std::size_t nl = bytes.find('\n');
    const std::size_t n = nl == std::string_view::npos ? bytes.size() : nl + 1;
    // The head and the trailers are bounded as a whole; a chunk-size line (between body bytes) on its own.
    const bool counted = step_ == Step::status_line || step_ == Step::headers || step_ == Step::trailers;
    const std::size_t used = (counted ? head_bytes_ : 0) + line_.size();
    if (used + n > kMaxHead) {
        fail(counted ? "reply header too large" : "chunk line too long");
        return false;
    }
    line_.append(bytes.data(), n);
    if (counted) head_bytes_ += n;
    bytes.remove_prefix(n);
    return nl != std::string_view::npos;
}

HttpReplyParser::State HttpReplyParser::feed(std::string_view bytes) {
    while (!bytes.empty() && step_ != Step::done && step_ != Step::failed) {
        switch (step_) {
            case Step::length_body:
            case Step::chunk_data: {
                const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size()));
                keep(bytes.substr(0, n));
                bytes.remove_prefix(n);
                remaining_ -= n;
                if (remaining_ == 0 && step_ != Step::done) {
                    step_ = step_ == Step::length_body ? Step::done : Step::chunk_end;
                }
                break;
            }
            case Step::eof_body:
                keep(bytes);
                bytes = {};
                break;
            default:
                if (take_line(bytes)) {
                    std::string line = std::move(line_);
                    line_.clear();
                    line.pop_back();  // '\n'
                    if (!line.empty() && line.back() == '\r') line.pop_back();
                    on_line(line);
                }
                break;
        }
    }
    return state();
}

HttpReplyParser::State HttpReplyParser::end_of_stream() {
    if (step_ == Step::eof_body) step_ = Step::done;
    if (step_ == Step::done || step_ == Step::failed) return state();
    if (step_ == Step::status_line && head_bytes_ == 0)
        fail("connection closed before the reply");
    else
        fail("connection closed mid-reply");
    return state();
}

void HttpReplyParser::on_line(std::string_view line) {
    switch (step_) {
        case Step::status_line: {
            // "HTTP/1.x SSS[ reason]"
            if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || !is_digit(line[7]) || line[8] != ' ' ||
                !is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11]) ||
                (line.size() > 12 && line[12] != ' ')) {
                fail("bad status line");
                return;
            }
            status_ = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
            if (status_ < 100 || status_ > 599) {
                fail("bad status line");
                return;
            }
            step_ = Step::headers;
            return;
        }
        case Step::headers: {
            if (line.empty()) {
                end_of_head();
                return;
            }
            const std::size_t colon = line.find(':');
            std::string_view name = line.substr(0, colon);
            if (colon == std::string_view::npos || name.empty() ||
                name.find_first_of(" \t") != std::string_view::npos) {
                fail("bad header line");
                return;
            }
            on_header(name, trim(line.substr(colon + 1)));
            return;
        }
        case Step::chunk_size: {
            std::uint64_t size = 0;
            std::size_t digits = 0;
            for (char c : line) {
                const int v = hex_value(c);
                if (v < 0) break;
                if (++digits > 15) break;  // beyond 2^60: refused below
                size = size * 16 + static_cast<std::uint64_t>(v);
            }
            const std::string_view ext = trim(line.substr(std::min(digits, line.size())));
            if (digits == 0 || digits > 15 || (!ext.empty() && ext.front() != ';')) {
                fail("bad chunk size");
                return;
            }
            if (size == 0) {
                step_ = Step::trailers;
                head_bytes_ = 0;
            } else {
                remaining_ = size;
                step_ = Step::chunk_data;
            }
            return;
        }
        case Step::chunk_end:
            if (!line.empty())
                fail("bad chunk end");
            else
                step_ = Step::chunk_size;
            return;
        case Step::trailers:
            if (line.empty()) step_ = Step::done;
            return;
        default: return;
    }
}

void HttpReplyParser::on_header(std::string_view name, std::string_view value) {
    if (iequals(name, "content-length")) {
        if (value.empty() || value.size() > 18 || !std::all_of(value.begin(), value.end(), is_digit)) {
            fail("bad Content-Length");
            return;
        }
        std::uint64_t n = 0;
        for (char c : value) n = n * 10 + static_cast<std::uint64_t>(c - '0');
        if (has_length_ && n != remaining_) {
            fail("conflicting Content-Length");
            return;
        }
        has_length_ = true;
        remaining_ = n;
    } else if (iequals(name, "transfer-encoding")) {
        // Chunked only when it is the last coding; any other coding is read to the end of the connection.
        const std::size_t comma = value.rfind(',');
        chunked_ = iequals(trim(comma == std::string_view::npos ? value : value.substr(comma + 1)), "chunked");
        has_transfer_encoding_ = true;
    }
}

void HttpReplyParser::end_of_head() {
    if (status_ < 200) {  // an interim reply: the real one follows
        status_ = 0;
        chunked_ = has_length_ = has_transfer_encoding_ = false;
        remaining_ = 0;
        step_ = Step::status_line;
        return;
    }
    if (status_ == 204 || status_ == 304)
        step_ = Step::done;
    else if (chunked_)
        step_ = Step::chunk_size;
    else if (has_transfer_encoding_)
        step_ = Step::eof_body;  // Transfer-Encoding overrides Content-Length
    else if (has_length_)
        step_ = remaining_ == 0 ? Step::done : Step::length_body;
    else
        step_ = Step::eof_body;
}

void HttpReplyParser::keep(std::string_view bytes) {
    const std::size_t room = kMaxBody - body_.size();
    if (bytes.size() > room) {
        body_.append(bytes.data(), room);
        truncated_ = true;
        step_ = Step::done;
        return;
    }
    body_.append(bytes.data(), bytes.size());
}

}  // namespace pigeonhub
