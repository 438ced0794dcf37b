#include "config/config_loader.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

namespace pigeonhub {
namespace {

using Setter = bool (*)(Config&, std::string_view);

struct Option {
    const char* env;   // environment variable, or nullptr
    const char* flag;  // long flag without the leading dashes
    const char* arg;   // what the value looks like
    const char* help;
    Setter set;
};

template <typename T>
bool parse_uint(std::string_view s, T& out, std::uint64_t min, std::uint64_t max) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || v < min || v > max) return false;
    out = static_cast<T>(v);
    return true;
}

constexpr std::uint64_t kU32 = std::numeric_limits<std::uint32_t>::max();

const Option kOptions[] = {
    {"PORT", "port", "N", "TCP port for HTTP and WebSocket (0 = any free port, printed on stdout)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.port, 0, 65535); }},
    {"HOST", "host", "ADDR", "address to bind (default 127.0.0.1; 0.0.0.0 or :: for all interfaces)",
     [](Config& c, std::string_view v) { c.host = v; return !v.empty(); }},
    {"CORS_ORIGIN", "cors-origin", "ORIGIN", "Access-Control-Allow-Origin value (default *)",
     [](Config& c, std::string_view v) { c.cors_origin = v; return !v.empty(); }},
    {"MAX_CONNECTIONS", "max-connections", "N", "WebSocket connections admitted, inclusive (default 10000)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.max_connections, 1, 10000000); }},
    {"MAX_HTTP_CONNECTIONS", "max-http-connections", "N",
     "plain HTTP connections open at once; at the bound new ones wait in the listen backlog (default 0: half of "
     "the open-files limit less 64, at most 1024)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.max_http_connections, 0, 10000000); }},
    {"MAX_MESSAGE_SIZE", "max-message-size", "BYTES", "largest inbound message, inclusive (default 1048576)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.max_message_size, 128, 64u << 20); }},
    {"SIGNALING_TIMEOUT", "signaling-timeout", "MS", "close a socket that sent nothing for this long (default 60000)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.signaling_timeout_ms, 100, kU32); }},
    {"PING_INTERVAL", "ping-interval", "MS", "ping a socket that sent nothing for this long (default 20000)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.ping_interval_ms, 50, kU32); }},
    {"PROBE_TIMEOUT", "probe-timeout", "MS",
     "a socket holding an id that another connection asks for must answer a ping within this (default 5000)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.probe_timeout_ms, 50, kU32); }},
    {"NODE_ENV", "env", "NAME", "environment name (default development; production logs less)",
     [](Config& c, std::string_view v) { c.environment = v; return !v.empty(); }},
    {"DISCOVERY_MODE", "discovery", "all|bounded", "who learns about whom on announce (default all)",
     [](Config& c, std::string_view v) {
         if (v == "all") c.discovery = DiscoveryMode::all;
         else if (v == "bounded") c.discovery = DiscoveryMode::bounded;
         else return false;
         return true;
     }},
    {"DISCOVERY_MAX_PEERS", "discovery-max-peers", "N", "bounded mode: cap on a client's maxPeers (default 32)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.discovery_max_peers, 1, 100000); }},
    {"MAX_ANNOUNCE_DATA", "max-announce-data", "BYTES", "largest announce data object (default 4096)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.max_announce_data, 2, 1u << 20); }},
    {"MESSAGE_RATE", "message-rate", "N",
     "messages per second one socket may send, bursts of 2N; the excess is dropped (default 1000, 0 = no limit)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.message_rate, 0, 100000000); }},
    {"DHT_PORT", "dht-port", "N", "UDP port of the embedded OpenDHT node (default 4222, 0 = any free port)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.dht_port, 0, 65535); }},
    {"DHT_BIND", "dht-bind", "ADDR", "IPv4 address of the DHT node (default: HOST if it is IPv4, else 0.0.0.0)",
     [](Config& c, std::string_view v) { c.dht_bind = v; return !v.empty(); }},
    {"DHT_BOOTSTRAP", "dht-bootstrap", "HOST:PORT,...", "DHT nodes to join (default none: a one-node DHT)",
     [](Config& c, std::string_view v) {
         c.dht_bootstrap.clear();
         while (!v.empty()) {
             auto comma = v.find(',');
             std::string_view item = v.substr(0, comma);
             while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
             while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
             if (!item.empty()) c.dht_bootstrap.emplace_back(item);
             if (comma == std::string_view::npos) break;
             v.remove_prefix(comma + 1);
         }
         return true;
     }},
    {"DHT_NETWORK", "dht-network", "N", "OpenDHT network id (default 0)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.dht_network, 0, kU32); }},
    {"APP_ID", "app-id", "NAME", "isolates meshes: every DHT key derives from it (default pigeonhub)",
     [](Config& c, std::string_view v) { c.app_id = v; return !v.empty() && v.size() <= 128; }},
    {"STATE_DIR", "state-dir", "DIR", "where the hub identity is kept (default $STATE_DIRECTORY or ~/.local/share/pigeonhub)",
     [](Config& c, std::string_view v) { c.state_dir = v; return !v.empty(); }},
    {"DHT_UNREADY_GRACE", "dht-unready-grace", "MS",
     "/health answers 503 once the DHT has been disconnected this long (default 30000)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.dht_unready_grace_ms, 0, kU32); }},
    {"PUBLIC_URL", "public-url", "URL", "how clients reach this hub, published in /hubs",
     [](Config& c, std::string_view v) { c.public_url = v; return true; }},
    {"REGION", "region", "TEXT", "region published in /hubs",
     [](Config& c, std::string_view v) { c.region = v; return true; }},
    {"MAX_SEND_QUEUE", "max-send-queue", "BYTES",
     "bytes queued to one slow socket before it is closed (default 4194304)",
     [](Config& c, std::string_view v) { return parse_uint(v, c.max_send_queue, 4096, 1u << 30); }},
};

const Option* find_flag(std::string_view name) {
    for (const auto& o : kOptions)
        if (name == o.flag) return &o;
    return nullptr;
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
    if (env) {
        for (const auto& o : kOptions) {
            if (!o.env) continue;
            const char* v = env(o.env);
            if (!v) continue;
            if (!o.set(c, v))
                return fail(std::string("invalid value for ") + o.env + ": '" + v + "'");
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
    }
    if (c.state_dir.empty() && env) {
        if (const char* sd = env("STATE_DIRECTORY"); sd && *sd) {
            std::string_view first = sd;  // systemd may list several, colon-separated
            c.state_dir = first.substr(0, first.find(':'));
        } else if (const char* xdg = env("XDG_DATA_HOME"); xdg && *xdg) {
            c.state_dir = std::string(xdg) + "/pigeonhub";
        } else if (const char* home = env("HOME"); home && *home) {
            c.state_dir = std::string(home) + "/.local/share/pigeonhub";
        }
    }
    if (c.state_dir.empty()) return fail("no state directory: set STATE_DIR (or HOME)");
    if (c.dht_bind.empty()) {
        const bool ipv4 = !c.host.empty() && c.host.find_first_not_of("0123456789.") == std::string::npos;
        c.dht_bind = ipv4 ? c.host : (c.host == "localhost" ? "127.0.0.1" : "0.0.0.0");
    }
    if (c.ping_interval_ms >= c.signaling_timeout_ms)
        c.ping_interval_ms = c.signaling_timeout_ms / 2 > 50 ? c.signaling_timeout_ms / 2 : 50;
    return result;
}

std::uint32_t default_max_http_connections(std::uint64_t open_files) {
    constexpr std::uint64_t kReserved = 64, kMin = 8, kMax = 1024;
    const std::uint64_t half = open_files > kReserved ? (open_files - kReserved) / 2 : 0;
    return static_cast<std::uint32_t>(std::clamp(half, kMin, kMax));
}

std::string config_usage() {
    std::string s =
        "Usage: pigeonhubd [options]\n"
        "PeerPigeon-compatible WebRTC signaling hub (HTTP + WebSocket on one port).\n"
        "Every option can also be set by its environment variable; flags win.\n\n";
    for (const auto& o : kOptions) {
        std::string left = std::string("  --") + o.flag + " " + o.arg;
        if (left.size() < 32) left.resize(32, ' ');
        s += left + o.help;
        if (o.env) s += std::string(" [") + o.env + "]";
        s += "\n";
    }
    s += "  -h, --help                    show this text\n"
         "  -V, --version                 print the version\n";
    return s;
}

}  // namespace pigeonhub
