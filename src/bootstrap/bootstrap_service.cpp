#include "bootstrap/bootstrap_service.h"

#include <algorithm>
#include <optional>

#include "bootstrap/dht_endpoints.h"
#include "bootstrap/dns_txt_format.h"
#include "bootstrap/dns_txt_resolver.h"
#include "net/http_client.h"
#include "util/file.h"
#include "util/log.h"
#include "util/random.h"
#include "util/url.h"

namespace pigeonhub {
namespace {

using bootstrap::BootstrapDocument;
using bootstrap::KnownHub;
using bootstrap::Peer;
using bootstrap::Tier;

constexpr std::int64_t kBackoffBaseMs = 1000;
constexpr std::int64_t kBackoffMaxMs = 30000;
constexpr std::int64_t kDnsTimeoutMs = 3000;

std::string cache_path(const std::string& state_dir) { return state_dir + "/bootstrap-cache.json"; }
std::string announce_key(const std::string& app) { return "pigeonhub/" + app + "/bootstrap"; }

// The base URL of a hub URL as HTTP ("wss://h:1/x" -> "https://h:1"): the document lives at its root.
std::string http_base(const std::string& url) {
    const std::string u = ws_as_http(url);
    const auto scheme = u.find("://");
    if (scheme == std::string::npos) return u;
    const auto slash = u.find('/', scheme + 3);
    return slash == std::string::npos ? u : u.substr(0, slash);
}

// A DHT endpoint "host:port" (or "[v6]:port"; OpenDHT's 4222 when the port is absent) as OpenDHT's bootstrap takes it.
std::pair<std::string, std::string> split_host_port(const std::string& hp) {
    auto parsed = parse_host_port(hp);
    if (!parsed) return {hp, "4222"};  // validated before it got here; OpenDHT reports what it cannot resolve
    return {parsed->host, std::to_string(parsed->port ? parsed->port : 4222)};
}

// A DNS TXT record as a regional candidate (nullopt: not ours, or malformed).
std::optional<Peer> peer_from_txt(const std::string& record, const std::string& domain) {
    auto r = parse_dns_txt_record(record);
    if (r.status != DnsTxtStatus::peer) {
        if (r.status == DnsTxtStatus::malformed)
            log::warn("bootstrap: a TXT record of {} is malformed ({}): ignored", dns_txt_name(domain), r.error);
        return std::nullopt;
    }
    Peer p;
    p.t = r.peer.is_hub_url ? "hub" : "dht";
    p.u = std::move(r.peer.u);
    p.region = std::move(r.peer.region);
    p.description = std::move(r.peer.description);
    p.priority = r.peer.priority;
    p.tier = Tier::regional;
    p.source = "dns:" + domain;
    return p;
}

}  // namespace

BootstrapService::BootstrapService(asio::io_context& io, Options options, Parts parts, Clock clock)
    : io_(io), options_(std::move(options)), parts_(std::move(parts)), clock_(std::move(clock)), timer_(io) {
    random_bytes(&rng_, sizeof rng_);
}

BootstrapService::~BootstrapService() { stop(); }

BootstrapService::Options BootstrapService::options_of(const Config& c) {
    return Options{c.bootstrap, c.mesh.dht_bootstrap, c.mesh.app_id, c.mesh.state_dir, c.mesh.public_url,
                   c.mesh.region, c.environment, c.mesh.dht_bind};
}

std::vector<Peer> BootstrapService::resolve_dns_now(asio::io_context& io, DnsTxtResolver& resolver,
                                                    const std::vector<std::string>& domains,
                                                    std::chrono::milliseconds timeout) {
    std::vector<Peer> out;
    std::size_t pending = domains.size();
    for (const auto& domain : domains)
        resolver.query(dns_txt_name(domain), timeout, [&, domain](std::vector<std::string> txt, std::string) {
            for (const auto& record : txt)
                if (auto peer = peer_from_txt(record, domain)) out.push_back(std::move(*peer));
            --pending;
        });
    const auto deadline = std::chrono::steady_clock::now() + timeout + std::chrono::milliseconds(500);
    while (pending > 0 && std::chrono::steady_clock::now() < deadline) {
        io.run_for(std::chrono::milliseconds(50));
        io.restart();
    }
    return out;
}

std::vector<Peer> BootstrapService::configured_candidates(const Options& o, std::int64_t now, std::string* error,
                                                          std::size_t* cached, std::vector<Peer> regional) {
    bootstrap::Options order;
    order.environment = o.environment;
    order.region = o.region;
    // Local ports only for NODE_ENV=local: "development" is pigeonhubd's default environment, and a hub must not
    // dial ports 3000-3002 unless asked to (docs/BOOTSTRAP.md).
    order.include_local = o.environment == "local";
    auto custom = bootstrap::parse_bootstrap_peers_from_env(o.config.peers);
    if (!custom.error.empty()) {
        if (error) *error = custom.error;
        return {};
    }
    order.custom_peers = std::move(custom.peers);
    for (const auto& hp : o.dht_bootstrap) {
        Peer p;
        p.t = "dht";
        p.u = hp;
        p.source = "env";
        order.custom_peers.push_back(std::move(p));
    }
    order.production = bootstrap::compiled_in_peers().peers;
    order.regional = std::move(regional);
    if (!o.config.file.empty()) {
        const auto text = read_whole_file(o.config.file);
        if (!text) {
            if (error) *error = "cannot read BOOTSTRAP_FILE " + o.config.file;
            return {};
        }
        auto community = bootstrap::parse_peers_json(*text, Tier::community, "file:" + o.config.file);
        if (!community.error.empty()) {
            if (error) *error = "BOOTSTRAP_FILE " + o.config.file + ": " + community.error;
            return {};
        }
        order.community = std::move(community.peers);
    }
    auto ordered = bootstrap::get_bootstrap_peers(order);
    // The cache (peers that worked, newest first) goes before everything: tried first at start.
    std::vector<Peer> out;
    if (o.config.cache_max > 0) {
        if (const auto text = read_whole_file(cache_path(o.state_dir))) {
            auto parsed = bootstrap::parse_peers_json(*text, Tier::discovered, "cache");
            if (!parsed.error.empty()) {
                log::warn("bootstrap cache {}: {} (ignored)", cache_path(o.state_dir), parsed.error);
            } else {
                for (auto& p : parsed.peers) {
                    if (p.timestamp + std::uint64_t{o.config.cache_ttl_s} * 1000 < static_cast<std::uint64_t>(now)) continue;
                    p.source = "cache";
                    out.push_back(std::move(p));
                    if (out.size() >= o.config.cache_max) break;
                }
            }
        }
    }
    if (cached) *cached = out.size();
    for (auto& p : ordered) {
        const bool dup = std::any_of(out.begin(), out.end(), [&](const Peer& q) { return q.u == p.u; });
        if (!dup) out.push_back(std::move(p));
    }
    return out;
}

void BootstrapService::start(std::vector<Peer> candidates, std::size_t cached) {
    for (auto& p : candidates) add(std::move(p));
    stats_.cached = cached;
    started_ = true;
    const std::int64_t now = clock_();
    unjoined_since_ms_ = now;
    next_health_ms_ = now + std::int64_t{options_.config.health_interval_s} * 1000;
    if (!options_.public_url.empty()) next_announce_ms_ = now;  // at the first tick
    listen_token_ = parts_.dht.listen(announce_key(options_.app_id), [this](const std::vector<DhtValue>& v, bool expired) {
        on_announcements(v, expired);
    });
    listening_ = true;
    query_dns();
    pump(now);
    arm_timer();
}

void BootstrapService::stop() {
    if (!started_) return;
    started_ = false;
    timer_.cancel();
    if (listening_) parts_.dht.cancel_listen(listen_token_);
    listening_ = false;
}

void BootstrapService::add(Peer peer) {
    if (find(peer.u) || candidates_.size() >= kMaxCandidates) return;
    candidates_.push_back(Candidate{std::move(peer)});
    stats_.candidates = candidates_.size();
}

BootstrapService::Candidate* BootstrapService::find(const std::string& url) {
    for (auto& c : candidates_)
        if (c.peer.u == url) return &c;
    return nullptr;
}

void BootstrapService::arm_timer() {
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([this](const asio::error_code& ec) {
        if (ec || !started_) return;
        tick();
        arm_timer();
    });
}

void BootstrapService::tick() {
    const std::int64_t now = clock_();
    const bool joined = parts_.dht.good_nodes() > 0;
    if (joined && !stats_.joined) log::info("bootstrap: joined the DHT ({} good nodes)", parts_.dht.good_nodes());
    stats_.joined = joined;
    if (joined) {
        unjoined_since_ms_ = 0;
    } else if (unjoined_since_ms_ == 0) {
        unjoined_since_ms_ = now;
    } else if (now - unjoined_since_ms_ >= kRejoinAfterMs) {
        // Every node is gone: start over with every candidate still in rotation.
        for (auto& c : candidates_) {
            c.failed = false;
            c.attempts = 0;
        }
        unjoined_since_ms_ = now;
    }
    if (!joined) pump(now);
    if (now >= next_health_ms_) {
        next_health_ms_ = now + std::int64_t{options_.config.health_interval_s} * 1000;
        health_check(now);
    }
    if (!options_.public_url.empty() && now >= next_announce_ms_) {
        next_announce_ms_ = now + kAnnouncePeriodMs;
        announce(now);
    }
}

// Starts attempts until kParallel run, skipping dead and failed candidates and those waiting out a backoff.
void BootstrapService::pump(std::int64_t now) {
    std::size_t running = 0;
    for (const auto& c : candidates_) running += c.trying;
    for (auto& c : candidates_) {
        if (running >= kParallel) return;
        if (c.trying || c.failed || c.dead || c.worked || c.next_try_ms > now) continue;
        ++running;
        attempt(c, now);
    }
}

void BootstrapService::attempt(Candidate& c, std::int64_t now) {
    ++stats_.attempts;
    ++c.attempts;
    if (c.peer.t == "dht") {
        // A DHT node: OpenDHT dials it (and keeps retrying on its own); joining shows in good_nodes.
        auto [host, port] = split_host_port(c.peer.u);
        parts_.dht.bootstrap(host, port);
        c.worked = true;
        return;
    }
    c.trying = true;
    const std::string url = c.peer.u;
    parts_.http.get(http_base(url) + "/.well-known/pigeonhub-bootstrap", std::chrono::milliseconds(kFetchDeadlineMs),
                    [this, alive = std::weak_ptr<char>(alive_), url](HttpResult r) {
                        if (alive.expired() || !started_) return;
                        fetched(url, r.body, r.status, r.error, false);
                    });
    (void)now;
}

void BootstrapService::fetched(const std::string& url, const std::string& body, int status, const std::string& error,
                               bool health) {
    Candidate* c = find(url);
    if (!c) return;
    c->trying = false;
    const std::int64_t now = clock_();
    std::string why;
    if (status != 200) why = status ? "HTTP " + std::to_string(status) : error;
    std::optional<BootstrapDocument> doc;
    if (why.empty()) {
        auto check = bootstrap::check_document(body, options_.app_id, static_cast<std::uint64_t>(now), kDocumentMaxAgeMs);
        if (!check.doc) {
            ++stats_.documents_refused;
            why = "its bootstrap document was refused: " + check.problem;
        } else {
            doc = std::move(check.doc);
        }
    }
    if (health) {
        const bool was_dead = c->dead;
        c->dead = !why.empty();
        if (c->dead && !was_dead) log::warn("bootstrap: {} failed its health check ({}): out of rotation", url, why);
        if (!c->dead && was_dead) log::info("bootstrap: {} is healthy again: back in rotation", url);
        stats_.dead = static_cast<std::size_t>(std::count_if(candidates_.begin(), candidates_.end(), [](const Candidate& x) { return x.dead; }));
        if (doc) learned(*doc, "well-known:" + url);
        return;
    }
    if (!why.empty()) return failed(*c, why, now);
    c->worked = true;
    c->peer.timestamp = static_cast<std::uint64_t>(now);
    if (!doc->dht.empty()) log::info("bootstrap: joining through {} (hub {}, DHT {})", url, doc->hub_id, doc->dht.front());
    join_through(*doc);
    learned(*doc, "well-known:" + url);
    save_cache();
}

void BootstrapService::failed(Candidate& c, const std::string& why, std::int64_t now) {
    ++stats_.failures;
    if (c.attempts >= static_cast<int>(options_.config.retries)) {
        c.failed = true;
        log::warn("bootstrap: {} failed ({}), attempt {} of {}: next candidate", c.peer.u, why, c.attempts,
                  options_.config.retries);
    } else {
        // Full jitter: a random wait up to base * 2^(attempts-1), capped.
        const std::int64_t cap = std::min(kBackoffMaxMs, kBackoffBaseMs << std::min(c.attempts - 1, 10));
        rng_ ^= rng_ << 13;
        rng_ ^= rng_ >> 7;
        rng_ ^= rng_ << 17;
        const std::int64_t wait = static_cast<std::int64_t>(rng_ % static_cast<std::uint64_t>(cap + 1));
        c.next_try_ms = now + wait;
        log::warn("bootstrap: {} failed ({}), attempt {} of {}: again in {} ms", c.peer.u, why, c.attempts,
                  options_.config.retries, wait);
    }
    pump(now);
}

void BootstrapService::join_through(const BootstrapDocument& doc) {
    for (const auto& hp : doc.dht) {
        auto [host, port] = split_host_port(hp);
        parts_.dht.bootstrap(host, port);
    }
}

// The hubs another hub knows become candidates too (discovered tier).
void BootstrapService::learned(const BootstrapDocument& doc, const std::string& source) {
    for (const auto& h : doc.hubs) {
        if (h.u.empty() || h.u == options_.public_url) continue;
        Peer p;
        p.t = "hub";
        p.u = h.u;
        p.region = h.region;
        p.priority = h.priority;
        p.description = h.description;
        p.public_key = h.public_key;
        p.tier = Tier::discovered;
        p.source = source;
        add(std::move(p));
    }
}

void BootstrapService::health_check(std::int64_t) {
    for (auto& c : candidates_) {
        if (c.peer.t != "hub" || c.trying) continue;
        ++stats_.health_checks;
        const std::string url = c.peer.u;
        parts_.http.get(http_base(url) + "/.well-known/pigeonhub-bootstrap", std::chrono::milliseconds(kFetchDeadlineMs),
                        [this, alive = std::weak_ptr<char>(alive_), url](HttpResult r) {
                            if (alive.expired() || !started_) return;
                            fetched(url, r.body, r.status, r.error, true);
                        });
    }
}

std::string BootstrapService::document() const {
    BootstrapDocument doc;
    doc.app_id = options_.app_id;
    doc.hub_id = parts_.dht.hub_id();
    doc.url = options_.public_url;
    doc.region = options_.region;
    doc.dht = bootstrap::default_dht_endpoints(options_.dht_bind, parts_.dht_port ? parts_.dht_port() : 0,
                                    options_.config.dht_public_address);
    if (parts_.hubs)
        for (const auto& h : parts_.hubs()) {
            if (h.hub_id == doc.hub_id || h.url.empty() || doc.hubs.size() >= 64) continue;
            KnownHub k;
            k.u = h.url;
            k.region = h.region;
            doc.hubs.push_back(std::move(k));
        }
    doc.timestamp = static_cast<std::uint64_t>(clock_());
    return bootstrap::sign_document(std::move(doc), parts_.key);
}

void BootstrapService::announce(std::int64_t) {
    parts_.dht.publish(announce_key(options_.app_id), mesh::hub_record_id(parts_.dht.hub_id() + "/bootstrap"), document());
}

void BootstrapService::on_announcements(const std::vector<DhtValue>& values, bool expired) {
    if (expired || !started_) return;
    const std::int64_t now = clock_();
    for (const auto& v : values) {
        if (v.owner == parts_.dht.hub_id()) continue;
        if (v.owner.empty() || !parts_.is_member || !parts_.is_member(v.owner)) {
            ++stats_.announcements_refused;  // not signed by a hub of this mesh
            continue;
        }
        auto check = bootstrap::check_document(v.data, options_.app_id, static_cast<std::uint64_t>(now), kDocumentMaxAgeMs);
        if (!check.doc || check.doc->hub_id != v.owner) {
            ++stats_.announcements_refused;  // forged, stale, for another app, or naming another hub (wrongly keyed)
            continue;
        }
        ++stats_.announcements_accepted;
        if (!check.doc->url.empty() && check.doc->url != options_.public_url) {
            Peer p;
            p.t = "hub";
            p.u = check.doc->url;
            p.region = check.doc->region;
            p.public_key = check.doc->public_key;
            p.timestamp = check.doc->timestamp;
            p.tier = Tier::discovered;
            p.source = "dht";
            add(std::move(p));
        }
    }
}

void BootstrapService::query_dns() {
    if (!parts_.dns) return;
    for (const auto& domain : options_.config.dns) {
        parts_.dns->query(dns_txt_name(domain), std::chrono::milliseconds(kDnsTimeoutMs),
                          [this, alive = std::weak_ptr<char>(alive_), domain](std::vector<std::string> txt, std::string error) {
                              if (alive.expired() || !started_) return;
                              if (!error.empty()) {
                                  ++stats_.dns_errors;
                                  log::warn("bootstrap: DNS TXT of {}: {}", domain, error);
                              }
                              for (const auto& record : txt) {
                                  auto peer = peer_from_txt(record, domain);
                                  if (!peer) continue;
                                  ++stats_.dns_records;
                                  add(std::move(*peer));
                              }
                              pump(clock_());
                          });
    }
}

void BootstrapService::save_cache() {
    if (options_.config.cache_max == 0) return;
    std::vector<Peer> keep;
    for (const auto& c : candidates_)
        if (c.worked && c.peer.t == "hub") keep.push_back(c.peer);
    for (const auto& c : candidates_)
        if (!c.worked && c.peer.tier == Tier::discovered && c.peer.t == "hub" && !c.dead) {
            Peer p = c.peer;
            if (p.timestamp == 0) p.timestamp = static_cast<std::uint64_t>(clock_());
            keep.push_back(std::move(p));
        }
    std::sort(keep.begin(), keep.end(), [](const Peer& a, const Peer& b) { return a.timestamp > b.timestamp; });
    if (keep.size() > options_.config.cache_max) keep.resize(options_.config.cache_max);
    if (auto err = write_file_atomically(cache_path(options_.state_dir), "{\"peers\":" + bootstrap::peers_to_json(keep) + "}\n");
        !err.empty())
        log::warn("bootstrap: {}", err);
}

std::vector<Peer> BootstrapService::candidates() const {
    std::vector<Peer> out;
    for (const auto& c : candidates_) out.push_back(c.peer);
    return out;
}

BootstrapStats BootstrapService::stats() const {
    BootstrapStats s = stats_;
    for (const auto& c : candidates_) s.candidate_urls.push_back(c.peer.u);
    return s;
}

}  // namespace pigeonhub
