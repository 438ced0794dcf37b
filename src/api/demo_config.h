// What the demo page asks its hub for at start (GET /demo/config.json): the ICE servers its WebRTC connections
// use, from DEMO_ICE_SERVERS. Without any (the default), browsers on one machine or one network connect over host
// candidates; across NATs they need a STUN server, and behind symmetric NATs a TURN relay. Pure: no sockets.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/rest_api.h"

namespace pigeonhub {

struct IceServer {
    std::string url;         // stun:, stuns:, turn: or turns:, without the credentials
    std::string username;    // turn(s) only, may be empty
    std::string credential;
};

// At most this many entries, each at most kMaxIceServerLength bytes.
inline constexpr std::size_t kMaxIceServers = 16;
inline constexpr std::size_t kMaxIceServerLength = 512;

// DEMO_ICE_SERVERS: a comma list of stun:, stuns:, turn: and turns: URLs ("" is none). A TURN URL may carry its
// long-term credentials as "turn:USER:PASSWORD@host:port" (they are handed to every page: use a TURN account meant
// for the demo). nullopt, with the reason in `*error`, for a malformed list.
std::optional<std::vector<IceServer>> parse_ice_servers(std::string_view list, std::string* error);

// The answer to GET /demo/config.json: {"iceServers": [{"urls", "username"?, "credential"?}, ...]}, not cached.
HttpReply demo_config_reply(const std::vector<IceServer>& servers);

}  // namespace pigeonhub
