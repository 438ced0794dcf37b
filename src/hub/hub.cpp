#include "hub/hub.h"

#include <asio.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "api/data_api.h"
#include "api/demo_config.h"
#include "bootstrap/bootstrap_service.h"
#include "bootstrap/dns_txt_resolver.h"
#include "api/rest_api.h"
#include "data/data_service.h"
#include "data/replicator.h"
#include "config/config_loader.h"
#include "hub/access_gate.h"
#include "hub/service_notifier.h"
#include "mesh/dht_node.h"
#include "data/data_key.h"
#include "mesh/mesh_ca.h"
#include "mesh/hub_mesh.h"
#include "hub/memory_trim.h"
#include "mesh/revoked_hubs.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "net/session_hub.h"
#include "pigeonhub/peer_id.h"
#include "pigeonhub/version.h"
#include "signaling/router.h"
#include "util/clock.h"
#include "util/log.h"

namespace pigeonhub {
namespace {

// Longest wait for clients to answer the close frames (1001) before their sockets are dropped.
constexpr std::int64_t kShutdownGraceMs = 2000;
constexpr auto kTrimCheck = std::chrono::seconds(2);
// What the drain keeps of DRAIN_TIMEOUT for after the sessions: the DHT sends the withdrawals and stops
// (DhtNode::stop waits up to a second), the data store is saved.
constexpr std::int64_t kAfterSessionsMs = 1500;

// Ends the process at a deadline unless disarmed first: the bound on a drain that something holds up (a stuck DHT
// thread, a slow disk), whatever the io thread is doing. Threading: arm and disarm from one thread.
class Deadline {
public:
    ~Deadline() { disarm(); }
    void arm(std::chrono::milliseconds after) {
        thread_ = std::thread([this, after] {
            std::unique_lock lock(mutex_);
            if (done_.wait_for(lock, after, [this] { return disarmed_; })) return;
            log::warn("drain: DRAIN_TIMEOUT ({} ms) reached, exiting now (exit 1)", after.count());
            std::_Exit(1);
        });
    }
    void disarm() {
        {
            std::lock_guard lock(mutex_);
            disarmed_ = true;
        }
        done_.notify_all();
        if (thread_.joinable()) thread_.join();
    }

private:
    std::mutex mutex_;
    std::condition_variable done_;
    bool disarmed_ = false;
    std::thread thread_;
};

}  // namespace

struct Hub::Parts {
    Config config;
    asio::io_context io{1};
    // NAMESPACE_AUTH (docs/AUTH.md); made by check_settings(). Before the sessions: they tell it of departures
    // until they are gone.
    std::unique_ptr<HubAccessGate> access;
    Router router{config.signaling};
    SessionHub sessions{io, config.session, router};
    DhtNode dht{io, DhtNodeConfig{config.mesh.dht_bind, config.mesh.dht_port, config.mesh.dht_bootstrap,
                                  joins_others(config), config.bootstrap.public_network,
                                  config.mesh.dht_network, config.mesh.state_dir, config.mesh.dht_receive_buffer}};
    std::optional<RevokedHubsFile> revoked_file;
    HubMesh mesh{io,
                 config.mesh,
                 config.signaling.max_connections,
                 router,
                 sessions,
                 dht,
                 config.mesh.trust == MeshTrust::ca ? mesh_ca::verifier(config.mesh.ca_cert, nullptr) : Membership::Verifier{},
                 [this]() -> std::optional<RevokedHubs> {
                     if (!revoked_file) return std::nullopt;
                     std::string error;
                     auto list = revoked_file->poll(&error);
                     if (!error.empty()) log::error("MESH_REVOKED: {} (the previous list stays in force)", error);
                     return list;
                 }};
    HttpClient http_client{io};
    Replicator replicator{io, http_client};
    DataService data{io,
                     DataService::Options{config.mesh.app_id, config.mesh.state_dir, config.data.replication_peers, {}},
                     dht,
                     replicator,
                     [this] {
                         std::vector<std::string> urls;
                         for (const auto& h : mesh.hubs())
                             if (h.hub_id != dht.hub_id() && !h.url.empty()) urls.push_back(h.url);
                         return urls;
                     }};
    std::unique_ptr<DnsTxtResolver> dns;
    std::unique_ptr<BootstrapService> bootstrap;  // made once the data key is loaded (it signs the document)
    std::vector<bootstrap::Peer> bootstrap_candidates;  // read (and checked) once by check_settings()
    std::size_t bootstrap_cached = 0;
    HubInfo info;
    ListenerStats listener;  // written by http, read by rest
    AdmissionStats admission;  // written by http, read by rest
    RestApi rest{config, router, sessions.stats(), listener, info};
    HttpServer http;
    asio::signal_set signals{io, SIGINT, SIGTERM};
    // systemd's Type=notify: READY=1 once listening with the DHT ready (or past DHT_UNREADY_GRACE), STATUS= every 5 s,
    // WATCHDOG=1 at half of WatchdogSec.
    ServiceNotifier notifier{io,
                             ServiceNotices::Options{config.mesh.dht_unready_grace_ms, 5000,
                                                     ServiceNotifier::systemd_watchdog_usec()},
                             [this] {
                                 ServiceState s;
                                 s.listening = info.ready;
                                 s.dht_ready = dht.ready();
                                 s.dht_unready_for_ms = mesh.unready_for_ms(wall_clock_ms());
                                 s.connections = router.connections();
                                 s.peers = router.announced_peers();
                                 s.remote_peers = mesh.remote_peers();
                                 return s;
                             }};
    asio::steady_timer drain_timer{io};
    asio::steady_timer trim_timer{io};
    MemoryTrim memory_trim;

    // Every kTrimCheck: give freed heap back once a crowd has left or an output burst is written (hub/memory_trim.h).
    void arm_trim_timer() {
        trim_timer.expires_after(kTrimCheck);
        trim_timer.async_wait([this](const asio::error_code& ec) {
            if (ec || stopping) return;
            const std::uint64_t peak = sessions.take_queued_peak();
            if (memory_trim.should_trim(router.connections(), peak, sessions.stats().queued_bytes)) MemoryTrim::trim();
            arm_trim_timer();
        });
    }
    Deadline deadline;
    int exit_code = 0;
    bool stopping = false;

    explicit Parts(const Config& c)
        : config(c),
          http(io, config.http, listener, admission,
               HttpServer::Handlers{
                   with_demo_config(with_bootstrap_document(rest.routes())),
                   data_routes(data),
                   demo_mounts(c),
                   [this](asio::ip::tcp::socket socket, std::string response, std::string peer_id,
                          auth::JoinCredentials creds, std::shared_ptr<void> hold, std::string refusal) {
                       sessions.accept(std::move(socket), std::move(response), peer_id, std::move(creds), std::move(hold),
                                       refusal);
                   }}) {
        info.admission = &admission;
    }

    // NAMESPACE_AUTH: read and checked at start (exit 2 with the reason, never a secret), then wired.
    int load_access() {
        if (config.access.policy_file.empty()) return 0;
        std::string error;
        auto policy = HubAccessGate::load_policy(config.access.policy_file, &error);
        if (!policy) {
            std::fprintf(stderr, "pigeonhubd: NAMESPACE_AUTH: %s\n", error.c_str());
            return 2;
        }
        log::info("namespace access control: {} protected namespace rule(s) from {}", policy->rules().size(),
                  config.access.policy_file);
        access = std::make_unique<HubAccessGate>(io, std::move(*policy), config.access);
        access->set_resume([this](Slot slot, std::string_view announce) {
            router.on_message(slot, announce, sessions, sessions.now_ms());
        });
        router.set_access(access.get());
        sessions.set_access(access.get());
        info.access = [this] { return access->stats(); };
        return 0;
    }

    // The settings that need files, before the DHT starts: a hub issues its own identity with MESH_CA_KEY, must chain
    // to MESH_CA, and must not be revoked itself. Returns the exit code (2 with the fix on stderr), or 0.
    int check_settings() {
        const MeshOptions& m = config.mesh;
        if (!m.ca_key.empty() && !mesh_ca::has_identity(m.state_dir)) {
            std::string id;
            if (auto error = mesh_ca::issue(m.ca_key, m.ca_cert, m.state_dir, &id); !error.empty()) {
                std::fprintf(stderr, "pigeonhubd: cannot issue this hub's identity from MESH_CA_KEY=%s: %s\n",
                             m.ca_key.c_str(), error.c_str());
                return 2;
            }
            log::info("issued this hub's member identity {} from MESH_CA_KEY into {}", id, m.state_dir);
        }
        if (!m.ca_cert.empty()) {
            const std::string problem = mesh_ca::member_problem(m.ca_cert, m.state_dir);
            if (!problem.empty()) {
                std::fprintf(stderr,
                             "pigeonhubd: not a member of the mesh of MESH_CA=%s: %s\n"
                             "  issue this hub an identity: pigeonhubd --mesh-ca-issue CA_DIR --state-dir %s\n",
                             m.ca_cert.c_str(), problem.c_str(), m.state_dir.c_str());
                return 2;
            }
        }
        if (m.trust == MeshTrust::ca) {
            std::string error;
            if (!mesh_ca::verifier(m.ca_cert, &error)) {
                std::fprintf(stderr, "pigeonhubd: %s\n", error.c_str());
                return 2;
            }
        }
        {
            std::string error;
            bootstrap_candidates =
                BootstrapService::configured_candidates(bootstrap_options(), wall_clock_ms(), &error, &bootstrap_cached);
            if (!error.empty()) {
                std::fprintf(stderr, "pigeonhubd: %s\n", error.c_str());
                return 2;
            }
        }
        if (!m.revoked_file.empty()) {
            revoked_file.emplace(m.revoked_file);
            std::string error;
            auto list = revoked_file->poll(&error);
            if (!list) {
                std::fprintf(stderr, "pigeonhubd: MESH_REVOKED: %s\n", error.c_str());
                return 2;
            }
            revoked_file.emplace(m.revoked_file);  // read again by the mesh at start
            const std::string self = mesh_ca::hub_id_of(m.state_dir);
            if (!self.empty() && list->count(self)) {
                std::fprintf(stderr, "pigeonhubd: this hub (%s) is listed in MESH_REVOKED=%s: it is no longer a hub "
                                     "of this mesh\n", self.c_str(), m.revoked_file.c_str());
                return 2;
            }
        }
        return 0;
    }

    // The demo page and the JavaScript client at /demo/ (DEMO=on), and what the page asks for at start
    // (/demo/config.json: DEMO_ICE_SERVERS, checked by load_config).
    static std::vector<StaticMount> demo_mounts(const Config& c) {
        if (!c.http.demo) return {};
        return {StaticMount{"/demo", &demo_files}};
    }
    std::vector<RestRoute> with_demo_config(std::vector<RestRoute> routes) const {
        if (!config.http.demo) return routes;
        auto servers = parse_ice_servers(config.http.demo_ice_servers, nullptr).value_or(std::vector<IceServer>{});
        routes.push_back({"/demo/config.json", [servers = std::move(servers)](std::string_view, std::int64_t) {
                              return demo_config_reply(servers);
                          }});
        return routes;
    }

    // The REST routes and GET /.well-known/pigeonhub-bootstrap (this hub's signed bootstrap document).
    std::vector<RestRoute> with_bootstrap_document(std::vector<RestRoute> routes) {
        routes.push_back({"/.well-known/pigeonhub-bootstrap", [this](std::string_view, std::int64_t) {
                              HttpReply r;
                              if (!bootstrap) {
                                  r.status = 503;
                                  r.body = R"({"error":"starting"})";
                              } else {
                                  r.body = bootstrap->document();
                              }
                              return r;
                          }});
        return routes;
    }

    BootstrapService::Options bootstrap_options() const { return BootstrapService::options_of(config); }

    // The drain (README "Drain"): /health answers 503 at once and the process exits within DRAIN_TIMEOUT whatever
    // happens; after DRAIN_DELAY (serving as usual meanwhile) the hub stops accepting, withdraws its presence
    // pages and hub record from the DHT, closes every client with 1001, and stops.
    void stop(int code) {
        if (stopping) return;
        stopping = true;
        exit_code = code;
        notifier.stop();  // STOPPING=1 first: systemd then waits for the exit (the watchdog is still fed)
        info.draining = true;
        deadline.arm(std::chrono::milliseconds(config.drain.timeout_ms));
        if (config.drain.delay_ms == 0) return drain();
        log::info("draining: /health answers 503; serving {} ms more (DRAIN_DELAY)", config.drain.delay_ms);
        drain_timer.expires_after(std::chrono::milliseconds(config.drain.delay_ms));
        drain_timer.async_wait([this](const asio::error_code& ec) {
            if (!ec) drain();
        });
    }

    void drain() {
        info.ready = false;
        http.close();  // no new connections
        if (bootstrap) bootstrap->stop();
        mesh.stop();  // withdraw our presence pages and hub record while the DHT still runs
        data.stop();  // saves the data store
        const std::int64_t left =
            static_cast<std::int64_t>(config.drain.timeout_ms) - config.drain.delay_ms - kAfterSessionsMs;
        const std::int64_t grace = std::clamp<std::int64_t>(left, 100, kShutdownGraceMs);
        log::info("draining: closing {} client(s) with 1001 (up to {} ms)", router.connections(), grace);
        sessions.shutdown(grace, [this] {
            signals.cancel();
            io.stop();
        });
    }
};

Hub::Hub(const Config& config) : parts_(std::make_unique<Parts>(config)) {}

Hub::~Hub() = default;

int Hub::run() {
    Parts& p = *parts_;
    p.info.started_at_ms = wall_clock_ms();
    if (const int code = p.check_settings(); code != 0) return code;
    if (const int code = p.load_access(); code != 0) return code;
    try {
        p.dht.start();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pigeonhubd: %s\n", e.what());
        return 1;
    }
    p.info.node_id = p.dht.hub_id();
    try {
        p.data.start();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pigeonhubd: %s\n", e.what());
        p.dht.stop();
        return 1;
    }
    try {
        // The key the data service signs with (loaded, or made, just above) also signs the presence pages.
        p.mesh.start(data::load_or_create_data_key(p.config.mesh.state_dir));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pigeonhubd: %s\n", e.what());
        p.dht.stop();
        return 1;
    }
    p.router.set_mesh(&p.mesh);
    if (!p.config.bootstrap.dns.empty()) p.dns = std::make_unique<DnsTxtResolver>(p.io, p.config.bootstrap.dns_server);
    p.bootstrap = std::make_unique<BootstrapService>(
        p.io, p.bootstrap_options(),
        BootstrapService::Parts{p.dht, p.http_client, p.dns.get(), p.data.key(), [&p] { return p.mesh.hubs(); },
                                [&p](const std::string& hub) { return p.mesh.is_member(hub); },
                                [&p] { return p.dht.bound_port(); }});
    p.bootstrap->start(std::move(p.bootstrap_candidates), p.bootstrap_cached);
    p.info.bootstrap = [&p] { return p.bootstrap->stats(); };
    p.info.mesh = [&p] {
        MeshStatus s;
        s.ready = p.dht.ready();
        s.node_id = p.dht.node_id();
        s.hub_id = p.dht.hub_id();
        s.good_nodes = p.dht.good_nodes();
        s.dht_port = p.dht.bound_port();
        s.unready_for_ms = p.mesh.unready_for_ms(wall_clock_ms());
        s.remote_peers = p.mesh.remote_peers();
        s.dht_traffic = p.dht.traffic();
        s.values_announced = p.dht.values_announced();
        s.presence_pages = p.mesh.presence_pages();
        const DhtNode::OpStats ops = p.dht.op_stats();
        s.dht_puts = ops.puts;
        s.dht_put_failures = ops.put_failures;
        s.dht_gets = ops.gets;
        s.dht_get_failures = ops.get_failures;
        s.dht_listens = ops.listens;
        s.dht_listens_active = ops.listens_active;
        s.dht_listen_keys = ops.listen_keys;
        s.hubs = p.mesh.hubs();
        s.stats = p.mesh.stats();
        return s;
    };
    p.info.data = [&p] { return DataStatus{p.data.stats(), p.replicator.stats(), p.replicator.pending()}; };
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
            log::info("pigeonhubd {} listening on {}:{} (hub id {}, DHT {}:{}, {} bootstrap node(s), mesh trust {}, env {}, "
                      "discovery {})",
                      version(), p.config.http.host, port, p.info.node_id, p.config.mesh.dht_bind, p.dht.bound_port(),
                      p.config.mesh.dht_bootstrap.size(), mesh_trust_name(p.config.mesh.trust), p.config.environment,
                      p.config.signaling.discovery == DiscoveryMode::all ? "all" : "bounded");
        },
        [&p](std::string message) {
            std::fprintf(stderr, "pigeonhubd: cannot listen: %s\n", message.c_str());
            p.exit_code = 1;
            p.stopping = true;
            p.signals.cancel();
            p.io.stop();
        });
    p.notifier.start();
    p.arm_trim_timer();
    p.io.run();
    p.notifier.stop();
    p.router.set_mesh(nullptr);
    p.dht.stop();
    p.deadline.disarm();
    return p.exit_code;
}

}  // namespace pigeonhub
