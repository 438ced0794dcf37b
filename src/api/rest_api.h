// The REST endpoints (/health, /hubs, /signaling, /generate-peer-id, /peers, /stats, /metrics, /): request path and
// query in, status and JSON body out. No sockets: the HTTP server adapts requests to this, and unit tests
// call it directly. Runs on the hub's io thread (it reads Router and transport state without locks).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <functional>

#include "auth/access_stats.h"
#include "bootstrap/bootstrap_stats.h"
#include "data/data_stats.h"
#include "data/replicator_stats.h"
#include "mesh/mesh_status.h"
#include "api/admission_stats.h"
#include "api/listener_stats.h"
#include "api/transport_stats.h"
#include "pigeonhub/config.h"
#include "signaling/router.h"

namespace pigeonhub {

struct HttpReply {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Allow, ...)
};

// One REST route: its path and what a GET (or HEAD) of it answers, given the request target (path and query) and
// the time. The HTTP server routes requests to these (RESTinio's express router) and answers other methods
// with method_not_allowed(), other paths with not_found().
struct RestRoute {
    std::string_view path;
    std::function<HttpReply(std::string_view target, std::int64_t now_ms)> get;
};

// A route answered later (the data API: a DHT lookup, a request body): `handle(param, body, respond)` gets the
// percent-decoded rest of the path after `prefix` (for "/api/find/:topic"; empty for exact paths), the request
// body, and calls `respond` once, on the io thread, now or later.
struct AsyncRoute {
    std::string_view method;  // "GET" or "POST"
    std::string_view path;    // exact path, or `prefix` followed by one parameter
    std::string_view prefix;  // non-empty: the route takes every path that starts with it
    std::function<void(std::string param, std::string_view body, std::function<void(HttpReply)> respond)> handle;
};

// The data API's figures for /stats.
struct DataStatus {
    DataStats data;
    ReplicationStats replication;
    std::size_t replication_pending = 0;
};

// What the REST layer knows about the hub besides the router.
struct HubInfo {
    std::string node_id;          // this hub's id (40 hex)
    std::int64_t started_at_ms = 0;
    std::uint16_t port = 0;       // bound port, once listening
    bool ready = false;           // listening and not shutting down
    bool draining = false;        // SIGTERM came: /health answers 503 while the hub drains (README: Drain)
    std::function<MeshStatus()> mesh;  // the DHT mesh's state; unset for a hub without one
    std::function<DataStatus()> data;  // the data API's state; unset for a hub without one
    std::function<BootstrapStats()> bootstrap;  // the bootstrap's state; unset for a hub without one
    const AdmissionStats* admission = nullptr;  // per-address admission (net/admission.h); unset: none
    std::function<AccessStats()> access;  // namespace access control; unset without NAMESPACE_AUTH
};

class RestApi {
public:
    // A listener that has not accepted for this long (accept() failing, or paused at MAX_HTTP_CONNECTIONS) makes
    // /health answer 503; shorter stalls (one EMFILE, a burst at the bound) are not worth failing over for.
    static constexpr std::int64_t kListenerStallMs = 1000;

    RestApi(const Config& config, const Router& router, const TransportStats& transport, const ListenerStats& listener,
            const HubInfo& info);

    // The routes, named: each calls one of the methods below. REQUIRES: this object outlives them.
    std::vector<RestRoute> routes() const;
    static HttpReply not_found(std::string_view path);
    static HttpReply method_not_allowed(std::string_view path, std::string_view allowed = "GET");  // with `Allow`

    HttpReply home() const;
    HttpReply health(std::int64_t now) const;
    HttpReply hubs(std::int64_t now) const;
    HttpReply signaling(std::int64_t now) const;
    HttpReply peers(std::string_view target) const;
    HttpReply generate_peer_id() const;
    HttpReply stats(std::int64_t now) const;
    HttpReply metrics(std::int64_t now) const;  // Prometheus text format (rest_metrics.cpp)

private:
    // Why the listener is not accepting new connections, or "" if it is (or only briefly is not).
    std::string listener_problem(std::int64_t now) const;

    const Config& config_;
    const Router& router_;
    const TransportStats& transport_;
    const ListenerStats& listener_;
    const HubInfo& info_;
    mutable std::uint64_t peer_list_refused_ = 0;  // GET /peers answered 403 (PEER_LIST=off)
};

// ISO-8601 UTC with milliseconds, as JavaScript's Date.toISOString().
std::string iso_time(std::int64_t ms);

}  // namespace pigeonhub
