#include "hub/hub.h"

#include <asio.hpp>

#include <chrono>
#include <cstdio>

#include "api/rest_api.h"
#include "net/http_server.h"
#include "net/session_hub.h"
#include "pigeonhub/peer_id.h"
#include "pigeonhub/version.h"
#include "signaling/router.h"
#include "util/log.h"

namespace pigeonhub {
namespace {

constexpr std::int64_t kShutdownGraceMs = 2000;

std::int64_t wall_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

struct Hub::Parts {
    Config config;
    asio::io_context io{1};
    Router router{config};
    SessionHub sessions{io, config, router};
    HubInfo info;
    RestApi rest{config, router, sessions.stats(), info};
    HttpServer http;
    asio::signal_set signals{io, SIGINT, SIGTERM};
    int exit_code = 0;
    bool stopping = false;

    explicit Parts(const Config& c)
        : config(c),
          http(io, config,
               HttpServer::Handlers{
                   [this](std::string_view method, std::string_view target) {
                       return rest.handle(method, target, wall_ms());
                   },
                   [this](asio::ip::tcp::socket socket, std::string response, std::string peer_id) {
                       sessions.accept(std::move(socket), std::move(response), peer_id);
                   }}) {}

    void stop(int code) {
        if (stopping) return;
        stopping = true;
        exit_code = code;
        info.ready = false;
        http.close();
        sessions.shutdown(kShutdownGraceMs, [this] {
            signals.cancel();
            io.stop();
        });
    }
};

Hub::Hub(const Config& config) : parts_(std::make_unique<Parts>(config)) {}

Hub::~Hub() = default;

int Hub::run() {
    Parts& p = *parts_;
    p.info.node_id = generate_peer_id();
    p.info.started_at_ms = wall_ms();
    p.signals.async_wait([&p](const asio::error_code& ec, int sig) {
        if (ec) return;
        log::info("signal {}: shutting down", sig);
        p.stop(0);
    });
    p.http.open(
        [&p](std::uint16_t port) {
            p.info.port = port;
            p.info.ready = true;
            p.sessions.start();
            std::printf("%u\n", static_cast<unsigned>(port));
            std::fflush(stdout);
            log::info("pigeonhubd {} listening on {}:{} (hub id {}, env {}, discovery {})", version(), p.config.host,
                      port, p.info.node_id, p.config.environment,
                      p.config.discovery == DiscoveryMode::all ? "all" : "bounded");
        },
        [&p](std::string message) {
            std::fprintf(stderr, "pigeonhubd: cannot listen: %s\n", message.c_str());
            p.exit_code = 1;
            p.stopping = true;
            p.signals.cancel();
            p.io.stop();
        });
    p.io.run();
    return p.exit_code;
}

}  // namespace pigeonhub
