#include "net/http_server.h"

#include <sys/resource.h>
#include <sys/socket.h>

#include <restinio/all.hpp>

#include <memory>
#include <vector>

#include "config/config_loader.h"
#include "net/admission.h"
#include "net/client_address.h"
#include "net/listener.h"
#include "net/ws_handshake.h"
#include "util/url.h"
#include "util/clock.h"
#include "util/log.h"

namespace pigeonhub {
namespace {

struct HubTraits : public restinio::default_single_thread_traits_t {
    using request_handler_t = restinio::default_request_handler_t;
    // Connections carry a lifetime monitor that counts them in a connection_count_limiter (MAX_HTTP_CONNECTIONS).
    static constexpr bool use_connection_count_limiter = true;
};

// A plain HTTP connection's lifetime: RESTinio's count for MAX_HTTP_CONNECTIONS, and the slot its address holds
// (MAX_HTTP_PER_ADDRESS), both given back when RESTinio destroys the connection, or at the upgrade (where RESTinio
// moves this into the upgrade internals, which http_server.cpp drops once it has the socket).
class HttpSlot;
using Limiter = restinio::connection_count_limits::connection_count_limiter_t<HubTraits::strand_t>;

}  // namespace
}  // namespace pigeonhub

template <>
struct restinio::connection_count_limit_types<pigeonhub::HubTraits> {
    using limiter_t = pigeonhub::Limiter;
    using lifetime_monitor_t = pigeonhub::HttpSlot;
};

namespace pigeonhub {
namespace {

class HttpSlot {
public:
    explicit HttpSlot(Limiter* limiter) : count_(limiter) {}
    HttpSlot(HttpSlot&& o) noexcept : count_(std::move(o.count_)), table_(o.table_), key_(o.key_) { o.table_ = nullptr; }
    HttpSlot& operator=(HttpSlot&& o) noexcept {
        if (this != &o) {
            release();
            count_ = std::move(o.count_);
            table_ = o.table_;
            key_ = o.key_;
            o.table_ = nullptr;
        }
        return *this;
    }
    ~HttpSlot() { release(); }
    // The connection holds an HTTP slot of `key` in `table` (which must outlive every connection).
    void hold(AdmissionTable* table, const AddressKey& key) {
        table_ = table;
        key_ = key;
    }

private:
    void release() noexcept {
        if (table_) table_->release_http(key_, wall_clock_ms());
        table_ = nullptr;
    }
    restinio::connection_count_limits::connection_lifetime_monitor_t<Limiter> count_;
    AdmissionTable* table_ = nullptr;
    AddressKey key_;
};

// What restinio::http_server_t<HubTraits> builds around its acceptor; we build the same around our Listener.
using ConnectionSettings = restinio::impl::connection_settings_t<HubTraits>;
using ConnectionFactory = restinio::impl::connection_factory_t<HubTraits>;
using LifetimeMonitor = HttpSlot;
using TimerManager = HubTraits::timer_manager_t;

// Keeps objects alive until the io_context is destroyed. The io_context destroys its pending handlers (and with
// them the RESTinio connections they hold) before it destroys any service, so an object kept here outlives every
// connection, even those still open when the hub stops and its HttpServer is gone.
class KeptUntilIoEnds final : public asio::execution_context::service {
public:
    using key_type = KeptUntilIoEnds;
    inline static asio::execution_context::id id;
    explicit KeptUntilIoEnds(asio::execution_context& ctx) : asio::execution_context::service(ctx) {}
    void keep(std::shared_ptr<void> p) { kept_.push_back(std::move(p)); }

private:
    void shutdown() override {}
    std::vector<std::shared_ptr<void>> kept_;
};

// MAX_HTTP_CONNECTIONS, or its default derived from the open-files limit.
std::uint32_t http_connection_bound(const HttpOptions& config) {
    if (config.max_http_connections != 0) return config.max_http_connections;
    rlimit nofile{};
    std::uint64_t limit = 1024;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0)
        limit = nofile.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<std::uint64_t>(nofile.rlim_cur);
    return default_max_http_connections(limit);
}

const char* reason_phrase(int status) {
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

// Answers a connection refused before RESTinio sees it (per-address limits) and closes it. A request that already
// arrived is read first, so that close() ends the connection with a FIN after the answer, not with a reset that
// could discard it (as the listener's shedding does).
void refuse_connection(asio::ip::tcp::socket& socket, int status, std::string_view why) {
    const std::string body = std::string(R"({"error":")") + std::string(why) + "\"}";
    const std::string response = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) +
                                 "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                                 "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body;
    const int fd = socket.native_handle();
    char sink[4096];
    [[maybe_unused]] auto r = ::recv(fd, sink, sizeof sink, MSG_DONTWAIT);
    [[maybe_unused]] auto w = ::send(fd, response.data(), response.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    asio::error_code ignored;
    socket.close(ignored);
}

constexpr std::string_view kTooManyFromAddress = "Too many connections from this address";

}  // namespace

struct HttpServer::Impl {
    struct Gate;

    asio::io_context& io;
    HttpOptions config;
    ListenerStats& stats;
    AdmissionStats& admission_stats;
    Handlers handlers;
    Listener listener;
    CidrList trusted;  // TRUSTED_PROXIES
    asio::steady_timer sweep_timer;
    std::shared_ptr<TimerManager> timers;
    std::shared_ptr<ConnectionFactory> factory;
    std::shared_ptr<Gate> gate;
    bool armed = false;  // an accept is outstanding
    bool closed = false;
    std::int64_t last_bound_log_ms = 0;
    // The REST routes. A WebSocket upgrade never reaches it: handle() takes upgrades (on any path, as the
    // reference hub does) and OPTIONS (CORS preflight, any path) first, then lets the router match the rest.
    restinio::router::express_router_t<> routes;

    Impl(asio::io_context& io_, const HttpOptions& c, ListenerStats& s, AdmissionStats& a, Handlers h)
        : io(io_), config(c), stats(s), admission_stats(a), handlers(std::move(h)), listener(io_, s), sweep_timer(io_) {
        trusted.parse(config.admission.trusted_proxies);  // checked by load_config
        for (const auto& route : handlers.routes) {
            auto answer = [this, get = route.get](const restinio::request_handle_t& req, restinio::router::route_params_t) {
                return reply(req, get(req->header().request_target(), wall_clock_ms()));
            };
            // Strict: "/health/" is not "/health" (as before the router).
            const auto exact = restinio::path2regex::options_t{}.strict(true);
            routes.http_get(route.path, exact, answer);
            routes.http_head(route.path, exact, answer);
        }
        for (const auto& route : handlers.async_routes) {
            auto answer = [this, &route](const restinio::request_handle_t& req, restinio::router::route_params_t) {
                const auto path = req->header().path();
                std::string param;
                if (!route.prefix.empty())
                    param = percent_decode(std::string_view(path.data(), path.size()).substr(route.prefix.size()));
                route.handle(std::move(param), req->body(), [this, req](HttpReply r) { reply(req, r); });
                return restinio::request_accepted();
            };
            const auto exact = restinio::path2regex::options_t{}.strict(true);
            const std::string pattern = route.prefix.empty() ? std::string(route.path) : std::string(route.prefix) + ":param(.+)";
            if (route.method == "POST") routes.http_post(pattern, exact, answer);
            else routes.http_get(pattern, exact, answer);
        }
        for (const auto& mount : handlers.mounts) {
            const auto exact = restinio::path2regex::options_t{}.strict(true);
            auto redirect = [this, &mount](const restinio::request_handle_t& req, restinio::router::route_params_t) {
                const auto query = req->header().query();
                return reply(req, mount_redirect(mount.path, std::string_view(query.data(), query.size())));
            };
            routes.http_get(std::string(mount.path), exact, redirect);
            routes.http_head(std::string(mount.path), exact, redirect);
            auto file = [this, &mount](const restinio::request_handle_t& req, restinio::router::route_params_t) {
                const auto path = req->header().path();
                const auto etags = req->header().get_field_or("If-None-Match", "");
                return reply(req, static_file_reply(*mount.files,
                                                    std::string_view(path.data(), path.size()).substr(mount.path.size() + 1),
                                                    etags));
            };
            routes.http_get(std::string(mount.path) + "/:name(.*)", exact, file);
            routes.http_head(std::string(mount.path) + "/:name(.*)", exact, file);
        }
        routes.non_matched_request_handler([this](const restinio::request_handle_t& req) {
            const auto path = req->header().path();
            const std::string_view p(path.data(), path.size());
            for (const auto& mount : handlers.mounts)
                if (p.substr(0, mount.path.size()) == mount.path &&
                    (p.size() == mount.path.size() || p[mount.path.size()] == '/'))
                    return reply(req, RestApi::method_not_allowed(p));
            for (const auto& route : handlers.routes)
                if (route.path == p) return reply(req, RestApi::method_not_allowed(route.path));
            for (const auto& route : handlers.async_routes)
                if (route.prefix.empty() ? route.path == p : p.substr(0, route.prefix.size()) == route.prefix && p.size() > route.prefix.size())
                    return reply(req, RestApi::method_not_allowed(route.path, route.method));
            return reply(req, RestApi::not_found(std::string_view(path.data(), path.size())));
        });
    }

    ~Impl();

    void accept_now() {
        armed = true;
        listener.accept([this](asio::ip::tcp::socket socket) { on_accepted(std::move(socket)); });
    }

    // Gives the socket to RESTinio, as its acceptor does (restinio/impl/acceptor.hpp,
    // do_accept_current_connection), then asks the limiter for the next one.
    void on_accepted(asio::ip::tcp::socket socket);
    // Accepts the next connection, or pauses at the bound.
    void next();
    // A connection ended while paused at the bound.
    void resume();
    // Every second: frees the per-address entries that say nothing any more.
    void arm_sweep() {
        sweep_timer.expires_after(std::chrono::seconds(1));
        sweep_timer.async_wait([this](const asio::error_code& ec) {
            if (ec || closed) return;
            admission().sweep(wall_clock_ms());
            arm_sweep();
        });
    }

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

    AdmissionTable& admission();

    // The address a request counts against: its TCP peer, or the client a trusted proxy forwarded it for.
    // `*forwarded` says which.
    AddressKey request_client(const restinio::request_handle_t& req, bool* forwarded) {
        const asio::ip::address peer = req->remote_endpoint().address();
        const char* name = config.admission.forwarded_header == ForwardedHeader::forwarded ? "Forwarded" : "X-Forwarded-For";
        std::vector<std::string_view> values;
        req->header().for_each_value_of(name, [&](const auto& v) {
            values.emplace_back(v.data(), v.size());
            return restinio::http_header_fields_t::continue_enumeration();
        });
        *forwarded = !values.empty() && trusted.contains(peer);
        if (!values.empty() && !*forwarded) ++admission_stats.forwarded_ignored;
        if (!*forwarded) return address_key(peer);
        ++admission_stats.forwarded;
        return address_key(client_address(peer, trusted, config.admission.forwarded_header, values));
    }

    // The REST routes that cost the hub something or list its peers: rate-limited per address (REST_RATE).
    static bool rate_limited_path(std::string_view p) {
        return p == "/generate-peer-id" || p == "/peers" || p.substr(0, 5) == "/api/";
    }

    restinio::request_handling_status_t too_many(const restinio::request_handle_t& req, int status, std::uint32_t retry_after_s,
                                                 std::string_view why) {
        HttpReply r;
        r.status = status;
        r.content_type = "application/json";
        r.body = std::string(R"({"error":")") + std::string(why) + "\"}";
        r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
        return reply(req, r);
    }

    restinio::request_handling_status_t handle(const restinio::request_handle_t& req) {
        const auto& h = req->header();
        if (h.connection() == restinio::http_connection_header_t::upgrade) return upgrade(req);
        if (h.method() != restinio::http_method_options()) {
            const auto path = h.path();
            if (rate_limited_path(std::string_view(path.data(), path.size()))) {
                bool forwarded = false;
                const AddressKey key = request_client(req, &forwarded);
                std::uint32_t retry = 1;
                const auto v = admission().rest_request(key, wall_clock_ms(), &retry);
                if (v == AdmissionTable::Verdict::rate)
                    return too_many(req, 429, retry, "Too many requests from this address (REST_RATE)");
                if (v == AdmissionTable::Verdict::table_full)
                    return too_many(req, 503, 1, "Too many client addresses (MAX_TRACKED_ADDRESSES)");
            }
        }
        if (h.method() == restinio::http_method_options()) {
            auto resp = req->create_response(restinio::status_no_content());
            resp.append_header("Access-Control-Allow-Origin", config.cors_origin);
            resp.append_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            resp.append_header("Access-Control-Allow-Headers", "Content-Type, Authorization");
            resp.append_header("Access-Control-Max-Age", "86400");
            return resp.done();
        }
        try {
            return routes(req);
        } catch (const std::exception& e) {
            // RESTinio's router decodes the path for its parameters and throws on escapes that are not UTF-8.
            return bad_request(req, "bad request target");
        }
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
        // Kept with the connection for protected namespaces (docs/AUTH.md): PeerPigeon 1.1.3 keeps the hub URL's
        // query and adds peerId to it.
        auth::JoinCredentials creds{query_param(h.request_target(), "token").value_or(""),
                                    query_param(h.request_target(), "password").value_or("")};

        // Per-address admission. A direct client's new connection was counted when it was accepted; a client
        // behind a trusted proxy is counted here, where its address is known.
        bool forwarded = false;
        const AddressKey client = request_client(req, &forwarded);
        const std::int64_t now = wall_clock_ms();
        if (forwarded) {
            const auto v = admission().new_connection(client, now);
            if (v == AdmissionTable::Verdict::rate)
                return too_many(req, 429, 1, "Too many new connections from this address (NEW_CONNECTION_RATE)");
            if (v == AdmissionTable::Verdict::table_full)
                return too_many(req, 503, 1, "Too many client addresses (MAX_TRACKED_ADDRESSES)");
        }
        // Over MAX_CONNECTIONS_PER_ADDRESS the socket is upgraded and closed 1008, as at MAX_CONNECTIONS: PeerPigeon
        // clients then back off and retry as they do there (an HTTP refusal is a failed handshake, which 1.1.3's
        // first connect() reports as an error to the application).
        std::shared_ptr<void> hold;
        std::string refusal;
        if (admission().acquire_ws(client, now) == AdmissionTable::Verdict::ok) {
            hold = std::shared_ptr<void>(nullptr, [table = &admission(), client](void*) {
                table->release_ws(client, wall_clock_ms());
            });
        } else {
            refusal = kTooManyFromAddress;
        }

        // Take the socket out of RESTinio (as restinio::websocket::basic::upgrade does), but run our own
        // WebSocket implementation on it: RESTinio 0.6's reader has no size limit (see README, design).
        auto conn = std::move(restinio::impl::access_req_connection(*req));
        if (!conn) return restinio::request_rejected();
        auto& http_conn = dynamic_cast<restinio::impl::connection_t<HubTraits>&>(*conn);
        auto internals = http_conn.move_upgrade_internals();
        handlers.upgrade(std::move(internals.m_socket), switching_protocols_response(websocket_accept(key)),
                         std::move(peer_id), std::move(creds), std::move(hold), std::move(refusal));
        return restinio::request_accepted();
    }
};

// RESTinio's connection-count limiter and the acceptor interface it calls back. Connections hold a raw pointer
// to the limiter (in their LifetimeMonitor) and decrement it when they die, possibly after the HttpServer is gone
// (when the io_context is destroyed): so the gate is kept until then (KeptUntilIoEnds), and forwards to the
// HttpServer only while it exists.
struct HttpServer::Impl::Gate final : restinio::connection_count_limits::impl::acceptor_callback_iface_t {
    Gate(std::size_t bound, const AdmissionOptions& options, AdmissionStats* stats)
        : limiter(this, restinio::connection_count_limits::max_parallel_connections_t{bound},
                  restinio::connection_count_limits::max_active_accepts_t{1}),
          admission(options, stats) {}

    // Below the bound: accept one connection now.
    void call_accept_now(std::size_t) noexcept override;
    // A connection ended while accepting was paused at the bound; called from RESTinio's code (a connection's
    // destructor), so the resumption is posted.
    void schedule_next_accept_attempt(std::size_t) noexcept override;

    Limiter limiter;
    // Per-address admission: kept here because connections and sessions give their slots back when they die, which
    // may be after the HttpServer is gone.
    AdmissionTable admission;
    Impl* server = nullptr;  // null once the HttpServer is gone
    asio::io_context* io = nullptr;
};

HttpServer::Impl::~Impl() {
    if (gate) {
        gate->server = nullptr;
        gate->admission.set_stats(nullptr);
    }
}

AdmissionTable& HttpServer::Impl::admission() { return gate->admission; }

void HttpServer::Impl::on_accepted(asio::ip::tcp::socket socket) {
    armed = false;
    // Counts the connection and ends the accept the limiter counted, whatever becomes of the socket.
    LifetimeMonitor monitor{&gate->limiter};
    asio::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    // Per-address admission of a direct client (a trusted proxy's clients are counted per request instead).
    if (!ec && !trusted.contains(remote.address())) {
        const AddressKey key = address_key(remote.address());
        const std::int64_t now = wall_clock_ms();
        auto v = admission().new_connection(key, now);
        if (v == AdmissionTable::Verdict::ok) v = admission().acquire_http(key, now);
        if (v == AdmissionTable::Verdict::ok) {
            monitor.hold(&admission(), key);
        } else {
            refuse_connection(socket, v == AdmissionTable::Verdict::table_full ? 503 : 429,
                              v == AdmissionTable::Verdict::rate      ? "Too many new connections from this address (NEW_CONNECTION_RATE)"
                              : v == AdmissionTable::Verdict::cap     ? "Too many HTTP connections from this address (MAX_HTTP_PER_ADDRESS)"
                                                                      : "Too many client addresses (MAX_TRACKED_ADDRESSES)");
            ec = asio::error::connection_aborted;
        }
    }
    if (!ec) {  // else the peer is already gone (or refused); the socket closes here
        try {
            factory->create_new_connection(std::move(socket), remote, std::move(monitor))->init();
        } catch (const std::exception& e) {
            log::warn("HTTP connection from {}: {}", remote.address().to_string(), e.what());
        }
    }
    next();
}

void HttpServer::Impl::next() {
    if (closed) return;
    gate->limiter.accept_next(0);  // calls accept_now() at once unless at the bound
    if (armed) return;
    const std::int64_t now = wall_clock_ms();
    ++stats.http_at_bound;
    stats.paused_at_bound = true;
    stats.paused_since_ms = now;
    if (now - last_bound_log_ms >= 1000) {
        last_bound_log_ms = now;
        log::warn("{} HTTP connections open (MAX_HTTP_CONNECTIONS): new connections wait in the listen backlog "
                  "until one ends (paused {} time(s) so far)",
                  stats.max_http_connections, stats.http_at_bound);
    }
}

void HttpServer::Impl::resume() {
    if (closed) return;
    stats.paused_at_bound = false;
    stats.paused_since_ms = 0;
    next();
}

void HttpServer::Impl::Gate::call_accept_now(std::size_t) noexcept {
    if (server) server->accept_now();
}

void HttpServer::Impl::Gate::schedule_next_accept_attempt(std::size_t) noexcept {
    if (!server) return;
    asio::post(*io, [gate = std::weak_ptr<Gate>(server->gate)] {
        if (auto g = gate.lock(); g && g->server) g->server->resume();
    });
}

HttpServer::HttpServer(asio::io_context& io, const HttpOptions& config, ListenerStats& stats,
                       AdmissionStats& admission, Handlers handlers)
    : impl_(std::make_unique<Impl>(io, config, stats, admission, std::move(handlers))) {}

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
                                                      .max_body_size(80 * 1024));  // the data API answers 413 above 64 KiB itself
    // As restinio::http_server_t's constructor and open_sync() do, with our Listener for its acceptor.
    // (ConnectionSettings takes the settings by rvalue reference but only takes out what it keeps.)
    impl->timers = settings.timer_factory()->create(impl->io);
    auto socket_options = settings.socket_options_setter();
    auto connection_settings = std::make_shared<ConnectionSettings>(
        std::move(settings), restinio::impl::create_parser_settings<HubTraits::http_methods_mapper_t>(), impl->timers);
    impl->factory = std::make_shared<ConnectionFactory>(std::move(connection_settings), std::move(socket_options));
    impl->stats.max_http_connections = http_connection_bound(impl->config);
    impl->gate = std::make_shared<Impl::Gate>(impl->stats.max_http_connections, impl->config.admission,
                                              &impl->admission_stats);
    impl->gate->server = impl;
    impl->gate->io = &impl->io;
    asio::use_service<KeptUntilIoEnds>(impl->io).keep(impl->gate);

    const std::string error = impl->listener.open(asio::ip::tcp::endpoint(address, impl->config.port));
    if (!error.empty()) {
        asio::post(impl->io, [impl, on_error, error] {
            on_error(impl->config.host + ":" + std::to_string(impl->config.port) + ": " + error);
        });
        return;
    }
    impl->timers->start();
    asio::post(impl->io, [impl, on_open] {
        on_open(impl->listener.port());
        impl->next();
        impl->arm_sweep();
    });
}

void HttpServer::close() {
    if (!impl_ || impl_->closed) return;
    impl_->closed = true;
    impl_->listener.close();
    impl_->sweep_timer.cancel();
    if (impl_->timers) impl_->timers->stop();
}

}  // namespace pigeonhub
