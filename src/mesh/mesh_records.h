// The JSON records hubs exchange through the DHT, and the keys they live under. Pure functions.
//
//   presence  key h(app, "ns", N)   {"v":1,"peerId":P,"hubId":H,"network":N,"data":{...}}  or  {...,"gone":true}
//   inbox     key h(app, "hub", H)  {"v":1,"from":F,"epoch":E,"seq":S,"to":T,"network":N,"msg":{...}} (encrypted to H)
//   hubs      key h(app, "hubs")    {"v":1,"hubId":H,"url":U,"region":R,"version":V,"connections":C,"capacity":M}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pigeonhub/config.h"

namespace pigeonhub::mesh {

std::string presence_key(std::string_view app_id, std::string_view ns);
std::string inbox_key(std::string_view app_id, std::string_view hub_id);
std::string hubs_key(std::string_view app_id);

// The value id of the presence record of `peer` published by `hub`: stable across refreshes, distinct per hub
// (so a peer that moves to another hub is not blocked by its old hub's record, owned by another key).
std::uint64_t presence_record_id(std::string_view peer, std::string_view hub);

struct Presence {
    std::string peer_id;
    std::string hub_id;
    std::string network;
    std::string data;  // raw JSON object: the discovery data ({"peerId":...,"isHub":false,...})
    bool gone = false;
};
std::string encode_presence(const Presence& p);
// nullopt for anything malformed, or whose data.peerId is not peer_id.
std::optional<Presence> decode_presence(std::string_view text);

struct Signal {
    std::string from;
    std::uint64_t epoch = 0;  // numbering of the (from, to) pair, see signal_order.h
    std::uint32_t seq = 0;
    std::string to;
    std::string network;
    std::string msg;  // raw JSON object, delivered verbatim
};
std::string encode_signal(const Signal& s);
std::optional<Signal> decode_signal(std::string_view text);

struct HubRecord {
    std::string hub_id;
    std::string url;
    std::string region;
    std::string version;
    std::uint64_t connections = 0;
    std::uint64_t capacity = 0;
};
// This hub's record from its configuration and current load.
HubRecord own_hub_record(std::string hub_id, const Config& config, std::uint64_t connections);
std::string encode_hub(const HubRecord& h);
std::optional<HubRecord> decode_hub(std::string_view text);

}  // namespace pigeonhub::mesh
