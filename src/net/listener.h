// The listening socket of the HTTP/WebSocket port and its accept loop. It replaces RESTinio's acceptor, which
// stops accepting for good after one failed accept(): in RESTinio 0.6.16 (restinio/impl/acceptor.hpp,
// call_accept_now) the completion handler does nothing on an error, so the accept chain ends, nothing is logged,
// and the private accept_next() cannot be called from outside to restart it. One EMFILE made the hub deaf while
// it still looked alive (issue 8). So the hub owns the acceptor, as it already owns its WebSocket sockets, and
// hands each accepted socket to RESTinio's connection factory (net/http_server.cpp).
//
// Failures are retried as AcceptRetry decides (backoff on EMFILE/ENFILE/ENOBUFS/ENOMEM, at once for a connection
// that died in the backlog), logged at most once a second and counted in ListenerStats.
//
// Out of descriptors, the connections waiting in the listen backlog would get no answer at all. The listener
// keeps one spare descriptor (/dev/null) for that: it closes the spare, accepts the waiting connections one by one
// on the freed slot, answers each with a 503 ("out of file descriptors") and closes it, then opens the spare
// again (the libuv and libev trick). Clients and health probes learn at once that the hub is full.
//
// Threading: single-threaded, on the io_context given to the constructor.
// REQUIRES: the io_context outlives this object.
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "net/accept_retry.h"
#include "api/listener_stats.h"

namespace pigeonhub {

class Listener {
public:
    // Counters and state go to `stats`, which must outlive this object.
    Listener(asio::io_context& io, ListenerStats& stats);
    ~Listener();
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    // Binds and listens (port 0: any free port). Returns "" or the reason it could not.
    std::string open(const asio::ip::tcp::endpoint& endpoint);
    // The bound port, once open.
    std::uint16_t port() const noexcept { return port_; }

    // Accepts the next connection and passes it to `on_accepted`, retrying failures meanwhile. Never calls
    // `on_accepted` after close().
    // REQUIRES: open() succeeded; no accept() outstanding (call again from or after `on_accepted`).
    void accept(std::function<void(asio::ip::tcp::socket)> on_accepted);

    // Stops accepting and closes the listening socket. Idempotent.
    void close();

private:
    void arm();
    void on_error(const asio::error_code& ec);
    void shed();
    void open_spare();

    ListenerStats& stats_;
    asio::ip::tcp::acceptor acceptor_;
    asio::steady_timer retry_timer_;
    AcceptRetry retry_;
    std::function<void(asio::ip::tcp::socket)> on_accepted_;
    int spare_fd_ = -1;
    std::uint16_t port_ = 0;
    bool closed_ = false;
    // Handlers hold a weak reference: one that completes after this object is gone does nothing.
    std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace pigeonhub
