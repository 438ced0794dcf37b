// The HTTP server: RESTinio serves plain HTTP (REST routes, CORS) and hands every valid WebSocket upgrade
// request's socket to a callback, which runs our own guarded WebSocket implementation (WsSession) on it.
// http_server.cpp is the only translation unit that includes RESTinio.
//
// The listening socket is ours (net/listener.h: RESTinio 0.6's acceptor stops for good after one failed
// accept()); each accepted socket goes to RESTinio's connection factory, as RESTinio's own acceptor would pass it.
// Plain HTTP connections (requests, and WebSocket handshakes until the upgrade) are bounded by
// MAX_HTTP_CONNECTIONS through RESTinio's connection-count limiter: at the bound the listener stops accepting and
// new connections wait in the kernel's listen backlog until an HTTP connection ends (an idle one is closed after
// 15 s). Upgraded WebSockets leave the count: MAX_CONNECTIONS bounds them.
//
// Per client address (net/admission.h, net/client_address.h): a direct client's new connection takes a token of
// NEW_CONNECTION_RATE and one of its MAX_HTTP_PER_ADDRESS slots when it is accepted (else 429 and close, before
// RESTinio reads a byte); a WebSocket upgrade takes one of its MAX_CONNECTIONS_PER_ADDRESS slots (else 101 then
// close 1008); /generate-peer-id, /peers and /api/* take a REST_RATE token (else 429 with Retry-After). Behind a
// proxy in TRUSTED_PROXIES the proxy's connections are not counted; each request counts against the forwarded
// client (its upgrades against NEW_CONNECTION_RATE).
//
// Threading: runs on the io_context given to it, which one thread runs.
// REQUIRES: the io_context outlives this object.
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "auth/authorizer.h"
#include "api/rest_api.h"
#include "api/static_files.h"
#include "api/admission_stats.h"
#include "api/listener_stats.h"
#include "pigeonhub/config.h"

namespace pigeonhub {

class HttpServer {
public:
    struct Handlers {
        // The REST routes (GET and HEAD); other methods get 405, other paths 404.
        std::vector<RestRoute> routes;
        // Routes answered later (POST bodies, DHT lookups): the data API.
        std::vector<AsyncRoute> async_routes;
        // Files compiled into the hub, each set under its path (the demo page at /demo/): GET and HEAD.
        std::vector<StaticMount> mounts;
        // An accepted WebSocket upgrade: the socket, the 101 response to send first, the decoded peerId ("" if
        // absent), the `token` and `password` query parameters (docs/AUTH.md; "" if absent), the address's WebSocket
        // slot (released when `hold` is dropped: keep it as long as the socket), and `refusal`: when not empty, the
        // socket must be closed 1008 with it (MAX_CONNECTIONS_PER_ADDRESS).
        std::function<void(asio::ip::tcp::socket, std::string response, std::string peer_id,
                           auth::JoinCredentials creds, std::shared_ptr<void> hold, std::string refusal)>
            upgrade;
    };

    // The listener's state and counters go to `stats` (read by /health and /stats), the per-address admission's to
    // `admission`; both must outlive this object.
    HttpServer(asio::io_context& io, const HttpOptions& config, ListenerStats& stats, AdmissionStats& admission,
               Handlers handlers);
    ~HttpServer();

    // Starts listening. `on_open(port)` gets the bound port; `on_error(message)` a readable reason
    // (e.g. "127.0.0.1:3000: Address already in use"). Both run on the io thread.
    void open(std::function<void(std::uint16_t)> on_open, std::function<void(std::string)> on_error);
    // Stops accepting connections (connections already accepted carry on). Idempotent.
    void close();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pigeonhub
