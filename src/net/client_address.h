// Which client a connection or request counts against (per-address admission, net/admission.h), and the proxies
// whose forwarding headers are believed (TRUSTED_PROXIES). Pure: strings and addresses in, addresses out.
//
// Grouping: an IPv4 client is its address; an IPv6 client is its /64, the smallest block a home or office gets
// (RFC 6177), so one subscriber cannot step around the per-address caps by picking addresses from its own prefix.
// An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack socket reports) is the IPv4 address.
//
// Forwarding: the hub believes `X-Forwarded-For` (or RFC 7239 `Forwarded`, FORWARDED_HEADER says which one: a
// proxy writes one of them, and a client could send the other through it unchanged) only when the TCP peer is a
// trusted proxy. Then the client is the rightmost hop that is not a trusted proxy, reading the header's hops from
// the right (the proxy nearest the hub appends last). A hop that does not parse ("unknown", an obfuscated
// `_name`, garbage) ends the walk: the client is then the last trusted hop walked, so a client cannot hide behind
// a value it made up. Headers from any other peer are ignored.
#pragma once

#include <asio/ip/address.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pigeonhub/config.h"

namespace pigeonhub {

// The unit the per-address caps count: an IPv4 address or an IPv6 /64.
struct AddressKey {
    std::array<std::uint8_t, 8> bytes{};  // IPv4: the 4 bytes; IPv6: the first 8 (the /64)
    bool v6 = false;
    bool operator==(const AddressKey&) const = default;
    std::string to_string() const;  // "127.0.0.1" or "2001:db8:1:2::/64"
};

struct AddressKeyHash {
    std::size_t operator()(const AddressKey& k) const noexcept;
};

// The key of an address (IPv6 grouped by /64, IPv4-mapped IPv6 as IPv4).
AddressKey address_key(const asio::ip::address& a);

// One hop of a forwarding header or one address of a list: "1.2.3.4", "1.2.3.4:80", "2001:db8::1",
// "[2001:db8::1]", "[2001:db8::1]:443". Surrounding spaces and double quotes are ignored. Anything else: nullopt.
std::optional<asio::ip::address> parse_hop(std::string_view s);

// A list of addresses and CIDR blocks (TRUSTED_PROXIES).
class CidrList {
public:
    // "10.0.0.0/8, 192.168.1.7, ::1, fd00::/8". Returns "" or what is wrong with the first bad entry.
    std::string parse(std::string_view list);
    bool contains(const asio::ip::address& a) const;
    bool empty() const noexcept { return blocks_.empty(); }

private:
    struct Block {
        asio::ip::address_v6::bytes_type bytes{};  // IPv4 as IPv4-mapped IPv6
        unsigned prefix = 0;                        // bits of `bytes` that must match (IPv4 blocks: 96 + n)
    };
    std::vector<Block> blocks_;
};

// The hops of one X-Forwarded-For value ("a, b, c"), left to right, unparsed.
std::vector<std::string_view> x_forwarded_for_hops(std::string_view value);
// The `for=` hops of one RFC 7239 Forwarded value ("for=a;proto=https, for=\"[v6]:1\""), left to right, unparsed
// (quotes kept; parse_hop drops them). An element without `for=` is an empty hop (it ends the walk).
std::vector<std::string_view> forwarded_for_hops(std::string_view value);

// What the header in `values` (every field of that name, in order) says about the client of a request from
// `peer`; `peer` itself unless `peer` is trusted. `used` (may be null) is set when the header changed the answer.
asio::ip::address client_address(const asio::ip::address& peer, const CidrList& trusted, ForwardedHeader which,
                                 const std::vector<std::string_view>& values, bool* used = nullptr);

}  // namespace pigeonhub
