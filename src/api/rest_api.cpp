#include "api/rest_api.h"

#include <charconv>
#include <ctime>

#include "config/config_loader.h"
#include "util/url.h"
#include "pigeonhub/peer_id.h"
#include "pigeonhub/version.h"
#include "protocol/json_writer.h"
#include "util/process_stats.h"

namespace pigeonhub {
namespace {

constexpr std::size_t kDefaultPageSize = 100;
constexpr std::size_t kMaxPageSize = 1000;

HttpReply json_reply(int status, std::string body) {
    HttpReply r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

HttpReply error_reply(int status, std::string_view message, std::string_view path) {
    JsonWriter w;
    w.begin_object().field("error", message).field("path", path).end_object();
    return json_reply(status, w.take());
}

std::size_t query_size(std::string_view target, std::string_view name, std::size_t fallback, std::size_t max) {
    auto v = query_param(target, name);
    if (!v) return fallback;
    std::size_t n = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc{} || p != v->data() + v->size()) return fallback;
    return n > max ? max : n;
}

void write_memory(JsonWriter& w) {
    MemoryStats m = read_memory_stats();
    w.key("memory").begin_object()
        .field("rss", m.rss)
        .field("peakRss", m.peak_rss)
        .field("heapTotal", m.heap_total)
        .field("heapUsed", m.heap_used)
        .end_object();
}

// DHT requests by kind, as OpenDHT counts them (dht_traffic.h).
void write_dht_requests(JsonWriter& w, std::string_view key, const DhtMessageCounts& c) {
    w.key(key).begin_object()
        .field("ping", c.ping)
        .field("find", c.find)
        .field("get", c.get)
        .field("listen", c.listen)
        .field("put", c.put)
        .end_object();
}

// /stats "access": namespace access control (docs/AUTH.md). Never a secret: counts only.
void write_access(JsonWriter& w, const AccessStats& a) {
    w.key("access").begin_object()
        .field("protectedNamespaces", a.protected_namespaces)
        .field("denied", a.denied())
        .field("passwordChecks", a.password_checks)
        .field("passwordChecksRunning", a.password_checks_running)
        .field("passwordCacheHits", a.password_cache_hits)
        .field("passwordCacheSize", a.password_cache_size);
    w.key("announces").begin_object();
    for (std::size_t i = 0; i < AccessStats::kVerdicts; ++i) {
        const auto v = static_cast<auth::Verdict>(i);
        if (v != auth::Verdict::check_password) w.field(auth::verdict_name(v), a.announces[i]);
    }
    w.end_object().end_object();
}

}  // namespace

std::string iso_time(std::int64_t ms) {
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
    return buf;
}

RestApi::RestApi(const Config& config, const Router& router, const TransportStats& transport,
                 const ListenerStats& listener, const HubInfo& info)
    : config_(config), router_(router), transport_(transport), listener_(listener), info_(info) {}

std::vector<RestRoute> RestApi::routes() const {
    return {
        {"/", [this](std::string_view, std::int64_t) { return home(); }},
        {"/health", [this](std::string_view, std::int64_t now) { return health(now); }},
        {"/hubs", [this](std::string_view, std::int64_t now) { return hubs(now); }},
        {"/signaling", [this](std::string_view, std::int64_t now) { return signaling(now); }},
        {"/peers", [this](std::string_view target, std::int64_t) { return peers(target); }},
        {"/generate-peer-id", [this](std::string_view, std::int64_t) { return generate_peer_id(); }},
        {"/stats", [this](std::string_view, std::int64_t now) { return stats(now); }},
        {"/metrics", [this](std::string_view, std::int64_t now) { return metrics(now); }},
    };
}

HttpReply RestApi::not_found(std::string_view path) { return error_reply(404, "Not found", path); }

HttpReply RestApi::method_not_allowed(std::string_view path, std::string_view allowed) {
    HttpReply r = error_reply(405, "Method not allowed", path);
    r.headers.emplace_back("Allow", allowed == "POST" ? "POST, OPTIONS" : "GET, HEAD, OPTIONS");
    return r;
}

HttpReply RestApi::home() const {
    HttpReply r;
    r.content_type = "text/html; charset=utf-8";
    r.body = std::string("<!doctype html><html><head><title>PigeonHub</title></head><body>"
                         "<h1>PigeonHub signaling hub</h1>"
                         "<p>pigeonhubd ") + version() +
             ": a PeerPigeon-compatible WebRTC signaling hub. Connect a PeerPigeon client to "
             "<code>ws://&lt;this host&gt;/?peerId=&lt;40 hex&gt;</code>.</p>" +
             std::string(config_.http.demo ? "<p>Try it: <a href=\"/demo/\">the demo page</a> (two tabs, one room).</p>" : "") +
             "<p>Endpoints: <a href=\"/health\">/health</a>, <a href=\"/stats\">/stats</a>, "
             "<a href=\"/metrics\">/metrics</a>, <a href=\"/signaling\">/signaling</a>, <a href=\"/peers\">/peers</a>, <a href=\"/hubs\">/hubs</a>, "
             "<a href=\"/generate-peer-id\">/generate-peer-id</a>.</p></body></html>\n";
    return r;
}

std::string RestApi::listener_problem(std::int64_t now) const {
    const ListenerStats& l = listener_;
    if (l.accept_failing && now - l.accept_failing_since_ms >= kListenerStallMs)
        return "not accepting connections: accept() failing for " + std::to_string(now - l.accept_failing_since_ms) +
               " ms (" + l.last_error + ")";
    if (l.paused_at_bound && now - l.paused_since_ms >= kListenerStallMs)
        return "not accepting connections: " + std::to_string(l.max_http_connections) +
               " HTTP connections open (MAX_HTTP_CONNECTIONS) for " + std::to_string(now - l.paused_since_ms) + " ms";
    return {};
}

HttpReply RestApi::health(std::int64_t now) const {
    MeshStatus ms;
    if (info_.mesh) ms = info_.mesh();
    // Ready: listening and accepting, and the DHT connected (a one-node DHT counts), or disconnected for less
    // than the grace.
    const bool dht_ok = !info_.mesh || ms.ready || ms.unready_for_ms < config_.mesh.dht_unready_grace_ms;
    const std::string listener = listener_problem(now);
    const bool accepting = info_.ready && !info_.draining && listener.empty();
    std::string reason;
    if (info_.draining) reason = "shutting down";
    else if (!info_.ready) reason = "not listening";
    else if (!listener.empty()) reason = listener;
    else if (!dht_ok) reason = "DHT disconnected for " + std::to_string(ms.unready_for_ms) + " ms";
    const bool healthy = reason.empty();
    JsonWriter w;
    w.begin_object()
        .field("status", healthy ? "healthy" : "unhealthy");
    if (!healthy) w.field("reason", std::string_view(reason));
    w.field("accepting", accepting)
        .field("nodeId", std::string_view(info_.mesh ? ms.hub_id : info_.node_id))
        .field("uptime", now - info_.started_at_ms)
        .field("connected", info_.ready && ms.ready)
        .field("dhtReady", ms.ready)
        .field("dhtNodeId", std::string_view(ms.node_id))
        .field("dhtGoodNodes", ms.good_nodes)
        .field("dhtPort", static_cast<unsigned>(ms.dht_port))
        .field("signalDirReady", info_.ready)
        .field("connections", router_.connections())
        .field("isHub", true)
        .field("peers", router_.announced_peers())
        .field("remotePeers", static_cast<std::uint64_t>(ms.remote_peers))
        .field("hubs", static_cast<std::uint64_t>(info_.mesh ? ms.hubs.size() : 1))
        .field("meshTrust", mesh_trust_name(config_.mesh.trust))
        .field("networks", router_.namespaces())
        .field("environment", std::string_view(config_.environment))
        .field("version", version())
        .field("timestamp", std::string_view(iso_time(now)));
    write_memory(w);
    w.end_object();
    return json_reply(healthy ? 200 : 503, w.take());
}

HttpReply RestApi::hubs(std::int64_t now) const {
    std::vector<mesh::HubRecord> list;
    std::string self_id = info_.node_id;
    if (info_.mesh) {
        MeshStatus ms = info_.mesh();
        list = std::move(ms.hubs);
        self_id = ms.hub_id;
    } else {
        list.push_back(mesh::own_hub_record(info_.node_id, {}, {}, config_.mesh, config_.signaling.max_connections,
                                            router_.connections(), static_cast<std::uint64_t>(now)));
    }
    JsonWriter w;
    w.begin_object().field("timestamp", std::string_view(iso_time(now))).field("totalHubs", static_cast<std::uint64_t>(list.size()));
    w.key("hubs").begin_array();
    for (const auto& h : list) {
        const bool self = h.hub_id == self_id;
        w.begin_object()
            .field("hubId", std::string_view(h.hub_id))
            .field("self", self)
            .field("url", std::string_view(h.url))
            .field("region", std::string_view(h.region))
            .field("version", std::string_view(h.version))
            .field("connections", self ? static_cast<std::uint64_t>(router_.connections()) : h.connections)
            .field("capacity", h.capacity)
            .end_object();
    }
    w.end_array().end_object();
    return json_reply(200, w.take());
}

HttpReply RestApi::signaling(std::int64_t now) const {
    const SignalingStats& s = router_.stats();
    JsonWriter w;
    w.begin_object()
        .field("timestamp", std::string_view(iso_time(now)))
        .field("connections", router_.connections())
        .field("peers", router_.announced_peers())
        .field("networks", router_.namespaces())
        .field("discoveryMode", config_.signaling.discovery == DiscoveryMode::all ? "all" : "bounded");
    w.key("peersByNetwork").begin_object();
    for (const auto& [name, count] : router_.largest_namespaces(100)) w.field(name, static_cast<std::uint64_t>(count));
    w.end_object();
    w.key("received").begin_object();
    for (std::size_t i = 0; i < SignalingStats::kTypes; ++i)
        if (s.received[i]) w.field(message_type_name(static_cast<MessageType>(i)), s.received[i]);
    w.end_object();
    w.key("relayed").begin_object();
    for (std::size_t i = 0; i < SignalingStats::kTypes; ++i)
        if (s.relayed[i]) w.field(message_type_name(static_cast<MessageType>(i)), s.relayed[i]);
    w.end_object();
    w.key("dropped").begin_object();
    for (std::size_t i = 0; i < SignalingStats::kDrops; ++i)
        w.field(drop_reason_name(static_cast<DropReason>(i)), s.dropped[i]);
    w.end_object();
    w.field("peerDiscoveredSent", s.discovered_sent)
        .field("peerDisconnectedSent", s.disconnected_sent)
        .field("errorsSent", s.errors_sent)
        .field("invalidJson", s.invalid_json)
        .field("glareRejectionsAbsorbed", s.glare_rejections_absorbed);
    w.end_object();
    return json_reply(200, w.take());
}

HttpReply RestApi::generate_peer_id() const {
    JsonWriter w;
    w.begin_object().field("peerId", std::string_view(pigeonhub::generate_peer_id())).end_object();
    return json_reply(200, w.take());
}

HttpReply RestApi::peers(std::string_view target) const {
    auto network = query_param(target, "network");
    if (config_.http.peer_list == PeerList::off) {
        ++peer_list_refused_;
        return error_reply(403, "The peer list is not public on this hub (PEER_LIST=off)", "/peers");
    }
    if (config_.http.peer_list == PeerList::counts) {
        std::size_t total = 0;
        router_.list_peers(network ? std::string_view(*network) : std::string_view(), network.has_value(), 0, 0, &total);
        JsonWriter w;
        w.begin_object().field("total", static_cast<std::uint64_t>(total));
        if (network) w.field("network", std::string_view(*network));
        w.end_object();
        return json_reply(200, w.take());
    }
    const std::size_t offset = query_size(target, "offset", 0, SIZE_MAX);
    const std::size_t limit = query_size(target, "limit", kDefaultPageSize, kMaxPageSize);
    std::size_t total = 0;
    auto list = router_.list_peers(network ? std::string_view(*network) : std::string_view(), network.has_value(),
                                   offset, limit, &total);
    JsonWriter w;
    w.begin_object().field("total", static_cast<std::uint64_t>(total))
        .field("offset", static_cast<std::uint64_t>(offset))
        .field("limit", static_cast<std::uint64_t>(limit));
    if (network) w.field("network", std::string_view(*network));
    w.key("peers").begin_array();
    for (const auto& p : list) {
        w.begin_object()
            .field("peerId", p.peer_id)
            .field("networkName", p.network)
            .field("connectedAt", std::string_view(iso_time(p.connected_at_ms)))
            .field("announcedAt", std::string_view(iso_time(p.announced_at_ms)))
            .end_object();
    }
    w.end_array().end_object();
    return json_reply(200, w.take());
}

HttpReply RestApi::stats(std::int64_t now) const {
    const MeshStatus ms = info_.mesh ? info_.mesh() : MeshStatus{};
    const SignalingStats& s = router_.stats();
    const TransportStats& t = transport_;
    std::uint64_t received = 0, relayed = 0;
    for (auto v : s.received) received += v;
    for (auto v : s.relayed) relayed += v;
    JsonWriter w;
    w.begin_object()
        .field("isRunning", info_.ready)
        .field("isHub", true)
        .field("hubPeerId", std::string_view(info_.node_id))
        .field("version", version())
        .field("environment", std::string_view(config_.environment))
        .field("host", std::string_view(config_.http.host))
        .field("port", static_cast<unsigned>(info_.port))
        .field("uptime", now - info_.started_at_ms)
        .field("connections", router_.connections())
        .field("peers", router_.announced_peers())
        .field("networks", router_.namespaces())
        .field("hubs", static_cast<std::uint64_t>(info_.mesh ? ms.hubs.size() : 1))
        .field("maxConnections", config_.signaling.max_connections)
        .field("maxMessageSize", config_.session.max_message_size);
    w.key("messages").begin_object()
        .field("received", received)
        .field("relayed", relayed)
        .field("invalidJson", s.invalid_json)
        .field("errorsSent", s.errors_sent)
        .field("peerDiscoveredSent", s.discovered_sent)
        .field("peerDisconnectedSent", s.disconnected_sent)
        .end_object();
    w.key("admission").begin_object()
        .field("accepted", s.admitted)
        .field("invalidPeerId", s.rejected_invalid_id)
        .field("duplicate", s.rejected_duplicate)
        .field("full", s.rejected_full)
        .end_object();
    w.key("announcesRefused").begin_object()  // the abuse budgets (README "Bounds")
        .field("rateLimited", s.announce_rate_limited)
        .field("namespaceRateLimited", s.namespace_rate_limited)
        .field("namespaceFull", s.namespace_full)
        .end_object();
    w.key("transport").begin_object()
        .field("sockets", t.sessions)
        .field("upgrades", t.upgrades)
        .field("bytesIn", t.bytes_in)
        .field("bytesOut", t.bytes_out)
        .field("messagesIn", t.messages_in)
        .field("messagesOut", t.messages_out)
        .field("pingsSent", t.pings_sent)
        .field("rateLimited", t.rate_limited)
        .field("closedTooBig", t.closed_too_big)
        .field("closedProtocolError", t.closed_protocol)
        .field("closedInvalidUtf8", t.closed_bad_utf8)
        .field("closedIdle", t.closed_idle)
        .field("closedProbe", t.closed_probe)
        .field("closedSendQueueOverflow", t.closed_overflow)
        .field("closedOutputStall", t.closed_output_stall)
        .field("queuedBytes", t.queued_bytes)
        .field("outputPaused", t.output_paused)
        .field("writtenAtOnce", t.written_at_once)
        .end_object();
    const ListenerStats& l = listener_;
    w.key("listener").begin_object()
        .field("accepting", info_.ready && listener_problem(now).empty())
        .field("accepted", l.accepted)
        .field("acceptErrors", l.accept_errors)
        .field("outOfDescriptors", l.out_of_descriptors)
        .field("shed", l.shed)
        .field("lastError", std::string_view(l.last_error))
        .field("maxHttpConnections", l.max_http_connections)
        .field("httpAtBound", l.http_at_bound)
        .field("pausedAtBound", l.paused_at_bound)
        .end_object();
    if (const AdmissionStats* a = info_.admission) {
        w.key("admission").begin_object()
            .field("addresses", a->addresses)
            .field("refusedConnectionsPerAddress", a->ws_cap)
            .field("refusedNewConnectionRate", a->connection_rate)
            .field("refusedHttpPerAddress", a->http_cap)
            .field("refusedRestRate", a->rest_rate)
            .field("refusedTableFull", a->table_full)
            .field("evicted", a->evicted)
            .field("forwarded", a->forwarded)
            .field("forwardedIgnored", a->forwarded_ignored)
            .field("peerListRefused", peer_list_refused_)
            .end_object();
    }
    if (info_.mesh) {
        const MeshStats& m = ms.stats;
        w.key("mesh").begin_object()
            .field("dhtReady", ms.ready)
            .field("dhtGoodNodes", ms.good_nodes)
            .field("hubs", static_cast<std::uint64_t>(ms.hubs.size()))
            .field("remotePeers", static_cast<std::uint64_t>(ms.remote_peers))
            .field("dhtMessagesOut", ms.dht_traffic.requests_out.total())  // requests only (dht_traffic.h)
            .field("dhtMessagesIn", ms.dht_traffic.requests_in.total())
            .field("dhtDatagramsOut", ms.dht_traffic.datagrams_out)
            .field("dhtBytesOut", ms.dht_traffic.bytes_out)
            .field("dhtPacketsDroppedLate", ms.dht_traffic.packets_dropped_late)
            .field("dhtUpdatesToLostListens", ms.dht_traffic.updates_to_lost_listens)
            .field("dhtIncompleteReplies", ms.dht_traffic.incomplete_replies)
            .field("dhtReceiveBuffer", ms.dht_traffic.receive_buffer)
            .field("valuesAnnounced", static_cast<std::uint64_t>(ms.values_announced))
            .field("presencePages", static_cast<std::uint64_t>(ms.presence_pages))
            .field("dhtListensActive", ms.dht_listens_active)
            .field("dhtListenKeys", ms.dht_listen_keys)
            .field("presencePublished", m.presence_published)
            .field("presenceWithdrawn", m.presence_withdrawn)
            .field("recordsReceived", m.records_received)
            .field("recordsInvalid", m.records_invalid)
            .field("recordsStale", m.records_stale)
            .field("recordsOtherNamespace", m.records_other_namespace)
            .field("recordsPending", m.records_pending)
            .field("recordsThrottled", m.records_throttled)
            .field("recordsDeferred", m.records_deferred)
            .field("hubsThrottled", m.hubs_throttled)
            .field("members", m.members)
            .field("certificatesVerified", m.certificates_verified)
            .field("certificatesDeferred", m.certificates_deferred)
            .field("remotePeersRefused", m.remote_peers_refused)
            .field("signalsLateDropped", m.signals_late_dropped)
            .field("signalGapsSkipped", m.signal_gaps_skipped)
            .field("signalsSent", m.signals_sent)
            .field("signalsReceived", m.signals_received)
            .field("signalsDuplicate", m.signals_duplicate)
            .field("signalsUndeliverable", m.signals_undeliverable)
            .field("signalsUnopened", m.signals_unopened)
            .field("linkKeysSent", m.link_keys_sent)
            .field("linkKeysReceived", m.link_keys_received)
            .field("hubRecordsPublished", m.hub_records_published)
            .field("forwardedToMesh", s.forwarded_to_mesh)
            .field("deliveredFromMesh", s.delivered_from_mesh);
        // Records refused for who signed them or a bound (docs/MESH.md "Membership"), by reason and by kind.
        auto reason = [&m](Refusal r) { return m.refused_reason[static_cast<std::size_t>(r)]; };
        auto kind = [&m](RecordKind k) { return m.refused_kind[static_cast<std::size_t>(k)]; };
        w.key("refused").begin_object()
            .field("notMember", reason(Refusal::not_member))
            .field("badCertificate", reason(Refusal::bad_certificate))
            .field("revoked", reason(Refusal::revoked))
            .field("overBound", reason(Refusal::over_bound))
            .field("badSignature", reason(Refusal::bad_signature))
            .field("rateLimited", reason(Refusal::rate_limited))
            .end_object();
        w.key("refusedKinds").begin_object()
            .field("presence", kind(RecordKind::presence))
            .field("hubRecord", kind(RecordKind::hub_record))
            .field("linkKey", kind(RecordKind::link_key))
            .field("keyRequest", kind(RecordKind::key_request))
            .field("signal", kind(RecordKind::signal))
            .end_object();
        write_dht_requests(w, "dhtRequestsOut", ms.dht_traffic.requests_out);
        write_dht_requests(w, "dhtRequestsIn", ms.dht_traffic.requests_in);
        w.end_object();
    }
    if (info_.access) write_access(w, info_.access());
    if (info_.bootstrap) {
        const BootstrapStats b = info_.bootstrap();
        w.key("bootstrap").begin_object()
            .field("joined", b.joined)
            .field("candidates", static_cast<std::uint64_t>(b.candidates))
            .field("dead", static_cast<std::uint64_t>(b.dead))
            .field("cached", static_cast<std::uint64_t>(b.cached))
            .field("attempts", b.attempts)
            .field("failures", b.failures)
            .field("documentsRefused", b.documents_refused)
            .field("announcementsAccepted", b.announcements_accepted)
            .field("announcementsRefused", b.announcements_refused)
            .field("dnsRecords", b.dns_records)
            .field("dnsErrors", b.dns_errors)
            .field("healthChecks", b.health_checks);
        w.key("candidateUrls").begin_array();
        for (const auto& u : b.candidate_urls) w.value(std::string_view(u));
        w.end_array().end_object();
    }
    if (info_.data) {
        const DataStatus d = info_.data();
        w.key("data").begin_object()
            .field("records", static_cast<std::uint64_t>(d.data.records))
            .field("bytes", static_cast<std::uint64_t>(d.data.bytes))
            .field("unsent", static_cast<std::uint64_t>(d.data.unsent))
            .field("published", d.data.published)
            .field("publishRefused", d.data.publish_refused)
            .field("replicatedIn", d.data.replicated_in)
            .field("replicateRefused", d.data.replicate_refused)
            .field("finds", d.data.finds)
            .field("findTimeouts", d.data.find_timeouts)
            .field("badSignatures", d.data.bad_signatures)
            .field("dhtInvalid", d.data.dht_invalid)
            .field("dhtPuts", d.data.dht_puts)
            .field("dhtPutFailures", d.data.dht_put_failures)
            .field("storeFull", d.data.store_full)
            .field("storeSaves", d.data.store_saves)
            .field("storeSaveErrors", d.data.store_save_errors)
            .field("httpReplications", d.data.http_replications)
            .field("replicationSent", d.replication.sent)
            .field("replicationRefused", d.replication.refused)
            .field("replicationFailed", d.replication.failed)
            .field("replicationDropped", d.replication.dropped)
            .field("replicationRetries", d.replication.retries)
            .field("replicationPending", static_cast<std::uint64_t>(d.replication_pending))
            .end_object();
    }
    write_memory(w);
    w.end_object();
    return json_reply(200, w.take());
}

}  // namespace pigeonhub
