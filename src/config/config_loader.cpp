#include "config/config_loader.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "api/demo_config.h"
#include "net/client_address.h"
#include "util/log.h"

namespace pigeonhub {
namespace {

using Setter = bool (*)(Config&, std::string_view);
using Shower = std::string (*)(const Config&);

// One setting. Its default is the value a default-constructed Config holds (include/pigeonhub/config.h, written
// once there), shown by `show`; `default_doc` describes it instead where that value is a placeholder that
// load_config() or the hub resolves (an empty string, a 0 meaning "derived").
struct Option {
    const char* env;   // environment variable, or nullptr
    const char* flag;  // long flag without the leading dashes
    const char* arg;   // what the value looks like
    const char* help;
    Setter set;
    Shower show;
    const char* default_doc = nullptr;
};

// A setting that is on or off: 1, true, on / 0, false, off.
bool parse_switch(std::string_view s, bool& out) {
    if (s == "1" || s == "true" || s == "on") out = true;
    else if (s == "0" || s == "false" || s == "off") out = false;
    else return false;
    return true;
}

template <typename T>
bool parse_uint(std::string_view s, T& out, std::uint64_t min, std::uint64_t max) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || v < min || v > max) return false;
    out = static_cast<T>(v);
    return true;
}

constexpr std::uint64_t kU32 = std::numeric_limits<std::uint32_t>::max();
// The public OpenDHT network's bootstrap (PUBLIC=1): configuration only, never contacted by a test.
constexpr const char* kPublicOpenDhtBootstrap = "bootstrap.jami.net:4222";

// "a, b,,c" -> {"a", "b", "c"}.
std::vector<std::string> split_list(std::string_view v) {
    std::vector<std::string> out;
    while (!v.empty()) {
        auto comma = v.find(',');
        std::string_view item = v.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) out.emplace_back(item);
        if (comma == std::string_view::npos) break;
        v.remove_prefix(comma + 1);
    }
    return out;
}

std::string join_list(const std::vector<std::string>& items) {
    std::string s;
    for (const auto& i : items) s += (s.empty() ? "" : ",") + i;
    return s;
}

#define SHOW(field) [](const Config& c) { return std::to_string(c.field); }
#define SHOW_TEXT(field) [](const Config& c) { return std::string(c.field); }

const Option kOptions[] = {
    {"PORT", "port", "N", "TCP port for HTTP and WebSocket (0 = any free port, printed on stdout)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.http.port, 0, 65535); }, SHOW(http.port)},
    {"HOST", "host", "ADDR", "address to bind (0.0.0.0 or :: for all interfaces)",
     [](Config& c, std::string_view v) { c.http.host = v; return !v.empty(); }, SHOW_TEXT(http.host)},
    {"CORS_ORIGIN", "cors-origin", "ORIGIN", "Access-Control-Allow-Origin value",
     [](Config& c, std::string_view v) { c.http.cors_origin = v; return !v.empty(); }, SHOW_TEXT(http.cors_origin)},
    {"MAX_CONNECTIONS", "max-connections", "N", "WebSocket connections admitted, inclusive",
     [](Config& c, std::string_view v) { return parse_uint(v, c.signaling.max_connections, 1, 10000000); }, SHOW(signaling.max_connections)},
    {"MAX_HTTP_CONNECTIONS", "max-http-connections", "N",
     "plain HTTP connections open at once; at the bound new ones wait in the listen backlog",
     [](Config& c, std::string_view v) { return parse_uint(v, c.http.max_http_connections, 0, 10000000); },
     SHOW(http.max_http_connections), "0 = half of (open-files limit − 64), at least 8, at most 1024"},
    {"MAX_MESSAGE_SIZE", "max-message-size", "BYTES", "largest inbound message, inclusive",
     [](Config& c, std::string_view v) { return parse_uint(v, c.session.max_message_size, 128, 64u << 20); }, SHOW(session.max_message_size)},
    {"SIGNALING_TIMEOUT", "signaling-timeout", "MS", "close a socket that sent nothing for this long",
     [](Config& c, std::string_view v) { return parse_uint(v, c.session.signaling_timeout_ms, 100, kU32); }, SHOW(session.signaling_timeout_ms)},
    {"PING_INTERVAL", "ping-interval", "MS", "ping a socket that sent nothing for this long",
     [](Config& c, std::string_view v) { return parse_uint(v, c.session.ping_interval_ms, 50, kU32); }, SHOW(session.ping_interval_ms)},
    {"PROBE_TIMEOUT", "probe-timeout", "MS",
     "a socket holding an id that another connection asks for must answer a ping within this",
     [](Config& c, std::string_view v) { return parse_uint(v, c.session.probe_timeout_ms, 50, kU32); }, SHOW(session.probe_timeout_ms)},
    {"NODE_ENV", "env", "NAME", "environment name (production logs less)",
     [](Config& c, std::string_view v) { c.environment = v; return !v.empty(); }, SHOW_TEXT(environment)},
    {"LOG_LEVEL", "log-level", "debug|info|warn|error", "least severe level logged",
     [](Config& c, std::string_view v) { c.log.level = v; return log::parse_level(v).has_value(); },
     SHOW_TEXT(log.level), "warn when NODE_ENV=production, else info"},
    {"DRAIN_DELAY", "drain-delay", "MS",
     "after SIGTERM, keep serving this long while /health answers 503 (load balancers move first)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.drain.delay_ms, 0, 600000); }, SHOW(drain.delay_ms)},
    {"DRAIN_TIMEOUT", "drain-timeout", "MS", "after SIGTERM, exit within this whatever is left",
     [](Config& c, std::string_view v) { return parse_uint(v, c.drain.timeout_ms, 100, 600000); },
     SHOW(drain.timeout_ms)},
    {"DISCOVERY_MODE", "discovery", "all|bounded", "who learns about whom on announce",
     [](Config& c, std::string_view v) {
         if (v == "all") c.signaling.discovery = DiscoveryMode::all;
         else if (v == "bounded") c.signaling.discovery = DiscoveryMode::bounded;
         else return false;
         return true;
     },
     [](const Config& c) { return std::string(c.signaling.discovery == DiscoveryMode::all ? "all" : "bounded"); }},
    {"DISCOVERY_MAX_PEERS", "discovery-max-peers", "N", "bounded mode: cap on a client's maxPeers",
     [](Config& c, std::string_view v) { return parse_uint(v, c.signaling.discovery_max_peers, 1, 100000); }, SHOW(signaling.discovery_max_peers)},
    {"MAX_ANNOUNCE_DATA", "max-announce-data", "BYTES", "largest announce data object",
     [](Config& c, std::string_view v) { return parse_uint(v, c.signaling.max_announce_data, 2, 1u << 20); }, SHOW(signaling.max_announce_data)},
    {"MESSAGE_RATE", "message-rate", "N",
     "messages per second one socket may send, bursts of 2N; the excess is dropped (0 = no limit)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.session.message_rate, 0, 100000000); }, SHOW(session.message_rate)},
    {"ANNOUNCE_RATE", "announce-rate", "N",
     "announces per minute one connection may send, bursts of ANNOUNCE_BURST; the excess is dropped (0 = no limit)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.signaling.announce_rate, 0, 6000000); }, SHOW(signaling.announce_rate)},
    {"ANNOUNCE_BURST", "announce-burst", "N", "announces one connection may send at once",
     [](Config& c, std::string_view v) { return parse_uint(v, c.signaling.announce_burst, 1, 1000000); }, SHOW(signaling.announce_burst)},
    {"NAMESPACE_RATE", "namespace-rate", "N",
     "namespaces one connection may enter per minute (also the burst); beyond it an error, not moved (0 = no limit)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.signaling.namespace_rate, 0, 6000000); }, SHOW(signaling.namespace_rate)},
    {"MAX_PEERS_PER_NAMESPACE", "max-peers-per-namespace", "N",
     "members of one namespace on this hub, inclusive; beyond it an error, not joined (0 = no limit)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.signaling.max_peers_per_namespace, 0, 10000000); },
     SHOW(signaling.max_peers_per_namespace)},
    {"DHT_PORT", "dht-port", "N", "UDP port of the embedded OpenDHT node (0 = any free port)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.mesh.dht_port, 0, 65535); }, SHOW(mesh.dht_port)},
    {"DHT_BIND", "dht-bind", "ADDR", "IPv4 address of the DHT node",
     [](Config& c, std::string_view v) { c.mesh.dht_bind = v; return !v.empty(); }, SHOW_TEXT(mesh.dht_bind),
     "HOST if IPv4, else 0.0.0.0"},
    {"DHT_BOOTSTRAP", "dht-bootstrap", "HOST:PORT,...", "DHT nodes to join (none: a one-node DHT)",
     [](Config& c, std::string_view v) { c.mesh.dht_bootstrap = split_list(v); return true; },
     [](const Config& c) { return join_list(c.mesh.dht_bootstrap); }, "(none)"},
    {"BOOTSTRAP_PEERS", "bootstrap-peers", "URL|HOST:PORT,...",
     "hub URLs (ws, wss, http, https) or DHT nodes host:port to join the mesh through",
     [](Config& c, std::string_view v) { c.bootstrap.peers = v; return true; }, SHOW_TEXT(bootstrap.peers), "(none)"},
    {"BOOTSTRAP_FILE", "bootstrap-file", "FILE", "community list of bootstrap peers (JSON)",
     [](Config& c, std::string_view v) { c.bootstrap.file = v; return !v.empty(); }, SHOW_TEXT(bootstrap.file), "(none)"},
    {"BOOTSTRAP_DNS", "bootstrap-dns", "DOMAIN,...", "domains whose _pigeonhub-bootstrap TXT records list bootstrap peers",
     [](Config& c, std::string_view v) { c.bootstrap.dns = split_list(v); return true; },
     [](const Config& c) { return join_list(c.bootstrap.dns); }, "(none)"},
    {"DNS_SERVER", "dns-server", "HOST:PORT", "the DNS server BOOTSTRAP_DNS asks",
     [](Config& c, std::string_view v) { c.bootstrap.dns_server = v; return !v.empty(); }, SHOW_TEXT(bootstrap.dns_server),
     "the system's (/etc/resolv.conf)"},
    {"DHT_PUBLIC_ADDRESS", "dht-public-address", "HOST[:PORT]", "the DHT address other hubs dial (in this hub's bootstrap document)",
     [](Config& c, std::string_view v) { c.bootstrap.dht_public_address = v; return !v.empty(); },
     SHOW_TEXT(bootstrap.dht_public_address), "DHT_BIND:DHT_PORT unless 0.0.0.0"},
    {"DHT_BOOTSTRAP_RETRIES", "dht-bootstrap-retries", "N", "attempts per bootstrap candidate",
     [](Config& c, std::string_view v) { return parse_uint(v, c.bootstrap.retries, 1, 100); }, SHOW(bootstrap.retries)},
    {"BOOTSTRAP_HEALTH_INTERVAL", "bootstrap-health-interval", "S", "seconds between health checks of bootstrap candidates",
     [](Config& c, std::string_view v) { return parse_uint(v, c.bootstrap.health_interval_s, 1, 86400); },
     SHOW(bootstrap.health_interval_s)},
    {"BOOTSTRAP_CACHE_TTL", "bootstrap-cache-ttl", "S", "seconds a discovered peer stays in the bootstrap cache",
     [](Config& c, std::string_view v) { return parse_uint(v, c.bootstrap.cache_ttl_s, 1, 30 * 86400); },
     SHOW(bootstrap.cache_ttl_s)},
    {"BOOTSTRAP_CACHE_MAX", "bootstrap-cache-max", "N", "peers kept in the bootstrap cache",
     [](Config& c, std::string_view v) { return parse_uint(v, c.bootstrap.cache_max, 0, 10000); }, SHOW(bootstrap.cache_max)},
    {"PUBLIC", "public", "0|1", "take part in the public OpenDHT network (README: Bootstrap)",
     [](Config& c, std::string_view v) { return parse_switch(v, c.bootstrap.public_network); },
     [](const Config& c) { return std::string(c.bootstrap.public_network ? "1" : "0"); }},
    {"REPLICATION_PEERS", "replication-peers", "URL,...",
     "hub base URLs that get this hub's publishes over HTTP while its DHT is away",
     [](Config& c, std::string_view v) {
         c.data.replication_peers = split_list(v);
         for (const auto& u : c.data.replication_peers)
             if (u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0 && u.rfind("ws://", 0) != 0 &&
                 u.rfind("wss://", 0) != 0)
                 return false;
         return true;
     },
     [](const Config& c) { return join_list(c.data.replication_peers); }, "(none)"},
    {"DHT_NETWORK", "dht-network", "N", "OpenDHT network id",
     [](Config& c, std::string_view v) { return parse_uint(v, c.mesh.dht_network, 0, kU32); }, SHOW(mesh.dht_network)},
    {"DHT_RECEIVE_BUFFER", "dht-receive-buffer", "BYTES",
     "receive buffer asked for the DHT's UDP socket (0 = the kernel's default; capped by net.core.rmem_max)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.mesh.dht_receive_buffer, 0, 1u << 30); },
     SHOW(mesh.dht_receive_buffer)},
    {"APP_ID", "app-id", "NAME", "isolates meshes: every DHT key derives from it",
     [](Config& c, std::string_view v) { c.mesh.app_id = v; return !v.empty() && v.size() <= 128; }, SHOW_TEXT(mesh.app_id)},
    {"MESH_NAMESPACE_BUCKETS", "mesh-namespace-buckets", "K",
     "presence pages under one DHT key per bucket of namespaces (0: per namespace); same on every hub of a mesh",
     [](Config& c, std::string_view v) { return parse_uint(v, c.mesh.namespace_buckets, 0, 65536); },
     SHOW(mesh.namespace_buckets)},
    {"STATE_DIR", "state-dir", "DIR", "where the hub identity is kept",
     [](Config& c, std::string_view v) { c.mesh.state_dir = v; return !v.empty(); }, SHOW_TEXT(mesh.state_dir),
     "$STATE_DIRECTORY, else $XDG_DATA_HOME/pigeonhub, else ~/.local/share/pigeonhub"},
    {"DHT_UNREADY_GRACE", "dht-unready-grace", "MS",
     "/health answers 503 once the DHT has been disconnected this long",
     [](Config& c, std::string_view v) { return parse_uint(v, c.mesh.dht_unready_grace_ms, 0, kU32); }, SHOW(mesh.dht_unready_grace_ms)},
    {"MESH_TRUST", "mesh-trust", "ca|open|single", "which DHT signers count as hubs (README: Membership)",
     [](Config& c, std::string_view v) {
         if (v == "ca") c.mesh.trust = MeshTrust::ca;
         else if (v == "open") c.mesh.trust = MeshTrust::open;
         else if (v == "single") c.mesh.trust = MeshTrust::single;
         else return false;
         return true;
     },
     [](const Config& c) { return std::string(mesh_trust_name(c.mesh.trust)); },
     "ca when DHT_BOOTSTRAP or MESH_CA is set, else single"},
    {"MESH_CA", "mesh-ca", "FILE", "the mesh CA certificate: only hubs whose identity chains to it count",
     [](Config& c, std::string_view v) { c.mesh.ca_cert = v; return !v.empty(); }, SHOW_TEXT(mesh.ca_cert), "(none)"},
    {"MESH_CA_KEY", "mesh-ca-key", "FILE", "the mesh CA key: issue this hub's identity at first start (local meshes)",
     [](Config& c, std::string_view v) { c.mesh.ca_key = v; return !v.empty(); }, SHOW_TEXT(mesh.ca_key), "(none)"},
    {"MESH_REVOKED", "mesh-revoked", "FILE", "revoked hub ids, one per line; re-read when it changes",
     [](Config& c, std::string_view v) { c.mesh.revoked_file = v; return !v.empty(); }, SHOW_TEXT(mesh.revoked_file),
     "(none)"},
    {"MESH_PAGE_RATE", "mesh-page-rate", "N",
     "presence pages per second taken from one member hub, bursts of 2N; over it a page's newest edit waits (0 = no limit)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.mesh.page_rate, 0, 100000000); }, SHOW(mesh.page_rate)},
    {"MESH_SIGNAL_RATE", "mesh-signal-rate", "N",
     "sealed signals per second taken from one member hub, bursts of 2N; the excess is dropped (0 = no limit)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.mesh.signal_rate, 0, 100000000); }, SHOW(mesh.signal_rate)},
    {"PUBLIC_URL", "public-url", "URL", "how clients reach this hub, published in /hubs",
     [](Config& c, std::string_view v) { c.mesh.public_url = v; return true; }, SHOW_TEXT(mesh.public_url), "(empty)"},
    {"REGION", "region", "TEXT", "region published in /hubs",
     [](Config& c, std::string_view v) { c.mesh.region = v; return true; }, SHOW_TEXT(mesh.region), "(empty)"},
    {"MAX_SEND_QUEUE", "max-send-queue", "BYTES",
     "bytes queued to one slow socket before it is closed",
     [](Config& c, std::string_view v) { return parse_uint(v, c.session.max_send_queue, 4096, 1u << 30); }, SHOW(session.max_send_queue)},
    {"MAX_OUTPUT_BUFFER", "max-output-buffer", "BYTES",
     "bytes queued to all sockets together: over it the hub stops reading until its writes catch up",
     [](Config& c, std::string_view v) { return parse_uint(v, c.session.max_output_buffer, 65536, 1u << 31); },
     SHOW(session.max_output_buffer)},
    {"MAX_CONNECTIONS_PER_ADDRESS", "max-connections-per-address", "N",
     "WebSockets open from one client address (IPv4, or IPv6 /64); the next is closed 1008 (0 = no limit)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.http.admission.max_ws_per_address, 0, 10000000); },
     SHOW(http.admission.max_ws_per_address)},
    {"MAX_HTTP_PER_ADDRESS", "max-http-per-address", "N",
     "plain HTTP connections open from one client address; the next is answered 429 (0 = no limit)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.http.admission.max_http_per_address, 0, 10000000); },
     SHOW(http.admission.max_http_per_address)},
    {"NEW_CONNECTION_RATE", "new-connection-rate", "N",
     "new connections per second from one client address, bursts of NEW_CONNECTION_BURST; above, 429 (0 = no limit)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.http.admission.new_connection_rate, 0, 10000000); },
     SHOW(http.admission.new_connection_rate)},
    {"NEW_CONNECTION_BURST", "new-connection-burst", "N", "new connections one client address may open at once",
     [](Config& c, std::string_view v) { return parse_uint(v, c.http.admission.new_connection_burst, 1, 10000000); },
     SHOW(http.admission.new_connection_burst)},
    {"REST_RATE", "rest-rate", "N",
     "requests per second from one client address to /generate-peer-id, /peers and /api/*; above, 429 (0 = no limit)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.http.admission.rest_rate, 0, 10000000); },
     SHOW(http.admission.rest_rate)},
    {"REST_BURST", "rest-burst", "N", "REST requests one client address may make at once",
     [](Config& c, std::string_view v) { return parse_uint(v, c.http.admission.rest_burst, 1, 10000000); },
     SHOW(http.admission.rest_burst)},
    {"MAX_TRACKED_ADDRESSES", "max-tracked-addresses", "N", "client addresses remembered at once by the per-address limits",
     [](Config& c, std::string_view v) { return parse_uint(v, c.http.admission.max_tracked_addresses, 16, 100000000); },
     SHOW(http.admission.max_tracked_addresses)},
    {"TRUSTED_PROXIES", "trusted-proxies", "ADDR[/BITS],...",
     "proxies whose FORWARDED_HEADER is believed: the per-address limits then count the forwarded client",
     [](Config& c, std::string_view v) {
         c.http.admission.trusted_proxies = v;
         return CidrList().parse(v).empty();
     },
     SHOW_TEXT(http.admission.trusted_proxies), "(none)"},
    {"FORWARDED_HEADER", "forwarded-header", "x-forwarded-for|forwarded", "the header trusted proxies write",
     [](Config& c, std::string_view v) {
         if (v == "x-forwarded-for") c.http.admission.forwarded_header = ForwardedHeader::x_forwarded_for;
         else if (v == "forwarded") c.http.admission.forwarded_header = ForwardedHeader::forwarded;
         else return false;
         return true;
     },
     [](const Config& c) {
         return std::string(c.http.admission.forwarded_header == ForwardedHeader::forwarded ? "forwarded"
                                                                                            : "x-forwarded-for");
     }},
    {"PEER_LIST", "peer-list", "full|counts|off", "what GET /peers shows: the peer ids, their number only, or 403",
     [](Config& c, std::string_view v) {
         if (v == "full") c.http.peer_list = PeerList::full;
         else if (v == "counts") c.http.peer_list = PeerList::counts;
         else if (v == "off") c.http.peer_list = PeerList::off;
         else return false;
         return true;
     },
     [](const Config& c) {
         return std::string(c.http.peer_list == PeerList::full ? "full" : c.http.peer_list == PeerList::counts ? "counts" : "off");
     }},
    {"DEMO", "demo", "on|off", "serve the demo page and the JavaScript client at /demo/ (compiled into the hub)",
     [](Config& c, std::string_view v) { return parse_switch(v, c.http.demo); },
     [](const Config& c) { return std::string(c.http.demo ? "on" : "off"); }},
    {"DEMO_ICE_SERVERS", "demo-ice-servers", "URLS",
     "comma list of stun:/turn: URLs (turn:USER:PASSWORD@host:port) for the demo page's WebRTC connections",
     [](Config& c, std::string_view v) {
         c.http.demo_ice_servers = v;
         return parse_ice_servers(v, nullptr).has_value();
     },
     SHOW_TEXT(http.demo_ice_servers), "(none)"},
    {"NAMESPACE_AUTH", "namespace-auth", "FILE",
     "protected namespaces and their issuer keys, HMAC secrets, argon2id hashes (docs/AUTH.md)",
     [](Config& c, std::string_view v) { c.access.policy_file = v; return !v.empty(); }, SHOW_TEXT(access.policy_file),
     "(none: every namespace open)"},
    {"AUTH_MAX_VERIFICATIONS", "auth-max-verifications", "N",
     "argon2id password checks at once (worker threads); an announce needing one more gets an error",
     [](Config& c, std::string_view v) { return parse_uint(v, c.access.max_verifications, 1, 64); },
     SHOW(access.max_verifications)},
    {"AUTH_CACHE_SIZE", "auth-cache-size", "N", "password check results remembered (oldest forgotten first)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.access.cache_size, 1, 1000000); },
     SHOW(access.cache_size)},
};

#undef SHOW
#undef SHOW_TEXT

std::string default_text(const Option& o) { return o.default_doc ? o.default_doc : o.show(Config{}); }

const Option* find_flag(std::string_view name) {
    for (const auto& o : kOptions)
        if (name == o.flag) return &o;
    return nullptr;
}

// Why the membership settings cannot work together, or "".
std::string mesh_trust_problem(const MeshOptions& m, bool joins) {
    if (m.trust == MeshTrust::single && joins)
        return "MESH_TRUST=single runs a hub alone, but a bootstrap is set (DHT_BOOTSTRAP, BOOTSTRAP_PEERS, "
               "BOOTSTRAP_FILE, BOOTSTRAP_DNS or PUBLIC): remove it, or join a mesh with MESH_TRUST=ca (and MESH_CA) "
               "or MESH_TRUST=open";
    if (m.trust == MeshTrust::ca && m.ca_cert.empty())
        return "this hub joins other DHT nodes, and only hubs admitted by a mesh CA count (MESH_TRUST=ca), but MESH_CA "
               "is not set. Either give it the mesh CA: pigeonhubd --mesh-ca-init CA_DIR once, then MESH_CA=CA_DIR/ca.crt "
               "and an identity from pigeonhubd --mesh-ca-issue CA_DIR --state-dir STATE_DIR (or MESH_CA_KEY=CA_DIR/ca.pem); "
               "or let any DHT node count as a hub: MESH_TRUST=open (README: Membership)";
    if (!m.ca_key.empty() && m.ca_cert.empty()) return "MESH_CA_KEY needs MESH_CA (the certificate beside the key)";
    return {};
}

ConfigLoadResult fail(std::string msg) {
    ConfigLoadResult r;
    r.action = ConfigLoadResult::Action::error;
    r.message = std::move(msg);
    return r;
}

}  // namespace

ConfigLoadResult load_config(int argc, const char* const* argv, const EnvLookup& env) {
    ConfigLoadResult result;
    Config& c = result.config;
    bool trust_given = false;
    if (env) {
        for (const auto& o : kOptions) {
            if (!o.env) continue;
            const char* v = env(o.env);
            if (!v) continue;
            if (!o.set(c, v))
                return fail(std::string("invalid value for ") + o.env + ": '" + v + "'");
            trust_given = trust_given || std::string_view(o.env) == "MESH_TRUST";
        }
    }
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "-h" || a == "--help") {
            result.action = ConfigLoadResult::Action::help;
            result.message = config_usage();
            return result;
        }
        if (a == "-V" || a == "--version") {
            result.action = ConfigLoadResult::Action::version;
            return result;
        }
        if (a == "--mesh-ca-init" || a == "--mesh-ca-issue") {
            // Commands, not settings: make a mesh CA in DIR, or issue a hub identity from it into --state-dir.
            if (i + 1 >= argc) return fail(std::string(a) + " needs a directory");
            result.action = a == "--mesh-ca-init" ? ConfigLoadResult::Action::mesh_ca_init
                                                  : ConfigLoadResult::Action::mesh_ca_issue;
            result.ca_dir = argv[++i];
            continue;
        }
        if (a == "--make-token" || a == "--make-issuer-key" || a == "--key" || a == "--expires-in") {
            // Access-control commands and their arguments (docs/AUTH.md), not settings.
            if (i + 1 >= argc) return fail(std::string(a) + " needs a value");
            const std::string_view v = argv[++i];
            if (a == "--make-token") {
                result.action = ConfigLoadResult::Action::make_token;
                result.token.ns = v;
            } else if (a == "--make-issuer-key") {
                result.action = ConfigLoadResult::Action::make_issuer_key;
                result.token.out_file = v;
            } else if (a == "--key") {
                result.token.key_file = v;
            } else if (!parse_uint(v, result.token.expires_in_s, 1, 100ull * 365 * 86400)) {
                return fail("invalid value for --expires-in: '" + std::string(v) + "' (seconds)");
            }
            continue;
        }
        if (a == "--make-hmac-secret" || a == "--make-password-hash") {
            result.action = a == "--make-hmac-secret" ? ConfigLoadResult::Action::make_hmac_secret
                                                      : ConfigLoadResult::Action::make_password_hash;
            continue;
        }
        if (a == "--public") {  // a switch: PUBLIC=1
            c.bootstrap.public_network = true;
            continue;
        }
        if (a == "--print-bootstrap") {
            result.action = ConfigLoadResult::Action::print_bootstrap;
            continue;
        }
        if (a == "--json") {
            result.json = true;
            continue;
        }
        if (a.substr(0, 2) != "--") return fail("unexpected argument '" + std::string(a) + "' (see --help)");
        a.remove_prefix(2);
        std::string_view name = a, value;
        bool has_value = false;
        if (auto eq = a.find('='); eq != std::string_view::npos) {
            name = a.substr(0, eq);
            value = a.substr(eq + 1);
            has_value = true;
        }
        const Option* o = find_flag(name);
        if (!o) return fail("unknown option '--" + std::string(name) + "' (see --help)");
        if (!has_value) {
            if (i + 1 >= argc) return fail("option '--" + std::string(name) + "' needs a value");
            value = argv[++i];
        }
        if (!o->set(c, value))
            return fail("invalid value for --" + std::string(name) + ": '" + std::string(value) + "'");
        trust_given = trust_given || name == "mesh-trust";
    }
    if (c.mesh.state_dir.empty() && env) {
        if (const char* sd = env("STATE_DIRECTORY"); sd && *sd) {
            std::string_view first = sd;  // systemd may list several, colon-separated
            c.mesh.state_dir = first.substr(0, first.find(':'));
        } else if (const char* xdg = env("XDG_DATA_HOME"); xdg && *xdg) {
            c.mesh.state_dir = std::string(xdg) + "/pigeonhub";
        } else if (const char* home = env("HOME"); home && *home) {
            c.mesh.state_dir = std::string(home) + "/.local/share/pigeonhub";
        }
    }
    if (c.mesh.state_dir.empty()) return fail("no state directory: set STATE_DIR (or HOME)");
    // systemd sets JOURNAL_STREAM when stderr goes to the journal.
    if (env)
        if (const char* js = env("JOURNAL_STREAM"); js && *js) c.log.journal = true;
    if (c.mesh.dht_bind.empty()) {
        const bool ipv4 = !c.http.host.empty() && c.http.host.find_first_not_of("0123456789.") == std::string::npos;
        c.mesh.dht_bind = ipv4 ? c.http.host : (c.http.host == "localhost" ? "127.0.0.1" : "0.0.0.0");
    }
    // A participant of the public OpenDHT network joins it through its well-known bootstrap unless told otherwise
    // (DHT_NETWORK stays what it is: 0 unless set).
    if (c.bootstrap.public_network && c.mesh.dht_bootstrap.empty() && c.bootstrap.peers.empty())
        c.mesh.dht_bootstrap.push_back(kPublicOpenDhtBootstrap);
    const bool joins = joins_others(c);
    if (!trust_given) c.mesh.trust = joins || !c.mesh.ca_cert.empty() ? MeshTrust::ca : MeshTrust::single;
    if (result.action == ConfigLoadResult::Action::run) {
        if (std::string problem = mesh_trust_problem(c.mesh, joins); !problem.empty()) return fail(problem);
    }
    if (c.drain.delay_ms >= c.drain.timeout_ms)
        return fail("DRAIN_DELAY (" + std::to_string(c.drain.delay_ms) + " ms) must be shorter than DRAIN_TIMEOUT (" +
                    std::to_string(c.drain.timeout_ms) + " ms)");
    if (c.session.ping_interval_ms >= c.session.signaling_timeout_ms)
        c.session.ping_interval_ms = c.session.signaling_timeout_ms / 2 > 50 ? c.session.signaling_timeout_ms / 2 : 50;
    return result;
}

std::uint32_t default_max_http_connections(std::uint64_t open_files) {
    constexpr std::uint64_t kReserved = 64, kMin = 8, kMax = 1024;
    const std::uint64_t half = open_files > kReserved ? (open_files - kReserved) / 2 : 0;
    return static_cast<std::uint32_t>(std::clamp(half, kMin, kMax));
}

bool joins_others(const Config& c) {
    return !c.mesh.dht_bootstrap.empty() || !c.bootstrap.peers.empty() || !c.bootstrap.file.empty() ||
           !c.bootstrap.dns.empty();
}

const char* mesh_trust_name(MeshTrust t) {
    switch (t) {
    case MeshTrust::ca: return "ca";
    case MeshTrust::open: return "open";
    case MeshTrust::single: return "single";
    }
    return "?";
}

std::vector<OptionInfo> config_options() {
    std::vector<OptionInfo> out;
    for (const auto& o : kOptions) out.push_back({o.env ? o.env : "", o.flag, default_text(o)});
    return out;
}

std::string config_usage() {
    std::string s =
        "Usage: pigeonhubd [options]\n"
        "PeerPigeon-compatible WebRTC signaling hub (HTTP + WebSocket on one port).\n"
        "Every option can also be set by its environment variable; flags win.\n\n";
    for (const auto& o : kOptions) {
        std::string left = std::string("  --") + o.flag + " " + o.arg;
        left.resize(std::max<std::size_t>(32, left.size() + 2), ' ');  // long flags keep two spaces before the text
        s += left + o.help + " (default " + default_text(o) + ")";
        if (o.env) s += std::string(" [") + o.env + "]";
        s += "\n";
    }
    s += "  --public                      the same as PUBLIC=1\n"
         "  --print-bootstrap [--json]    print the ordered bootstrap candidates (tier, source) and exit\n"
         "  --mesh-ca-init DIR            make a mesh CA in DIR (ca.pem, ca.crt) and exit\n"
         "  --mesh-ca-issue DIR           issue a hub identity from the CA in DIR into --state-dir and exit\n"
         "  --make-token NS --key FILE [--expires-in S]\n"
         "                                print a join token for namespace NS (or prefix 'p*') signed by FILE (an\n"
         "                                Ed25519 issuer key PEM, or an HMAC secret in hex), valid S seconds (86400)\n"
         "  --make-issuer-key FILE        write a new Ed25519 issuer key to FILE (0600), print its public key\n"
         "  --make-hmac-secret            print a new HMAC secret (64 hex digits)\n"
         "  --make-password-hash          read a password from stdin, print its argon2id hash (m=19456,t=2,p=1)\n"
         "  -h, --help                    show this text\n"
         "  -V, --version                 print the version\n";
    return s;
}

}  // namespace pigeonhub
