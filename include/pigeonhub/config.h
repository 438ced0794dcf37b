// Configuration of a pigeonhubd process: one struct, every field with its default and meaning.
// Filled from the environment, then from command-line flags (flags win) by pigeonhub::load_config().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pigeonhub {

enum class DiscoveryMode : std::uint8_t {
    all,      // every member of a namespace learns every other member (what PeerPigeon clients expect)
    bounded,  // a newcomer learns only its k XOR-closest members, k from the client's maxPeers
};

// What GET /peers shows (README: "What a peer id is worth").
enum class PeerList : std::uint8_t {
    full,    // every announced peer id, as the reference hub lists them (PeerPigeon 1.1.3 compatible)
    counts,  // the number of peers only
    off,     // 403
};

// Which forwarding header a trusted proxy writes (net/client_address.h).
enum class ForwardedHeader : std::uint8_t { x_forwarded_for, forwarded };

// Per client address (an IPv4 address or an IPv6 /64; net/admission.h): what one address may hold and open, so that
// one address cannot take every slot. Every cap and rate: 0 = no limit.
struct AdmissionOptions {
    std::uint32_t max_ws_per_address = 64;     // MAX_CONNECTIONS_PER_ADDRESS: WebSockets open from one address; the
                                               // next is closed 1008 after the upgrade. 64: room for a household or
                                               // office behind one NAT, while 10,000 slots need 157 addresses
    std::uint32_t max_http_per_address = 32;   // MAX_HTTP_PER_ADDRESS: plain HTTP connections (requests, handshakes)
                                               // open from one address; the next is answered 429 at once
    std::uint32_t new_connection_rate = 10;    // NEW_CONNECTION_RATE: new connections per second from one address;
                                               // above it (and the burst) 429 at once
    std::uint32_t new_connection_burst = 64;   // NEW_CONNECTION_BURST: the bucket's size: a NAT's worth of clients
                                               // reconnecting together after a hub restart
    std::uint32_t rest_rate = 10;              // REST_RATE: requests per second from one address to /generate-peer-id,
                                               // /peers and /api/*; above it (and the burst) 429 with Retry-After
    std::uint32_t rest_burst = 50;             // REST_BURST: the REST bucket's size
    std::uint32_t max_tracked_addresses = 65536;  // MAX_TRACKED_ADDRESSES: addresses remembered at once (rate history
                                                  // of idle ones is forgotten first at the bound)
    std::string trusted_proxies;               // TRUSTED_PROXIES: comma list of addresses and CIDR blocks whose
                                               // forwarding header is believed (checked by load_config)
    ForwardedHeader forwarded_header = ForwardedHeader::x_forwarded_for;  // FORWARDED_HEADER: x-forwarded-for | forwarded
};

// The HTTP port: the listener, the HTTP server, CORS.
struct HttpOptions {
    std::string host = "127.0.0.1";          // HOST: bind address for HTTP and WebSocket
    std::uint16_t port = 3000;               // PORT: 0 picks a free port (printed on stdout)
    std::string cors_origin = "*";           // CORS_ORIGIN: Access-Control-Allow-Origin value
    std::uint32_t max_http_connections = 0;  // MAX_HTTP_CONNECTIONS: plain HTTP connections open at once (requests,
                                             // handshakes before the upgrade); at the bound new connections wait in
                                             // the listen backlog. 0 = default_max_http_connections(open-files limit)
    PeerList peer_list = PeerList::full;     // PEER_LIST: full | counts | off (what GET /peers shows)
    bool demo = true;                        // DEMO: on | off (serve the demo page at /demo/)
    std::string demo_ice_servers;            // DEMO_ICE_SERVERS: stun:/turn: URLs the demo page's connections use
    AdmissionOptions admission;
};

// Each WebSocket session.
struct SessionOptions {
    std::uint32_t max_message_size = 1048576;  // MAX_MESSAGE_SIZE: largest inbound message (bytes, inclusive)
    std::uint32_t signaling_timeout_ms = 60000;  // SIGNALING_TIMEOUT: close a socket silent this long
    std::uint32_t ping_interval_ms = 20000;  // PING_INTERVAL: ping a socket silent this long
    std::uint32_t probe_timeout_ms = 5000;   // PROBE_TIMEOUT: a duplicate-id holder must answer a ping within this
    std::uint32_t max_send_queue = 4u << 20; // MAX_SEND_QUEUE: bytes queued to one socket before it is closed
    std::uint32_t max_output_buffer = 8u << 20;   // MAX_OUTPUT_BUFFER: bytes queued to all sockets together; over it
                                                  // the hub writes at once and stops reading sockets until its
                                                  // writes bring the total under half (net/session_hub.h)
    std::uint32_t message_rate = 1000;       // MESSAGE_RATE: messages/s one socket may send (burst 2x); the
                                             // excess is dropped and counted. 0 = no limit
};

// The router: admission, namespaces, discovery.
struct SignalingOptions {
    std::uint32_t max_connections = 10000;   // MAX_CONNECTIONS: WebSocket admission limit, inclusive
    DiscoveryMode discovery = DiscoveryMode::all;  // DISCOVERY_MODE: all | bounded
    std::uint32_t discovery_max_peers = 32;  // DISCOVERY_MAX_PEERS: cap on a client's maxPeers in bounded mode
    std::uint32_t max_announce_data = 4096;  // MAX_ANNOUNCE_DATA: largest announce `data` object (JSON bytes)
    std::uint32_t max_namespace_name = 256;  // longest networkName (bytes, after JSON unescaping)
    std::uint32_t goodbye_fanout = 5;        // members (closest by XOR) that get a forwarded goodbye
    // Abuse budgets per connection (README "Bounds"). PeerPigeon 1.1.3 clients announce once per connection.
    std::uint32_t announce_rate = 30;        // ANNOUNCE_RATE: announces per minute one connection may send, bursts of
                                             // ANNOUNCE_BURST; the excess is dropped and counted, the sender gets one
                                             // `error` per second. 0 = no limit
    std::uint32_t announce_burst = 10;       // ANNOUNCE_BURST: announces one connection may send at once
    std::uint32_t namespace_rate = 10;       // NAMESPACE_RATE: namespaces one connection may enter per minute (the
                                             // first announce included; also the burst); beyond it an `error` reply
                                             // and the connection stays where it was. 0 = no limit
    std::uint32_t max_peers_per_namespace = 10000;  // MAX_PEERS_PER_NAMESPACE: members of one namespace on this hub,
                                                    // inclusive; beyond it an `error` reply, not joined. 0 = no limit.
                                                    // MAX_CONNECTIONS' default: a default hub admits as before
};

// Which DHT signers count as hubs of the mesh (docs/MESH.md, "Membership").
enum class MeshTrust : std::uint8_t {
    ca,      // only hubs whose identity chains to the mesh CA (MESH_CA)
    open,    // any DHT node that signs its records (community meshes)
    single,  // this hub alone: no bootstrap, no other hub counts
};

// The hub mesh: the embedded OpenDHT node and what the hub publishes through it.
struct MeshOptions {
    std::uint16_t dht_port = 4222;           // DHT_PORT: UDP port of the embedded OpenDHT node (0 = any free port)
    std::string dht_bind;                    // DHT_BIND: IPv4 address for it; empty = HOST if HOST is IPv4, else 0.0.0.0
    std::vector<std::string> dht_bootstrap;  // DHT_BOOTSTRAP: comma list of host:port; empty = a one-node DHT
    std::uint32_t dht_network = 0;           // DHT_NETWORK: OpenDHT network id
    std::uint32_t dht_receive_buffer = 4 << 20;  // DHT_RECEIVE_BUFFER: bytes asked for the DHT socket's receive
                                                 // buffer (0 = the kernel's default; capped by net.core.rmem_max)
    std::string app_id = "pigeonhub";        // APP_ID: isolates meshes; every DHT key derives from it
    std::uint32_t namespace_buckets = 256;   // MESH_NAMESPACE_BUCKETS: presence keys are one per bucket of namespaces
                                             // (K buckets; 0 = one key per namespace); equal on every hub of a mesh
    std::string state_dir;                   // STATE_DIR: identity storage; default $STATE_DIRECTORY, else
                                             // $XDG_DATA_HOME/pigeonhub, else $HOME/.local/share/pigeonhub
    std::string public_url;                  // PUBLIC_URL: how clients reach this hub (published in /hubs)
    std::string region;                      // REGION: free text published in /hubs
    std::uint32_t dht_unready_grace_ms = 30000;  // DHT_UNREADY_GRACE: /health answers 503 after the DHT has been
                                                 // disconnected this long (ms)
    MeshTrust trust = MeshTrust::single;     // MESH_TRUST: ca | open | single; unset: ca when DHT_BOOTSTRAP or MESH_CA
                                             // is set, else single (load_config resolves it)
    std::string ca_cert;                     // MESH_CA: the mesh CA's certificate. trust ca: only hubs whose identity
                                             // chains to it count, this one included (else it refuses to start)
    std::string ca_key;                      // MESH_CA_KEY: the CA's private key (local meshes and tests): a hub
                                             // without an identity issues its own member identity at first start
    std::string revoked_file;                // MESH_REVOKED: file of revoked hub ids (one per line), re-read when it
                                             // changes; their records are refused
    std::uint32_t page_rate = 5000;          // MESH_PAGE_RATE: presence pages a second taken from one member hub,
                                             // bursts of twice that; over it the newest edit of each page waits for
                                             // the hub's next token (record_budget.h); 0 = no limit
    std::uint32_t signal_rate = 20000;       // MESH_SIGNAL_RATE: sealed signals a second taken from one member hub,
                                             // bursts of twice that; over it they are dropped; 0 = no limit
};

// How a hub finds the mesh (docs/BOOTSTRAP.md): hub URLs, DNS TXT, a community file, its cache, DHT announcements.
struct BootstrapOptions {
    std::string peers;                       // BOOTSTRAP_PEERS: comma list of hub URLs (ws, wss, http, https) or DHT
                                             // host:port (checked by load_config: a bad entry is exit 2)
    std::string file;                        // BOOTSTRAP_FILE: community list (JSON array of peers)
    std::vector<std::string> dns;            // BOOTSTRAP_DNS: domains whose _pigeonhub-bootstrap TXT records list peers
    std::string dns_server;                  // DNS_SERVER: host:port of the DNS server to ask; empty = the system's
    std::string dht_public_address;          // DHT_PUBLIC_ADDRESS: host[:port] other hubs dial for this hub's DHT node
    std::uint32_t retries = 3;               // DHT_BOOTSTRAP_RETRIES: attempts per candidate (jittered backoff)
    std::uint32_t health_interval_s = 300;   // BOOTSTRAP_HEALTH_INTERVAL: seconds between health checks of candidates
    std::uint32_t cache_ttl_s = 86400;       // BOOTSTRAP_CACHE_TTL: how long a discovered peer stays in the cache
    std::uint32_t cache_max = 50;            // BOOTSTRAP_CACHE_MAX: peers kept in the cache
    bool public_network = false;             // PUBLIC: a participant of the public OpenDHT network
};

// Signed data (/api/publish, /api/find, /api/replicate).
struct DataOptions {
    std::vector<std::string> replication_peers;  // REPLICATION_PEERS: comma list of hub base URLs that get this hub's
                                                 // publishes over HTTP when its DHT is away (besides /hubs' URLs)
};

// Namespace access control (docs/AUTH.md): join tokens and passwords for protected namespaces.
struct AccessOptions {
    std::string policy_file;                 // NAMESPACE_AUTH: JSON file naming the protected namespaces and their
                                             // issuer keys, HMAC secrets, argon2id hashes; empty = every namespace open
    std::uint32_t max_verifications = 2;     // AUTH_MAX_VERIFICATIONS: argon2id password checks running at once (each
                                             // on its own worker thread); an announce needing one more gets an error
    std::uint32_t cache_size = 4096;         // AUTH_CACHE_SIZE: password check results remembered (keyed hash of the
                                             // namespace rule and password); beyond it the oldest is forgotten
};

// Logging (src/util/log.h).
struct LogOptions {
    std::string level;                       // LOG_LEVEL: debug | info | warn | error; empty = warn when
                                             // NODE_ENV=production, else info
    bool journal = false;                    // JOURNAL_STREAM set (systemd): `<N>` priority prefixes, no timestamp
};

// SIGTERM/SIGINT: the drain (README: "Drain").
struct DrainOptions {
    std::uint32_t delay_ms = 0;              // DRAIN_DELAY: keep serving this long while /health answers 503, so that
                                             // load balancers move new clients first
    std::uint32_t timeout_ms = 10000;        // DRAIN_TIMEOUT: the process exits within this of the signal, whatever
                                             // is left (DRAIN_DELAY included)
};

// A pigeonhubd process: one options struct per part; each part receives only its own.
struct Config {
    std::string environment = "development"; // NODE_ENV: environment name; "production" logs less
    LogOptions log;
    DrainOptions drain;
    HttpOptions http;
    SessionOptions session;
    SignalingOptions signaling;
    MeshOptions mesh;
    BootstrapOptions bootstrap;
    DataOptions data;
    AccessOptions access;
};

}  // namespace pigeonhub
