// A small HTTP/1.1 client for hub-to-hub calls (POST /api/replicate, GET /.well-known/pigeonhub-bootstrap): plain http:// only (a hub reached over
// https is skipped: terminate TLS at a proxy that also listens on plain HTTP inside the mesh), one request per
// connection (Connection: close), asio on the hub's io thread. The bytes on the wire: net/http_wire.h.
//
// Bounded: at most max_in_flight requests at once (further ones wait in a queue of max_queued; beyond that a
// request fails with "queue full"), each with a deadline covering resolve, connect, send and the reply (status line
// and headers; the body is kept up to 64 KiB, and the rest is not read). The deadline starts when the request
// leaves the queue: time spent queued does not count.
// Errors (status 0): "unsupported URL", "https not supported", "queue full", "timeout", "connection refused",
// "connection closed before the reply", "cannot resolve <host>: ...", and the like.
// Destroying the client cancels what is queued or running: those callbacks are never called.
// Threading: io thread only; callbacks run on it, never inside post(). REQUIRES: the io_context outlives the client.
#pragma once

#include <asio.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace pigeonhub {

struct HttpResult {
    int status = 0;      // HTTP status, 0 when no reply came
    std::string error;   // why not, when status is 0 ("timeout", "connection refused", "https not supported", ...)
    std::string body;
};

class HttpClient {
public:
    // max_in_flight 0 is taken as 1.
    HttpClient(asio::io_context& io, std::size_t max_in_flight = 16, std::size_t max_queued = 1024);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // POSTs `body` (application/json) to `url` ("http://host[:port]/path", host a name, IPv4 or [IPv6]) and calls
    // `done` once with the reply or the reason there is none.
    void post(const std::string& url, std::string body, std::chrono::milliseconds deadline,
              std::function<void(HttpResult)> done);

    // GETs `url` (the same rules).
    void get(const std::string& url, std::chrono::milliseconds deadline, std::function<void(HttpResult)> done);

    std::size_t in_flight() const noexcept;  // requests running (resolve to reply)
    std::size_t queued() const noexcept;     // requests waiting for one of max_in_flight

private:
    void request(std::string_view method, const std::string& url, std::string body, std::chrono::milliseconds deadline,
                 std::function<void(HttpResult)> done);
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace pigeonhub
