// GET /metrics: every counter of /stats in the Prometheus text format (api/prometheus.h), without per-namespace
// labels (the number of series stays fixed whatever clients do).
#include <sys/types.h>

#include "api/prometheus.h"
#include "api/rest_api.h"
#include "pigeonhub/version.h"
#include "util/process_stats.h"

namespace pigeonhub {
namespace {

using prom::Label;
using prom::Writer;

void write_signaling(Writer& w, const Router& router, const SignalingStats& s) {
    w.gauge("pigeonhub_connections", "WebSocket connections admitted by the router",
            static_cast<std::uint64_t>(router.connections()));
    w.gauge("pigeonhub_announced_peers", "Peers announced in a namespace on this hub",
            static_cast<std::uint64_t>(router.announced_peers()));
    w.gauge("pigeonhub_namespaces", "Namespaces with at least one peer on this hub",
            static_cast<std::uint64_t>(router.namespaces()));
    w.counter("pigeonhub_connections_admitted", "WebSocket connections admitted", s.admitted);
    w.counter("pigeonhub_connections_rejected", "WebSocket connections refused by the router, by reason")
        .sample(s.rejected_invalid_id, {{"reason", "invalid_peer_id"}})
        .sample(s.rejected_duplicate, {{"reason", "duplicate"}})
        .sample(s.rejected_full, {{"reason", "full"}});
    w.counter("pigeonhub_announces_refused", "Announces refused by an abuse budget, by reason")
        .sample(s.announce_rate_limited, {{"reason", "announce_rate"}})
        .sample(s.namespace_rate_limited, {{"reason", "namespace_rate"}})
        .sample(s.namespace_full, {{"reason", "namespace_full"}});
    w.counter("pigeonhub_messages_received", "Messages received from clients, by type");
    for (std::size_t i = 0; i < SignalingStats::kTypes; ++i)
        w.sample(s.received[i], {{"type", message_type_name(static_cast<MessageType>(i))}});
    w.counter("pigeonhub_messages_sent", "Messages sent to clients, by type (signals relayed, discovery, errors)");
    for (std::size_t i = 0; i < SignalingStats::kTypes; ++i) {
        const auto type = static_cast<MessageType>(i);
        if (type == MessageType::unknown) continue;
        w.sample(s.relayed[i] + (type == MessageType::peer_discovered ? s.discovered_sent : 0),
                 {{"type", message_type_name(type)}});
    }
    w.sample(s.disconnected_sent, {{"type", "peer-disconnected"}}).sample(s.errors_sent, {{"type", "error"}});
    w.counter("pigeonhub_messages_forwarded_to_mesh", "Signals handed to another hub", s.forwarded_to_mesh);
    w.counter("pigeonhub_messages_delivered_from_mesh", "Signals from another hub delivered here", s.delivered_from_mesh);
}

void write_transport(Writer& w, const SignalingStats& s, const TransportStats& t) {
    w.counter("pigeonhub_messages_dropped", "Messages not delivered or not handled, by reason");
    for (std::size_t i = 0; i < SignalingStats::kDrops; ++i)
        w.sample(s.dropped[i], {{"reason", drop_reason_name(static_cast<DropReason>(i))}});
    w.sample(t.rate_limited, {{"reason", "rate_limited"}})
        .sample(s.invalid_json, {{"reason", "invalid_json"}})
        .sample(s.glare_rejections_absorbed, {{"reason", "glare_absorbed"}});
    w.gauge("pigeonhub_websocket_sockets", "Open WebSocket sockets (admitted or closing)", t.sessions);
    w.counter("pigeonhub_websocket_upgrades", "WebSocket upgrades answered with 101", t.upgrades);
    w.counter("pigeonhub_websocket_closes", "WebSockets closed by the hub, by reason")
        .sample(t.closed_too_big, {{"reason", "too_big"}})
        .sample(t.closed_protocol, {{"reason", "protocol_error"}})
        .sample(t.closed_bad_utf8, {{"reason", "invalid_utf8"}})
        .sample(t.closed_idle, {{"reason", "idle"}})
        .sample(t.closed_probe, {{"reason", "probe_timeout"}})
        .sample(t.closed_overflow, {{"reason", "send_queue_overflow"}})
        .sample(t.closed_output_stall, {{"reason", "output_stall"}});
    w.counter("pigeonhub_websocket_received_bytes", "Bytes read from WebSocket sockets", t.bytes_in);
    w.counter("pigeonhub_websocket_sent_bytes", "Bytes written to WebSocket sockets", t.bytes_out);
    w.counter("pigeonhub_websocket_pings_sent", "WebSocket pings sent to silent sockets", t.pings_sent);
    w.gauge("pigeonhub_send_queue_bytes", "Bytes queued to WebSocket sockets, not yet written", t.queued_bytes);
    w.counter("pigeonhub_output_paused", "Times a socket's reading stopped: output over MAX_OUTPUT_BUFFER",
              t.output_paused);
    double sum = static_cast<double>(t.relay_latency.sum_ns) / 1e9;
    w.histogram("pigeonhub_relay_latency_seconds",
                "Time from a routed message's arrival to its send being queued (or handed to the mesh)")
        .buckets({RelayLatency::kBoundsSeconds, t.relay_latency.counts, sum});
}

void write_listener(Writer& w, const ListenerStats& l, bool accepting) {
    w.gauge("pigeonhub_accepting", "1 while the listener accepts connections", accepting ? 1.0 : 0.0);
    w.counter("pigeonhub_http_accepted", "TCP connections accepted", l.accepted);
    w.counter("pigeonhub_http_accept_errors", "accept() failures", l.accept_errors);
    w.counter("pigeonhub_http_out_of_descriptors", "accept() failures for want of descriptors", l.out_of_descriptors);
    w.counter("pigeonhub_http_shed", "Connections answered 503 on the spare descriptor", l.shed);
    w.counter("pigeonhub_http_at_bound", "Times the listener paused at MAX_HTTP_CONNECTIONS", l.http_at_bound);
}

void write_admission(Writer& w, const AdmissionStats& a, std::uint64_t peer_list_refused) {
    w.gauge("pigeonhub_admission_addresses", "Client addresses the per-address limits remember now", a.addresses);
    w.counter("pigeonhub_admission_refused", "Connections and requests refused by a per-address limit, by limit")
        .sample(a.ws_cap, {{"limit", "connections_per_address"}})
        .sample(a.connection_rate, {{"limit", "new_connection_rate"}})
        .sample(a.http_cap, {{"limit", "http_per_address"}})
        .sample(a.rest_rate, {{"limit", "rest_rate"}})
        .sample(a.table_full, {{"limit", "tracked_addresses"}});
    w.counter("pigeonhub_admission_evicted", "Idle client addresses forgotten at MAX_TRACKED_ADDRESSES", a.evicted);
    w.counter("pigeonhub_admission_forwarded", "Requests from a trusted proxy counted against the forwarded client",
              a.forwarded);
    w.counter("pigeonhub_admission_forwarded_ignored",
              "Requests whose forwarding header was ignored (the peer is not in TRUSTED_PROXIES)", a.forwarded_ignored);
    w.counter("pigeonhub_peer_list_refused", "GET /peers answered 403 (PEER_LIST=off)", peer_list_refused);
}

void write_dht_requests(Writer& w, std::string_view name, std::string_view help, const DhtMessageCounts& c) {
    w.counter(name, help)
        .sample(c.ping, {{"type", "ping"}})
        .sample(c.find, {{"type", "find"}})
        .sample(c.get, {{"type", "get"}})
        .sample(c.listen, {{"type", "listen"}})
        .sample(c.put, {{"type", "put"}});
}

void write_mesh(Writer& w, const MeshStatus& ms) {
    const MeshStats& m = ms.stats;
    w.gauge("pigeonhub_dht_ready", "1 while the DHT is connected (or alone by configuration)", ms.ready ? 1.0 : 0.0);
    w.gauge("pigeonhub_dht_good_nodes", "Other DHT nodes reachable now", static_cast<std::uint64_t>(ms.good_nodes));
    write_dht_requests(w, "pigeonhub_dht_messages_sent", "DHT requests sent, by kind (OpenDHT's counters)",
                       ms.dht_traffic.requests_out);
    write_dht_requests(w, "pigeonhub_dht_messages_received", "DHT requests received, by kind (OpenDHT's counters)",
                       ms.dht_traffic.requests_in);
    w.counter("pigeonhub_dht_datagrams_sent", "UDP datagrams the DHT node sent (requests, replies, listen pushes)",
              ms.dht_traffic.datagrams_out);
    w.counter("pigeonhub_dht_sent_bytes", "Bytes of the UDP datagrams the DHT node sent", ms.dht_traffic.bytes_out);
    w.counter("pigeonhub_dht_packets_dropped_late",
              "Received DHT datagrams OpenDHT dropped unread after 650 ms in its queue (its thread fell behind)",
              ms.dht_traffic.packets_dropped_late);
    w.counter("pigeonhub_dht_updates_to_lost_listens",
              "Values pushed to a listen OpenDHT 2.4.12 had closed on its side (lost)",
              ms.dht_traffic.updates_to_lost_listens);
    w.counter("pigeonhub_dht_incomplete_replies",
              "DHT replies in many datagrams (50 values or more) OpenDHT dropped whole because a part never came",
              ms.dht_traffic.incomplete_replies);
    w.gauge("pigeonhub_dht_receive_buffer_bytes",
            "Receive buffer of the DHT node's UDP socket as the kernel reports it (twice what was set, on Linux)",
            ms.dht_traffic.receive_buffer);
    w.counter("pigeonhub_dht_puts", "Values put on the DHT (records, signals, data)", ms.dht_puts);
    w.counter("pigeonhub_dht_put_failures", "DHT puts OpenDHT reported failed", ms.dht_put_failures);
    w.counter("pigeonhub_dht_gets", "DHT lookups", ms.dht_gets);
    w.counter("pigeonhub_dht_get_failures", "DHT lookups OpenDHT reported failed", ms.dht_get_failures);
    w.counter("pigeonhub_dht_listens", "DHT listens started", ms.dht_listens);
    w.gauge("pigeonhub_dht_listens_active", "DHT listens open now", ms.dht_listens_active);
    w.gauge("pigeonhub_dht_listen_keys", "Keys with an OpenDHT listen (kept for the node's life; at most "
            "MESH_NAMESPACE_BUCKETS presence keys)", ms.dht_listen_keys);
    w.gauge("pigeonhub_hubs", "Member hubs listed in /hubs, this one included", static_cast<std::uint64_t>(ms.hubs.size()));
    w.gauge("pigeonhub_remote_peers", "Peers on other hubs known here", static_cast<std::uint64_t>(ms.remote_peers));
    w.gauge("pigeonhub_presence_pages", "Presence pages this hub publishes now", static_cast<std::uint64_t>(ms.presence_pages));
    w.counter("pigeonhub_presence_published", "Presence page edits published", m.presence_published);
    w.counter("pigeonhub_mesh_records_received", "Presence records seen from other hubs", m.records_received);
    w.counter("pigeonhub_mesh_records_invalid", "Malformed, unsigned or inconsistent records ignored", m.records_invalid);
    w.counter("pigeonhub_mesh_records_other_namespace",
              "Presence pages of namespaces with no member here, heard on a shared presence key", m.records_other_namespace);
    w.counter("pigeonhub_mesh_records_refused", "Records refused for their signer or a bound, by reason")
        .sample(m.refused_reason[static_cast<std::size_t>(Refusal::not_member)], {{"reason", "not_member"}})
        .sample(m.refused_reason[static_cast<std::size_t>(Refusal::bad_certificate)], {{"reason", "bad_certificate"}})
        .sample(m.refused_reason[static_cast<std::size_t>(Refusal::revoked)], {{"reason", "revoked"}})
        .sample(m.refused_reason[static_cast<std::size_t>(Refusal::over_bound)], {{"reason", "over_bound"}})
        .sample(m.refused_reason[static_cast<std::size_t>(Refusal::bad_signature)], {{"reason", "bad_signature"}})
        .sample(m.refused_reason[static_cast<std::size_t>(Refusal::rate_limited)], {{"reason", "rate_limited"}});
    w.counter("pigeonhub_mesh_records_stale", "Presence and hub records older than the current edit (ignored)", m.records_stale);
    w.counter("pigeonhub_mesh_records_throttled", "Member hubs' records over their hub's budget (deferred or dropped)",
              m.records_throttled);
    w.gauge("pigeonhub_mesh_records_deferred", "Presence pages waiting for their hub's budget", m.records_deferred);
    w.gauge("pigeonhub_mesh_hubs_throttled", "Member hubs over their page or signal budget now", m.hubs_throttled);
    w.gauge("pigeonhub_mesh_records_pending", "Records held until their signer's membership is known", m.records_pending);
    w.counter("pigeonhub_sealed_signals_sent", "Sealed signals sent to other hubs", m.signals_sent);
    w.counter("pigeonhub_sealed_signals_received", "Sealed signals received from other hubs", m.signals_received);
    w.counter("pigeonhub_sealed_signals_unopened", "Sealed signals forged, replayed, or whose key never came",
              m.signals_unopened);
    w.counter("pigeonhub_sealed_signals_duplicate", "Sealed signals received twice", m.signals_duplicate);
    w.counter("pigeonhub_sealed_signals_undeliverable", "Sealed signals whose target was gone", m.signals_undeliverable);
    w.counter("pigeonhub_hub_records_published", "Hub record edits published", m.hub_records_published);
}

void write_data(Writer& w, const DataStatus& d) {
    w.gauge("pigeonhub_data_records", "Signed data records stored", static_cast<std::uint64_t>(d.data.records));
    w.gauge("pigeonhub_data_bytes", "Bytes of signed data records stored", static_cast<std::uint64_t>(d.data.bytes));
    w.counter("pigeonhub_data_published", "Data records published here", d.data.published);
    w.counter("pigeonhub_data_publish_refused", "Publishes refused", d.data.publish_refused);
    w.counter("pigeonhub_data_finds", "Data lookups", d.data.finds);
    w.counter("pigeonhub_data_dht_invalid", "DHT values under a data key that were no record of that topic (ignored)",
              d.data.dht_invalid);
    w.counter("pigeonhub_data_dht_puts", "Data records put on the DHT", d.data.dht_puts);
    w.counter("pigeonhub_data_dht_put_failures", "Data record puts that failed", d.data.dht_put_failures);
    w.counter("pigeonhub_data_replication_sent", "Data records replicated over HTTP", d.replication.sent);
    w.counter("pigeonhub_data_replication_failed", "HTTP replications that failed", d.replication.failed);
}

void write_bootstrap(Writer& w, const BootstrapStats& b) {
    w.gauge("pigeonhub_bootstrap_joined", "1 once the hub joined through a bootstrap candidate", b.joined ? 1.0 : 0.0);
    w.gauge("pigeonhub_bootstrap_candidates", "Bootstrap candidates known", static_cast<std::uint64_t>(b.candidates));
    w.counter("pigeonhub_bootstrap_attempts", "Bootstrap candidate attempts", b.attempts);
    w.counter("pigeonhub_bootstrap_failures", "Bootstrap candidate attempts that failed", b.failures);
}

void write_process(Writer& w, std::int64_t started_at_ms) {
    const MemoryStats mem = read_memory_stats();
    const ProcessStats p = read_process_stats();
    w.gauge("process_resident_memory_bytes", "Resident memory size in bytes", mem.rss);
    w.gauge("process_open_fds", "Open file descriptors", p.open_fds);
    w.gauge("process_max_fds", "Maximum number of open file descriptors (soft limit)", p.max_fds);
    w.counter("process_cpu_seconds", "User and system CPU time spent in seconds").sample(p.cpu_seconds);
    w.gauge("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds",
            static_cast<double>(started_at_ms) / 1000.0);
}

void write_access(Writer& w, const AccessStats& a) {
    w.gauge("pigeonhub_access_protected_namespaces", "Protected namespace rules (NAMESPACE_AUTH)",
            a.protected_namespaces);
    w.counter("pigeonhub_access_announces",
              "Announces into protected namespaces, by verdict (allowed, pending, or why refused)");
    for (std::size_t i = 0; i < AccessStats::kVerdicts; ++i) {
        const auto v = static_cast<auth::Verdict>(i);
        if (v == auth::Verdict::check_password) continue;  // never a final verdict
        w.sample(a.announces[i], {{"verdict", auth::verdict_name(v)}});
    }
    w.counter("pigeonhub_access_password_checks", "argon2id password checks run", a.password_checks);
    w.counter("pigeonhub_access_password_cache_hits", "Password checks answered by the cache", a.password_cache_hits);
    w.gauge("pigeonhub_access_password_checks_running", "argon2id checks running now", a.password_checks_running);
}

}  // namespace

HttpReply RestApi::metrics(std::int64_t now) const {
    const SignalingStats& s = router_.stats();
    Writer w;
    w.gauge("pigeonhub_build_info", "The running pigeonhubd (always 1)").sample(std::uint64_t{1}, {{"version", version()}});
    w.gauge("pigeonhub_draining", "1 from SIGTERM until exit (/health answers 503)", info_.draining ? 1.0 : 0.0);
    write_signaling(w, router_, s);
    write_transport(w, s, transport_);
    write_listener(w, listener_, info_.ready && !info_.draining && listener_problem(now).empty());
    if (info_.admission) write_admission(w, *info_.admission, peer_list_refused_);
    if (info_.mesh) write_mesh(w, info_.mesh());
    if (info_.data) write_data(w, info_.data());
    if (info_.bootstrap) write_bootstrap(w, info_.bootstrap());
    if (info_.access) write_access(w, info_.access());
    write_process(w, info_.started_at_ms);
    HttpReply r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = w.take();
    return r;
}

}  // namespace pigeonhub
