#include "net/http_server.h"

#include <restinio/all.hpp>

#include "net/ws_handshake.h"
#include "util/log.h"

namespace pigeonhub {
namespace {

struct HubTraits : public restinio::default_single_thread_traits_t {
    using request_handler_t = restinio::default_request_handler_t;
};

using Server = restinio::http_server_t<HubTraits>;

const char* reason_phrase(int status) {
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 426: return "Upgrade Required";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

}  // namespace

struct HttpServer::Impl {
    asio::io_context& io;
    Config config;
    Handlers handlers;
    std::unique_ptr<Server> server;
    std::uint16_t bound_port = 0;
    bool closed = false;

    Impl(asio::io_context& io_, const Config& c, Handlers h) : io(io_), config(c), handlers(std::move(h)) {}

    restinio::request_handling_status_t reply(const restinio::request_handle_t& req, const HttpReply& r) {
        auto resp = req->create_response(
            restinio::http_status_line_t{restinio::http_status_code_t{static_cast<std::uint16_t>(r.status)},
                                         reason_phrase(r.status)});
        resp.append_header("Access-Control-Allow-Origin", config.cors_origin);
        if (!r.content_type.empty()) resp.append_header(restinio::http_field::content_type, r.content_type);
        for (const auto& [k, v] : r.headers) resp.append_header(k, v);
        if (req->header().method() != restinio::http_method_head()) resp.set_body(r.body);
        return resp.done();
    }

    restinio::request_handling_status_t bad_request(const restinio::request_handle_t& req, std::string_view why) {
        HttpReply r;
        r.status = 400;
        r.body = std::string(R"({"error":")") + std::string(why) + "\"}";
        auto resp = req->create_response(restinio::status_bad_request());
        resp.append_header("Access-Control-Allow-Origin", config.cors_origin);
        resp.append_header(restinio::http_field::content_type, "application/json");
        resp.connection_close();
        resp.set_body(r.body);
        return resp.done();
    }

    restinio::request_handling_status_t handle(const restinio::request_handle_t& req) {
        const auto& h = req->header();
        if (h.connection() == restinio::http_connection_header_t::upgrade) return upgrade(req);
        if (h.method() == restinio::http_method_options()) {
            auto resp = req->create_response(restinio::status_no_content());
            resp.append_header("Access-Control-Allow-Origin", config.cors_origin);
            resp.append_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            resp.append_header("Access-Control-Allow-Headers", "Content-Type, Authorization");
            resp.append_header("Access-Control-Max-Age", "86400");
            return resp.done();
        }
        HttpReply r = handlers.rest(h.method().c_str(), h.request_target());
        return reply(req, r);
    }

    restinio::request_handling_status_t upgrade(const restinio::request_handle_t& req) {
        const auto& h = req->header();
        if (h.method() != restinio::http_method_get()) return bad_request(req, "WebSocket upgrade needs GET");
        if (!header_has_token(h.get_field_or(restinio::http_field::upgrade, ""), "websocket"))
            return bad_request(req, "Only WebSocket upgrades are supported");
        if (h.get_field_or("Sec-WebSocket-Version", "") != "13")
            return bad_request(req, "Sec-WebSocket-Version must be 13");
        const std::string key = h.get_field_or("Sec-WebSocket-Key", "");
        if (!is_valid_websocket_key(key)) return bad_request(req, "Invalid Sec-WebSocket-Key");

        std::string peer_id = query_param(h.request_target(), "peerId").value_or("");

        // Take the socket out of RESTinio (as restinio::websocket::basic::upgrade does), but run our own
        // WebSocket implementation on it: RESTinio 0.6's reader has no size limit (see README, design).
        auto conn = std::move(restinio::impl::access_req_connection(*req));
        if (!conn) return restinio::request_rejected();
        auto& http_conn = dynamic_cast<restinio::impl::connection_t<HubTraits>&>(*conn);
        auto internals = http_conn.move_upgrade_internals();
        handlers.upgrade(std::move(internals.m_socket), switching_protocols_response(websocket_accept(key)),
                         std::move(peer_id));
        return restinio::request_accepted();
    }
};

HttpServer::HttpServer(asio::io_context& io, const Config& config, Handlers handlers)
    : impl_(std::make_unique<Impl>(io, config, std::move(handlers))) {}

HttpServer::~HttpServer() { close(); }

void HttpServer::open(std::function<void(std::uint16_t)> on_open, std::function<void(std::string)> on_error) {
    Impl* impl = impl_.get();
    asio::error_code ec;
    auto address = asio::ip::make_address(impl->config.host, ec);
    if (ec) {
        // A host name (e.g. "localhost"): resolve it once, at startup.
        asio::ip::tcp::resolver resolver(impl->io);
        auto results = resolver.resolve(impl->config.host, "", ec);
        if (ec || results.empty()) {
            on_error(impl->config.host + ": cannot resolve HOST: " + (ec ? ec.message() : "no address"));
            return;
        }
        address = results.begin()->endpoint().address();
    }
    auto settings = restinio::server_settings_t<HubTraits>{}
                        .address(address)
                        .port(impl->config.port)
                        .request_handler([impl](auto req) { return impl->handle(req); })
                        .read_next_http_message_timelimit(std::chrono::seconds(15))
                        .write_http_response_timelimit(std::chrono::seconds(10))
                        .handle_request_timeout(std::chrono::seconds(5))
                        .max_pipelined_requests(4)
                        .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                                      .max_url_size(8 * 1024)
                                                      .max_field_name_size(256)
                                                      .max_field_value_size(8 * 1024)
                                                      .max_field_count(64)
                                                      .max_body_size(64 * 1024))
                        .acceptor_post_bind_hook([impl](asio::ip::tcp::acceptor& a) {
                            impl->bound_port = a.local_endpoint().port();
                        });
    impl->server = std::make_unique<Server>(restinio::external_io_context(impl->io), std::move(settings));
    impl->server->open_async(
        [impl, on_open] { on_open(impl->bound_port); },
        [impl, on_error](std::exception_ptr ex) {
            std::string what = "unknown error";
            try {
                if (ex) std::rethrow_exception(ex);
            } catch (const std::exception& e) {
                what = e.what();
            }
            on_error(impl->config.host + ":" + std::to_string(impl->config.port) + ": " + what);
        });
}

void HttpServer::close() {
    if (!impl_ || impl_->closed || !impl_->server) return;
    impl_->closed = true;
    try {
        impl_->server->close_sync();
    } catch (const std::exception& e) {
        log::warn("closing the HTTP listener: {}", e.what());
    }
}

}  // namespace pigeonhub
