#include "net/client_address.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "util/text.h"

namespace pigeonhub {
namespace {

bool is_port(std::string_view s) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return !s.empty() && ec == std::errc{} && p == s.data() + s.size() && v <= 65535;
}

// Only literal addresses: make_address would accept a scope ("fe80::1%eth0") that no forwarded hop needs.
std::optional<asio::ip::address> literal(std::string_view s) {
    if (s.empty() || s.size() > 45 || s.find('%') != std::string_view::npos) return std::nullopt;
    asio::error_code ec;
    auto a = asio::ip::make_address(std::string(s), ec);
    if (ec) return std::nullopt;
    return a;
}

asio::ip::address_v6::bytes_type as_v6_bytes(const asio::ip::address& a) {
    if (a.is_v4()) return asio::ip::make_address_v6(asio::ip::v4_mapped, a.to_v4()).to_bytes();
    return a.to_v6().to_bytes();
}

}  // namespace

std::string AddressKey::to_string() const {
    if (!v6) return asio::ip::address_v4({bytes[0], bytes[1], bytes[2], bytes[3]}).to_string();
    asio::ip::address_v6::bytes_type b{};
    std::memcpy(b.data(), bytes.data(), 8);
    return asio::ip::address_v6(b).to_string() + "/64";
}

std::size_t AddressKeyHash::operator()(const AddressKey& k) const noexcept {
    std::uint64_t v = 0;
    std::memcpy(&v, k.bytes.data(), 8);
    v ^= k.v6 ? 0x9e3779b97f4a7c15ull : 0;
    v *= 0xff51afd7ed558ccdull;  // a multiplicative mix; the table's keys come from clients but the map is
    return static_cast<std::size_t>(v ^ (v >> 32));  // bounded (MAX_TRACKED_ADDRESSES), so collisions cost little
}

AddressKey address_key(const asio::ip::address& a) {
    AddressKey k;
    if (a.is_v6() && a.to_v6().is_v4_mapped()) return address_key(asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()));
    if (a.is_v4()) {
        const auto b = a.to_v4().to_bytes();
        std::memcpy(k.bytes.data(), b.data(), 4);
        return k;
    }
    const auto b = a.to_v6().to_bytes();
    std::memcpy(k.bytes.data(), b.data(), 8);
    k.v6 = true;
    return k;
}

std::optional<asio::ip::address> parse_hop(std::string_view s) {
    s = trim(s);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = trim(s.substr(1, s.size() - 2));
    if (s.empty()) return std::nullopt;
    if (s.front() == '[') {
        const auto close = s.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        const std::string_view rest = s.substr(close + 1);
        if (!rest.empty() && !(rest.front() == ':' && is_port(rest.substr(1)))) return std::nullopt;
        auto a = literal(s.substr(1, close - 1));
        if (!a || !a->is_v6()) return std::nullopt;
        return a;
    }
    const auto colons = std::count(s.begin(), s.end(), ':');
    if (colons == 1) {  // IPv4 with a port
        const auto c = s.find(':');
        if (!is_port(s.substr(c + 1))) return std::nullopt;
        auto a = literal(s.substr(0, c));
        if (!a || !a->is_v4()) return std::nullopt;
        return a;
    }
    return literal(s);
}

std::string CidrList::parse(std::string_view list) {
    blocks_.clear();
    while (!list.empty()) {
        const auto comma = list.find(',');
        const std::string_view item = trim(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        if (item.empty()) continue;
        const auto slash = item.find('/');
        auto a = literal(item.substr(0, slash));
        if (!a) return std::string(item) + ": not an IP address";
        const unsigned width = a->is_v4() ? 32 : 128;
        unsigned prefix = width;
        if (slash != std::string_view::npos) {
            const std::string_view p = item.substr(slash + 1);
            auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
            if (p.empty() || ec != std::errc{} || end != p.data() + p.size() || prefix > width)
                return std::string(item) + ": bad prefix length";
        }
        Block b;
        b.bytes = as_v6_bytes(*a);
        b.prefix = prefix + (a->is_v4() ? 96 : 0);
        blocks_.push_back(b);
    }
    return {};
}

bool CidrList::contains(const asio::ip::address& a) const {
    const auto bytes = as_v6_bytes(a);
    for (const Block& b : blocks_) {
        unsigned bits = b.prefix, i = 0;
        for (; bits >= 8; bits -= 8, ++i)
            if (bytes[i] != b.bytes[i]) break;
        if (bits >= 8) continue;  // a whole byte differed
        const std::uint8_t mask = static_cast<std::uint8_t>(0xFF00u >> bits);
        if (bits == 0 || (bytes[i] & mask) == (b.bytes[i] & mask)) return true;
    }
    return false;
}

std::vector<std::string_view> x_forwarded_for_hops(std::string_view value) {
    std::vector<std::string_view> hops;
    while (true) {
        const auto comma = value.find(',');
        hops.push_back(trim(value.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return hops;
}

std::vector<std::string_view> forwarded_for_hops(std::string_view value) {
    // Elements are separated by commas, pairs by semicolons; a quoted string may hold either.
    std::vector<std::string_view> hops;
    std::size_t start = 0;
    bool quoted = false;
    std::string_view hop;
    auto end_pair = [&](std::size_t end) {
        const std::string_view pair = trim(value.substr(start, end - start));
        if (pair.size() > 4 && (pair[0] | 0x20) == 'f' && (pair[1] | 0x20) == 'o' && (pair[2] | 0x20) == 'r' &&
            pair[3] == '=')
            hop = pair.substr(4);
        start = end + 1;
    };
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (quoted) {
            if (c == '\\') ++i;
            else if (c == '"') quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ';') {
            end_pair(i);
        } else if (c == ',') {
            end_pair(i);
            hops.push_back(hop);
            hop = {};
        }
    }
    end_pair(value.size());
    hops.push_back(hop);
    return hops;
}

asio::ip::address client_address(const asio::ip::address& peer, const CidrList& trusted, ForwardedHeader which,
                                 const std::vector<std::string_view>& values, bool* used) {
    if (used) *used = false;
    if (values.empty() || !trusted.contains(peer)) return peer;
    std::vector<std::string_view> hops;
    for (auto v : values) {
        auto h = which == ForwardedHeader::forwarded ? forwarded_for_hops(v) : x_forwarded_for_hops(v);
        hops.insert(hops.end(), h.begin(), h.end());
    }
    asio::ip::address client = peer;
    for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
        auto hop = parse_hop(*it);
        if (!hop) break;
        client = *hop;
        if (!trusted.contains(*hop)) break;
    }
    if (used) *used = client != peer;
    return client;
}

}  // namespace pigeonhub
