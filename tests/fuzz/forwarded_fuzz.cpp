// Fuzz target: arbitrary bytes as forwarding headers (X-Forwarded-For or Forwarded, one or two fields) from a
// trusted or an untrusted peer, into client_address. Asserts its contract: from an untrusted peer the answer is the
// peer; from a trusted one it is the peer or an address that one of the header's hops spells.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "net/client_address.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pigeonhub;
    if (size < 1) return 0;
    static const CidrList trusted = [] {
        CidrList l;
        if (!l.parse("10.0.0.0/8, 2001:db8::/32, 127.0.0.1").empty()) std::abort();
        return l;
    }();
    const std::uint8_t mode = data[0];
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    std::vector<std::string_view> values;
    const auto nul = text.find('\0');
    values.emplace_back(std::string_view(text).substr(0, nul));
    if (nul != std::string::npos) values.emplace_back(std::string_view(text).substr(nul + 1));
    const auto which = (mode & 1) ? ForwardedHeader::forwarded : ForwardedHeader::x_forwarded_for;
    const auto peer = asio::ip::make_address((mode & 2) ? "10.1.2.3" : "192.0.2.1");
    bool used = false;
    const auto client = client_address(peer, trusted, which, values, &used);
    if (!(mode & 2) && (client != peer || used)) std::abort();
    if (client != peer) {
        bool spelled = false;
        for (auto v : values)
            for (auto hop : which == ForwardedHeader::forwarded ? forwarded_for_hops(v) : x_forwarded_for_hops(v))
                spelled = spelled || parse_hop(hop) == client;
        if (!spelled || !used) std::abort();
    }
    (void)address_key(client).to_string();
    CidrList any;
    (void)any.parse(text);
    return 0;
}
