// What the CLI prints: DHT values, peers from presence pages, hub records, data records, health. Pure: values in,
// text out (`json` selects one JSON document per call instead of aligned text). No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mesh/mesh_records.h"

namespace pigeonhub::cli {

// One value as the DHT side hands it over (dht_client.h).
struct RawValue {
    std::uint64_t id = 0;
    std::string owner;  // signer's public key id (40 hex), empty if unsigned
    std::string data;
    bool expired = false;
};

// get/listen: one line per value. Text: "<id hex> <owner|-> <data>" (data that is not UTF-8: "<N bytes>").
// JSON: {"id":"<16 hex>","owner":..,"data":"..."|"dataHex":"..","expired":bool} per line.
std::string format_value(const RawValue& v, bool json);

struct PresencePeer {
    std::string peer_id;
    std::string hub_id;
    std::string data;  // raw JSON object the peer announced
};
// The peers listed by the presence pages among `values` (values under `dht_key`, presence_key(app, ns)) as a hub
// reads them: pages decoded with mesh::decode_presence, counted only when naming `ns` and signed with the page key
// of the hub they name (its record among `hubs`, hubs_from_values), the newest page by seq per (hub, page index);
// sorted by peer id, a peer listed by two hubs kept once (the page with the higher seq wins).
std::vector<PresencePeer> peers_from_pages(const std::vector<RawValue>& values, std::string_view ns,
                                           std::string_view dht_key, const std::vector<mesh::HubRecord>& hubs);
// The peers of /peers?network= (its JSON body); nullopt if the body is not that shape.
std::optional<std::vector<PresencePeer>> peers_from_http(std::string_view body);
// JSON: {"network":N,"total":n,"peers":[{"peerId","hubId","data"}]} (hubId omitted when unknown).
std::string format_peers(const std::vector<PresencePeer>& peers, std::string_view ns, bool json);

// Hub records among `values` (under hubs_key): signed by the hub they name, the newest by `updated` per hub, by id.
std::vector<mesh::HubRecord> hubs_from_values(const std::vector<RawValue>& values);
// The hubs of /hubs (its JSON body); nullopt if the body is not that shape.
std::optional<std::vector<mesh::HubRecord>> hubs_from_http(std::string_view body);
// JSON: {"totalHubs":n,"hubs":[{"hubId","url","region","version","connections","capacity"}]}.
std::string format_hubs(const std::vector<mesh::HubRecord>& hubs, bool json);

// What GET /api/find/<topic> answers for the data records among `values` (under data_key(app, topic)): records
// parsed and verified with data::parse_record, under `topic`, live at `now_ms`, one per publisher (highest seq),
// newest first; the same body {"topic":T,"records":[... "verified":true]}. `*count` gets the number of records.
std::string find_body(const std::vector<RawValue>& values, std::string_view topic, std::int64_t now_ms,
                      std::size_t* count = nullptr);
// A find body (ours or a hub's) for printing: JSON as is; text one "<publicKey> seq=<seq> <data>" per record.
// nullopt if the body is not a find answer. `*count` gets the number of records.
std::optional<std::string> format_find(std::string_view body, bool json, std::size_t* count = nullptr);

// One hub's health: HTTP status 0 when unreachable (`error` says why); healthy when 200 and "status":"healthy".
struct Health {
    std::string url;
    int http_status = 0;
    std::string error;
    std::string body;
};
bool healthy(const Health& h);
// Text: "<url> healthy|unhealthy <reason>|unreachable <error>" per hub. JSON: [{"url","healthy","httpStatus",
// "status","reason"?,"error"?}].
std::string format_health(const std::vector<Health>& hubs, bool json);

// A member of a validated JSON object (top level only), decoded: the string, the number as uint64 (0 if not a
// non-negative integer), or the raw text.
std::optional<std::string> json_string(std::string_view object, std::string_view name);
std::optional<std::uint64_t> json_uint(std::string_view object, std::string_view name);
std::optional<std::string_view> json_raw(std::string_view object, std::string_view name);

}  // namespace pigeonhub::cli
