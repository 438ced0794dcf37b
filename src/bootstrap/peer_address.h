// What a bootstrap address is (include/pigeonhub/bootstrap.h): a hub URL (ws://, wss://, http://, https://) or a
// DHT node host:port, and the words an error uses for one that is neither. Pure string checks.
#pragma once

#include <string>
#include <string_view>

namespace pigeonhub::bootstrap {

enum class AddressKind {
    hub,      // a hub URL: one of the four schemes (any case), a host, an optional port 1..65535, an optional path
              // (no address has a comma: it separates the entries of a BOOTSTRAP_PEERS list)
    dht,      // "host:port" or "[v6]:port", port 1..65535 required
    bad_url,  // one of the four schemes, but no valid URL after it
    neither,
};

// Hosts as util/url.h's parse_http_url takes them: a name of letters, digits, '-', '.', '_', an IPv4 literal or a
// bracketed IPv6 literal (no zone); nothing with user info, spaces, controls or non-ASCII bytes.
AddressKind classify_address(std::string_view address);

// "'foo' is neither a hub URL (ws://, wss://, http://, https://) nor a DHT node host:port", or for bad_url
// "'wss://' is not a valid hub URL (...)". REQUIRES: kind is bad_url or neither.
std::string address_problem(AddressKind kind, std::string_view address);

}  // namespace pigeonhub::bootstrap
