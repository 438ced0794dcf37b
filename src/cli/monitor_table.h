// `pigeonhub monitor`: one row per hub from its /health and /stats, and the table they make. Pure.
//
//   HUB                          STATUS     CONNS   PEERS  NS  DHT  MSG/S   RSS MiB
//   http://127.0.0.1:3000        healthy        2       2   1    2     14      12.5
//
// MSG/S is messages.received (/stats) per second between two samples of the same hub ("-" for the first one).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pigeonhub::cli {

struct HubSample {
    std::string url;
    std::string status;           // "healthy", "unhealthy", "unreachable"
    std::uint64_t connections = 0;
    std::uint64_t peers = 0;
    std::uint64_t namespaces = 0;
    std::uint64_t dht_good_nodes = 0;
    std::uint64_t messages = 0;   // messages.received since the hub started
    std::uint64_t rss_bytes = 0;
    std::int64_t at_ms = 0;       // when the sample was taken (steady clock)
};

// A sample from the two replies (HTTP status 0: no reply). Fields absent from the bodies stay 0.
HubSample parse_sample(std::string url, int health_status, std::string_view health_body, int stats_status,
                       std::string_view stats_body, std::int64_t at_ms);

// Messages per second between `before` and `now` of one hub; -1 when there is no earlier sample to compare, the
// hub was unreachable in either, or the counter went back (a restart).
double message_rate(const HubSample* before, const HubSample& now);

// The table: a header and one row per entry of `now`; `before` (same order, same size) or empty.
std::string format_table(const std::vector<HubSample>& now, const std::vector<HubSample>& before);
// JSON: [{"url","status","connections","peers","namespaces","dhtGoodNodes","messagesPerSecond"|null,"rss"}].
std::string format_table_json(const std::vector<HubSample>& now, const std::vector<HubSample>& before);

}  // namespace pigeonhub::cli
