// Bootstrap peers (issue 12): the hubs and DHT nodes a hub tries first, in order, from every source it knows.
// The C++ form of the seed project's getBootstrapPeers({environment, region, customPeers, includeLocal}) and
// parseBootstrapPeersFromEnv. Pure: parsing, merging and ordering lists; no sockets, no DNS, no DHT, no files,
// no getenv. Whoever fetches a list (DNS, BOOTSTRAP_FILE, /.well-known, the DHT, a cache) parses it here.
// The expected orders are written down in tests/vectors/bootstrap-peers.json, which the JavaScript client reuses.
//
// A peer (the seed's shape; the JSON names in brackets):
//   t [t]            "hub": u is a hub URL, ws:// wss:// http:// or https:// (host, optional port 1..65535,
//                    optional path); "dht": u is a DHT node "host:port" or "[v6]:port" (UDP)
//   u [u]            the address, as written
//   region [region]  us-east, us-west, eu-west, asia-pacific, global, or anything else (ranked last)
//   priority         lower first, within a tier and region; 100 unless given
//   description, publicKey, signature, timestamp (ms): optional; a discovered peer's signed announcement
//   tier, source     where the peer came from (below); not read from files: a file cannot raise its own trust
//
// Tiers, most trusted first (the first sort key):
//   custom      BOOTSTRAP_PEERS (source "env"): what the operator wrote, full trust
//   local       ws://127.0.0.1:3000..3002 (source "local"), only when include_local (default: NODE_ENV is
//               "local" or "development")
//   production  the list compiled in with the meson option production_bootstrap (source "compiled-in"; empty
//               unless the build sets it)
//   regional    regional seed lists (source "dns:<domain>" or "well-known:<url>")
//   community   a JSON file, BOOTSTRAP_FILE (source "file:<path>"; format at parse_peers_json)
//   discovered  found through the DHT (source "dht" or "cache"); the caller checks signature and freshness first
// Then the region (the hub's own REGION first, then "global", then us-east, us-west, eu-west, asia-pacific, then
// any other or empty region), then priority ascending, then u (byte order). A u that appears more than once is
// kept only where it ranks first (a URL in BOOTSTRAP_PEERS and in a file stays custom). Two addresses are the
// same only when written the same: no case folding, no default ports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pigeonhub::bootstrap {

enum class Tier : std::uint8_t { custom, local, production, regional, community, discovered };

// "custom", "local", "production", "regional", "community", "discovered" (the JSON "tier" member).
std::string_view tier_name(Tier tier) noexcept;
std::optional<Tier> parse_tier(std::string_view name) noexcept;

// The regions the ordering knows, in the order they rank after the hub's own region: "global" first, then
// us-east, us-west, eu-west, asia-pacific.
bool is_known_region(std::string_view region) noexcept;

// Bounds on outside input: entries in one comma list or peers in one JSON list, and the JSON text.
inline constexpr std::size_t kMaxListPeers = 1024;
inline constexpr std::size_t kMaxJsonBytes = 1024 * 1024;

struct Peer {
    std::string t;  // "hub" (u is a hub URL) or "dht" (u is a UDP host:port)
    std::string u;
    std::string region;  // empty when unknown
    int priority = 100;  // lower first
    std::string description;
    std::string public_key;  // with signature and timestamp: a discovered peer's announcement; empty when absent
    std::string signature;
    std::uint64_t timestamp = 0;  // ms since the epoch; 0 when absent
    Tier tier = Tier::custom;
    std::string source;  // "env", "compiled-in", "dns:<domain>", "file:<path>", "well-known:<url>", "dht",
                         // "cache", "local"
    friend bool operator==(const Peer&, const Peer&) = default;
};

// A parsed list, or the first error (naming the entry; peers is then empty).
struct ParsedPeers {
    std::vector<Peer> peers;
    std::string error;
};

// A comma list of addresses in BOOTSTRAP_PEERS syntax: entries trimmed (spaces and tabs), empty ones skipped, each a
// hub URL or a DHT host:port (see Peer::t). Entry n (1-based, counting empty ones) gets priority n, so the order
// written is the order tried; description "<name> entry <n>", the given tier and source, region empty. An entry
// that is neither is an error naming it: "BOOTSTRAP_PEERS entry 2 'foo' is neither a hub URL (ws://, wss://,
// http://, https://) nor a DHT node host:port". More than kMaxListPeers entries is an error too.
ParsedPeers parse_peer_list(std::string_view list, std::string_view name, Tier tier, std::string_view source);

// parse_peer_list(list, "BOOTSTRAP_PEERS", Tier::custom, "env"). pigeonhubd exits 2 with the error.
ParsedPeers parse_bootstrap_peers_from_env(std::string_view list);

// The meson option production_bootstrap as built in ("" by default), and that list parsed (tier production, source
// "compiled-in"; an error names the option).
const char* compiled_in_bootstrap() noexcept;
ParsedPeers compiled_in_peers();

struct Options {
    std::string environment;               // NODE_ENV
    std::string region;                    // REGION: this hub's region, ranked first; empty = none
    std::vector<Peer> custom_peers;        // BOOTSTRAP_PEERS (parse_bootstrap_peers_from_env)
    std::optional<bool> include_local;     // add the local tier; unset: environment is "local" or "development"
    std::vector<Peer> production;          // compiled_in_peers()
    std::vector<Peer> regional;            // DNS or /.well-known seed lists
    std::vector<Peer> community;           // BOOTSTRAP_FILE
    std::vector<Peer> discovered;          // REQUIRES: signature and freshness already checked by the caller
    std::uint16_t local_base_port = 3000;  // the local tier: ports base, base+1, base+2 (those in 1..65535)
};

// Every peer of every list, each list's peers given its tier (other members kept), plus the local tier when asked,
// ordered and without repeated addresses as described at the top. Lists are used whatever the environment: the
// environment only decides the local tier.
std::vector<Peer> get_bootstrap_peers(const Options& options);

// JSON array of peer objects: t, u, region, priority, description, then publicKey, signature and timestamp when set
// (non-empty, non-zero), then tier and source.
std::string peers_to_json(const std::vector<Peer>& peers);

// The BOOTSTRAP_FILE format: a JSON array of peer objects, or an object whose "peers" member is one (other
// members ignored). Per peer: "u" required (a hub URL or DHT host:port, as in BOOTSTRAP_PEERS); "t" optional, and
// when given it must agree with u: "hub" (or the seed's "ws", "wss", "http", "https") for a URL, "dht" for
// host:port (stored as "hub" / "dht"); "region", "description", "publicKey", "signature" strings; "priority" an
// integer 0..2147483647; "timestamp" an integer 0..2^53-1. Other members are ignored, "tier" and "source" too: every
// peer gets `tier` and `source`. A repeated member is an error. Errors start with the source and name the index
// and member: "file:/etc/hub/peers.json: peers[2].priority must be an integer 0..2147483647". At most kMaxListPeers
// peers and kMaxJsonBytes of text.
ParsedPeers parse_peers_json(std::string_view text, Tier tier, std::string source);

}  // namespace pigeonhub::bootstrap
