#include "cli/monitor_table.h"

#include <cstdio>

#include "cli/cli_format.h"
#include "protocol/json_writer.h"

namespace pigeonhub::cli {

HubSample parse_sample(std::string url, int health_status, std::string_view health_body, int stats_status,
                       std::string_view stats_body, std::int64_t at_ms) {
    HubSample s;
    s.url = std::move(url);
    s.at_ms = at_ms;
    if (health_status == 0) {
        s.status = "unreachable";
        return s;
    }
    s.status = json_string(health_body, "status").value_or("unhealthy");
    if (health_status != 200) s.status = "unhealthy";
    s.dht_good_nodes = json_uint(health_body, "dhtGoodNodes").value_or(0);
    if (stats_status != 200) return s;
    s.connections = json_uint(stats_body, "connections").value_or(0);
    s.peers = json_uint(stats_body, "peers").value_or(0);
    s.namespaces = json_uint(stats_body, "networks").value_or(0);
    if (auto m = json_raw(stats_body, "messages")) s.messages = json_uint(*m, "received").value_or(0);
    if (auto m = json_raw(stats_body, "memory")) s.rss_bytes = json_uint(*m, "rss").value_or(0);
    if (auto m = json_raw(stats_body, "mesh")) s.dht_good_nodes = json_uint(*m, "dhtGoodNodes").value_or(s.dht_good_nodes);
    return s;
}

double message_rate(const HubSample* before, const HubSample& now) {
    if (!before || before->status == "unreachable" || now.status == "unreachable") return -1;
    if (now.at_ms <= before->at_ms || now.messages < before->messages) return -1;
    return static_cast<double>(now.messages - before->messages) * 1000.0 / static_cast<double>(now.at_ms - before->at_ms);
}

std::string format_table(const std::vector<HubSample>& now, const std::vector<HubSample>& before) {
    std::string out;
    char line[512];
    std::snprintf(line, sizeof line, "%-30s %-11s %7s %7s %5s %5s %8s %8s\n", "HUB", "STATUS", "CONNS", "PEERS", "NS",
                  "DHT", "MSG/S", "RSS MiB");
    out += line;
    for (std::size_t i = 0; i < now.size(); ++i) {
        const auto& s = now[i];
        const double rate = message_rate(before.size() == now.size() ? &before[i] : nullptr, s);
        char rate_text[32] = "-";
        if (rate >= 0) std::snprintf(rate_text, sizeof rate_text, "%.0f", rate);
        if (s.status == "unreachable") {
            std::snprintf(line, sizeof line, "%-30s %-11s %7s %7s %5s %5s %8s %8s\n", s.url.c_str(), s.status.c_str(),
                          "-", "-", "-", "-", "-", "-");
        } else {
            std::snprintf(line, sizeof line, "%-30s %-11s %7llu %7llu %5llu %5llu %8s %8.1f\n", s.url.c_str(),
                          s.status.c_str(), static_cast<unsigned long long>(s.connections),
                          static_cast<unsigned long long>(s.peers), static_cast<unsigned long long>(s.namespaces),
                          static_cast<unsigned long long>(s.dht_good_nodes), rate_text,
                          static_cast<double>(s.rss_bytes) / (1024.0 * 1024.0));
        }
        out += line;
    }
    return out;
}

std::string format_table_json(const std::vector<HubSample>& now, const std::vector<HubSample>& before) {
    JsonWriter w;
    w.begin_array();
    for (std::size_t i = 0; i < now.size(); ++i) {
        const auto& s = now[i];
        const double rate = message_rate(before.size() == now.size() ? &before[i] : nullptr, s);
        w.begin_object()
            .field("url", s.url)
            .field("status", s.status)
            .field("connections", s.connections)
            .field("peers", s.peers)
            .field("namespaces", s.namespaces)
            .field("dhtGoodNodes", s.dht_good_nodes);
        w.key("messagesPerSecond");
        if (rate < 0) w.null();
        else w.value(static_cast<std::uint64_t>(rate + 0.5));
        w.field("rss", s.rss_bytes).end_object();
    }
    w.end_array();
    return w.take() + '\n';
}

}  // namespace pigeonhub::cli
