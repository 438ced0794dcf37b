// What the CLI (tools/pigeonhub.cpp) reads from its user, turned into values: DHT keys, hub URLs, prompt lines.
// Pure; no OpenDHT, no sockets.
//
// A key on the command line is one of
//   <40 hex>        that InfoHash as is
//   ns:<N>          the presence key of namespace N   (mesh::presence_key)
//   topic:<T>       the data key of topic T           ("pigeonhub/<app>/data/<T>", as DataService::dht_key)
//   hub:<H>         the inbox key of hub H            (mesh::inbox_key)
//   hubs            the hub directory key             (mesh::hubs_key)
//   anything else   hashed as written (SHA-1 of the text, like dhtnode)
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pigeonhub::cli {

struct DhtKey {
    std::string text;     // what is hashed (InfoHash::get), or the 40 hex digits when `is_hash`
    bool is_hash = false;
};

// The data key of `topic`: "pigeonhub/<app>/data/<topic>" (src/data/data_service.cpp, DataService::dht_key).
std::string data_key(std::string_view app_id, std::string_view topic);
// `arg` as above; nullopt (and `*error`) for an empty name after a prefix or an empty key.
// `buckets`: the hubs' MESH_NAMESPACE_BUCKETS (for ns:).
std::optional<DhtKey> parse_key(std::string_view app_id, std::uint32_t buckets, std::string_view arg,
                                std::string* error = nullptr);

// A hub's base URL from what a user types: "http://h:p", "ws://h:p" (taken as http), or "h:p"; no trailing slash.
// nullopt for https/wss (the HTTP client speaks plain HTTP) and for anything without a host.
std::optional<std::string> hub_base_url(std::string_view arg);

// Percent-encodes `text` for one URL path segment (RFC 3986 unreserved characters kept).
std::string encode_path_segment(std::string_view text);

// A prompt line split into words: blanks separate, '...' and "..." quote (no escapes inside '...'; \" and \\ inside
// "..."), a backslash outside quotes escapes the next character. nullopt for an unterminated quote.
std::optional<std::vector<std::string>> split_line(std::string_view line);

}  // namespace pigeonhub::cli
