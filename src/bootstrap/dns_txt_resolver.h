// TXT lookups over DNS with c-ares (Debian's libc-ares-dev), driven by the hub's asio io_context: no thread of its
// own, no blocking call. It returns the raw record texts; bootstrap/dns_txt_format.h reads them.
//
// Each query gets its own c-ares channel (so a query that times out is cancelled alone: its channel is destroyed,
// nothing of it lingers). c-ares' sockets are watched with asio::posix::stream_descriptor waits and its retry timer
// with an asio::steady_timer. Queries go to the servers of /etc/resolv.conf (read again for each query), or to one
// given server (tests). c-ares resends a query after timeout/4 (at least 250 ms, at most 2 s), doubling on each round
// of the servers, until the deadline (resolv.conf's `options timeout:` and `attempts:` do not apply); answers larger
// than an EDNS UDP payload of 1232 bytes are truncated by the server and asked again over TCP.
//
// Bounded: at most max_in_flight queries run at once; further ones wait in a queue of max_queued, and beyond that a
// query fails with "busy". The deadline runs from the call to query(): time spent queued counts.
// Threading: the io thread only, and the io_context must be run by one thread (c-ares' sockets are checked for
// readiness before each wait, which is race-free only then; the hub runs one). REQUIRES: the io_context outlives
// the resolver. Destroying the resolver cancels every query: their callbacks are never called.
#pragma once

#include <asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pigeonhub {

class DnsTxtResolver {
public:
    // `server`: "" for the servers of /etc/resolv.conf; else one server "ip:port" ("127.0.0.1:5353",
    // "[::1]:5353"), an IP literal (c-ares takes no names here). A bad one makes every query fail with
    // "bad DNS server ...". max_in_flight 0 is taken as 1.
    DnsTxtResolver(asio::io_context& io, std::string server, std::size_t max_in_flight = 4,
                   std::size_t max_queued = 64);
    ~DnsTxtResolver();
    DnsTxtResolver(const DnsTxtResolver&) = delete;
    DnsTxtResolver& operator=(const DnsTxtResolver&) = delete;

    // Asks for the TXT records at `name` (class IN; no search domains are appended) and calls `done` exactly once,
    // on the io thread, never inside query(), unless the resolver is destroyed first.
    // `txt`: one string per TXT record, its character-strings concatenated, in the order of the answer.
    // `error`: "" when the server answered: records, or none when the name does not exist (NXDOMAIN) or has no
    //          TXT record (NODATA), both being an answer; else why there is no answer, and `txt` is empty:
    //          "timeout"; "busy" (the queue is full); "refused" (a closed port, or every try answered SERVFAIL,
    //          REFUSED or NOTIMP: c-ares 1.18 tells these apart from nothing); "bad name" (not a DNS name, e.g. a
    //          label over 63 bytes); "bad response"; "bad DNS server <server>: ..."; or c-ares' own message.
    void query(const std::string& name, std::chrono::milliseconds timeout,
               std::function<void(std::vector<std::string> txt, std::string error)> done);

    std::size_t in_flight() const noexcept;  // queries running
    std::size_t queued() const noexcept;     // queries waiting for one of max_in_flight

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace pigeonhub
