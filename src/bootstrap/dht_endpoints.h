// DHT endpoints as other hubs should dial them ("host:port"), for the bootstrap document (bootstrap_document.h):
// checking one, and deriving this hub's from its settings (DHT_PUBLIC_ADDRESS, else DHT_BIND and DHT_PORT).
// Pure string functions; no resolving, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pigeonhub::bootstrap {

// `address` as a dialable endpoint "host:port": "host" or "host:port", the host a DNS name or an IPv4 literal, or
// an IPv6 literal in brackets ("[2001:db8::1]:4222"; util/url.h, parse_host_port), the port 1..65535 and
// `default_port` when absent. nullopt for anything else, for an unspecified address (0.0.0.0, [::]: nobody can
// dial it), and when the port is absent and `default_port` is 0. The text is kept as given (no case folding).
std::optional<std::string> dht_endpoint(std::string_view address, std::uint16_t default_port);

// True if `endpoint` is exactly a "host:port" that dht_endpoint(endpoint, 0) gives back.
bool is_dht_endpoint(std::string_view endpoint);

// This hub's DHT endpoints as others should dial them. `public_address` (DHT_PUBLIC_ADDRESS) when set: "host" or
// "host:port", the port defaulting to `port`. Else DHT_BIND and `port`, the port actually bound (DHT_PORT 0 binds
// any free port). Empty when that gives nothing dialable: the bind address is unspecified (0.0.0.0, ::, or empty),
// the port is 0, or `public_address` is malformed (check it with dht_endpoint when reading the configuration);
// the caller then logs that DHT_PUBLIC_ADDRESS should be set. At most one endpoint today; a vector because a
// document carries several (bootstrap_document.h, kMaxDhtEndpoints).
std::vector<std::string> default_dht_endpoints(std::string_view dht_bind, std::uint16_t port,
                                               std::string_view public_address);

}  // namespace pigeonhub::bootstrap
