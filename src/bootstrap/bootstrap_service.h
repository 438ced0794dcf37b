// How a hub finds the mesh from hub URLs (issue 12; docs/BOOTSTRAP.md), and how it helps others find it.
//
// Candidates come from every source (include/pigeonhub/bootstrap.h orders them): the cache of peers that worked
// (STATE_DIR/bootstrap-cache.json, tried first), BOOTSTRAP_PEERS and DHT_BOOTSTRAP (custom), the compiled-in list
// (production), DNS TXT records of BOOTSTRAP_DNS (regional), BOOTSTRAP_FILE (community), and what other hubs say:
// the hubs listed in their bootstrap documents and their signed announcements on the DHT (discovered).
//
// Joining: up to kParallel candidates at a time. A hub URL is asked for its signed bootstrap document
// (GET <url>/.well-known/pigeonhub-bootstrap; signature, app and freshness checked) and the DHT is joined through
// the endpoints it names; a DHT host:port is joined directly. A candidate that fails is tried again up to
// DHT_BOOTSTRAP_RETRIES times with full-jitter backoff (1 s, 2 s, 4 s... capped at 30 s), then the next one takes
// its place. Once the DHT has good nodes the hub is joined; if it loses them all for kRejoinAfterMs, joining
// starts over. Every BOOTSTRAP_HEALTH_INTERVAL the hub URLs are asked again: a dead one leaves the rotation, a
// healthy one comes back.
//
// Helping: GET /.well-known/pigeonhub-bootstrap answers this hub's signed document; a hub with a PUBLIC_URL also
// announces it on the DHT under h("pigeonhub/<app>/bootstrap") (refreshed every kAnnouncePeriod), and collects the
// announcements of others: only from member hubs (Membership), whose document names the signer as its hub, for this
// app, fresh; the others are refused and counted.
//
// Bounded: kMaxCandidates candidates (further discovered ones ignored), the cache at BOOTSTRAP_CACHE_MAX.
// Threading: io thread only.
#pragma once

#include <asio.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bootstrap/bootstrap_document.h"
#include "bootstrap/bootstrap_stats.h"
#include "data/data_record.h"
#include "mesh/dht_port.h"
#include "mesh/mesh_records.h"
#include "pigeonhub/bootstrap.h"
#include "pigeonhub/config.h"
#include "util/clock_fn.h"

namespace pigeonhub {

class HttpClient;
class DnsTxtResolver;


class BootstrapService {
public:
    static constexpr std::size_t kParallel = 3;
    static constexpr std::size_t kMaxCandidates = 256;
    static constexpr std::int64_t kDocumentMaxAgeMs = 60 * 60 * 1000;  // a document older than this is stale
    static constexpr std::int64_t kAnnouncePeriodMs = 5 * 60 * 1000;
    static constexpr std::int64_t kRejoinAfterMs = 30'000;
    static constexpr std::int64_t kFetchDeadlineMs = 3000;

    struct Options {
        BootstrapOptions config;
        std::vector<std::string> dht_bootstrap;  // DHT_BOOTSTRAP
        std::string app_id;
        std::string state_dir;
        std::string public_url;
        std::string region;
        std::string environment;
        std::string dht_bind;
    };
    struct Parts {
        DhtPort& dht;
        HttpClient& http;
        DnsTxtResolver* dns;                                     // null without BOOTSTRAP_DNS
        const data::Ed25519Key& key;                             // signs this hub's document
        std::function<std::vector<mesh::HubRecord>()> hubs;      // member hubs (for the document's list)
        std::function<bool(const std::string&)> is_member;       // Membership, for announcements
        std::function<std::uint16_t()> dht_port;                 // the DHT node's bound port
    };

    static Options options_of(const Config& config);

    BootstrapService(asio::io_context& io, Options options, Parts parts, Clock clock = system_clock_ms());
    ~BootstrapService();

    // The candidates from the configuration, the compiled-in list, the file and the cache, ordered (no network).
    // `error` names a bad BOOTSTRAP_PEERS entry or BOOTSTRAP_FILE; the hub then exits 2.
    // `regional`: peers from DNS TXT records, when the caller has them (--print-bootstrap).
    static std::vector<bootstrap::Peer> configured_candidates(const Options& options, std::int64_t now_ms,
                                                              std::string* error, std::size_t* cached = nullptr,
                                                              std::vector<bootstrap::Peer> regional = {});
    // The peers the TXT records of BOOTSTRAP_DNS name, asked with `resolver` (at most `timeout` in all); runs `io`
    // until then. For --print-bootstrap (the service itself asks without blocking).
    static std::vector<bootstrap::Peer> resolve_dns_now(asio::io_context& io, DnsTxtResolver& resolver,
                                                        const std::vector<std::string>& domains,
                                                        std::chrono::milliseconds timeout);

    // Starts joining through `candidates` (configured_candidates(), `cached` of them from the cache, read once at
    // start-up by the caller), announcing and health checks. REQUIRES: the DHT node runs.
    void start(std::vector<bootstrap::Peer> candidates, std::size_t cached);
    void stop();

    // This hub's signed bootstrap document (GET /.well-known/pigeonhub-bootstrap).
    std::string document() const;
    // The candidates, ordered as they are tried.
    std::vector<bootstrap::Peer> candidates() const;
    BootstrapStats stats() const;

private:
    struct Candidate {
        bootstrap::Peer peer;
        int attempts = 0;
        std::int64_t next_try_ms = 0;
        bool trying = false;
        bool failed = false;  // out of attempts this round
        bool dead = false;    // failed its last health check
        bool worked = false;
    };

    void add(bootstrap::Peer peer);
    void tick();
    void arm_timer();
    void pump(std::int64_t now);
    void attempt(Candidate& c, std::int64_t now);
    void fetched(const std::string& url, const std::string& body, int status, const std::string& error, bool health);
    void failed(Candidate& c, const std::string& why, std::int64_t now);
    void join_through(const bootstrap::BootstrapDocument& doc);
    void learned(const bootstrap::BootstrapDocument& doc, const std::string& source);
    void health_check(std::int64_t now);
    void announce(std::int64_t now);
    void on_announcements(const std::vector<DhtValue>& values, bool expired);
    void query_dns();
    void save_cache();
    Candidate* find(const std::string& url);

    asio::io_context& io_;
    Options options_;
    Parts parts_;
    Clock clock_;
    asio::steady_timer timer_;
    std::vector<Candidate> candidates_;  // in the order they are tried
    BootstrapStats stats_;
    std::uint64_t listen_token_ = 0;
    bool listening_ = false;
    bool started_ = false;
    std::int64_t unjoined_since_ms_ = 0;
    std::int64_t next_health_ms_ = 0;
    std::int64_t next_announce_ms_ = 0;
    std::uint64_t rng_ = 0;
    std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace pigeonhub
