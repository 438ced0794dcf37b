#include "bootstrap/peer_address.h"

#include "util/url.h"

namespace pigeonhub::bootstrap {
namespace {

// The scheme of `address` lower-cased ("" when there is no "://").
std::string scheme_of(std::string_view address) {
    const std::size_t sep = address.find("://");
    if (sep == std::string_view::npos) return {};
    std::string scheme(address.substr(0, sep));
    for (char& c : scheme)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return scheme;
}

bool is_dht_node(std::string_view address) {
    if (address.find_first_of("/?#") != std::string_view::npos) return false;
    // The port is required (parse_http_url would default "host" and "host:" to 80).
    const std::size_t colon = address.rfind(':');
    if (colon == std::string_view::npos || colon + 1 == address.size()) return false;
    if (address.find(']', colon) != std::string_view::npos) return false;  // "[::1]": that colon is the address's
    // parse_http_url checks the host (names, IPv4, bracketed IPv6) and the port's digits and range.
    return parse_http_url("http://" + std::string(address)).has_value();
}

}  // namespace

AddressKind classify_address(std::string_view address) {
    const std::string scheme = scheme_of(address);
    // A comma separates the entries of BOOTSTRAP_PEERS (and -Dproduction_bootstrap): an address with one, taken from a
    // file, the cache, DNS or another hub, could not be written back in that syntax as one address.
    if (address.find(',') != std::string_view::npos) return scheme.empty() ? AddressKind::neither : AddressKind::bad_url;
    if (scheme.empty()) return is_dht_node(address) ? AddressKind::dht : AddressKind::neither;
    // ws and wss are http and https for what is checked here (host, port, path).
    std::string_view rest = address.substr(scheme.size());  // "://..."
    if (scheme == "ws" || scheme == "http")
        return parse_http_url("http" + std::string(rest)) ? AddressKind::hub : AddressKind::bad_url;
    if (scheme == "wss" || scheme == "https")
        return parse_http_url("https" + std::string(rest)) ? AddressKind::hub : AddressKind::bad_url;
    return AddressKind::neither;
}

std::string address_problem(AddressKind kind, std::string_view address) {
    std::string out = "'" + std::string(address) + "'";
    if (kind == AddressKind::bad_url) {
        out += " is not a valid hub URL (a host, an optional port 1..65535, an optional path)";
    } else {
        out += " is neither a hub URL (ws://, wss://, http://, https://) nor a DHT node host:port";
    }
    return out;
}

}  // namespace pigeonhub::bootstrap
