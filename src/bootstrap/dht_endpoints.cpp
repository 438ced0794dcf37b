// DHT endpoints (dht_endpoints.h): checked with util/url.h's host:port parser, derived from the settings. Pure.
#include "bootstrap/dht_endpoints.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "util/url.h"

namespace pigeonhub::bootstrap {
namespace {

// Addresses that mean "any interface" when bound and nothing when dialed (host without brackets).
bool is_unspecified(const std::string& host) {
    if (host.empty()) return true;
    in_addr v4;
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return v4.s_addr == 0;
    in6_addr v6;
    return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_UNSPECIFIED(&v6);
}

std::string join(std::string_view host, std::uint16_t port) {
    const bool ipv6 = host.find(':') != std::string_view::npos;
    std::string out = ipv6 ? "[" + std::string(host) + "]" : std::string(host);
    return out + ":" + std::to_string(port);
}

}  // namespace

std::optional<std::string> dht_endpoint(std::string_view address, std::uint16_t default_port) {
    auto hp = parse_host_port(address);
    if (!hp || is_unspecified(hp->host)) return std::nullopt;
    const std::uint16_t port = hp->port != 0 ? hp->port : default_port;
    if (port == 0) return std::nullopt;
    return join(hp->host, port);
}

bool is_dht_endpoint(std::string_view endpoint) {
    const auto e = dht_endpoint(endpoint, 0);
    return e && *e == endpoint;  // refuses "host" and "host:" (no port), and "h:04222" (not how we write ports)
}

std::vector<std::string> default_dht_endpoints(std::string_view dht_bind, std::uint16_t port,
                                               std::string_view public_address) {
    std::optional<std::string> e;
    if (!public_address.empty())
        e = dht_endpoint(public_address, port);
    else if (port != 0) {
        // DHT_BIND is an address without a port; an IPv6 one gets the brackets an endpoint needs.
        const bool bare_ipv6 = dht_bind.find(':') != std::string_view::npos && !dht_bind.starts_with('[');
        e = dht_endpoint(bare_ipv6 ? "[" + std::string(dht_bind) + "]" : std::string(dht_bind), port);
    }
    if (!e) return {};
    return {std::move(*e)};
}

}  // namespace pigeonhub::bootstrap
