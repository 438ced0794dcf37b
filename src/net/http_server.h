// The HTTP listener: RESTinio serves plain HTTP (REST routes, CORS) and hands every valid WebSocket upgrade
// request's socket to a callback, which runs our own guarded WebSocket implementation (WsSession) on it.
// This is the only translation unit that includes RESTinio. Runs on the io_context given to it (one thread).
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/rest_api.h"
#include "pigeonhub/config.h"

namespace pigeonhub {

class HttpServer {
public:
    struct Handlers {
        // A REST request: method and target in, reply out.
        std::function<HttpReply(std::string_view method, std::string_view target)> rest;
        // An accepted WebSocket upgrade: the socket, the 101 response to send first, the decoded peerId ("" if
        // absent).
        std::function<void(asio::ip::tcp::socket, std::string response, std::string peer_id)> upgrade;
    };

    HttpServer(asio::io_context& io, const Config& config, Handlers handlers);
    ~HttpServer();

    // Starts listening. `on_open(port)` gets the bound port; `on_error(message)` a readable reason
    // (e.g. "127.0.0.1:3000: Address already in use"). Both run on the io thread.
    void open(std::function<void(std::uint16_t)> on_open, std::function<void(std::string)> on_error);
    // Stops accepting HTTP connections. Idempotent.
    void close();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pigeonhub
