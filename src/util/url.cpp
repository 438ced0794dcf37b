#include "util/url.h"

#include <arpa/inet.h>

#include "util/hex.h"

namespace pigeonhub {
namespace {

std::string decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '+' && plus_is_space) {
            out += ' ';
        } else if (c == '%' && i + 2 < s.size() && hex::is_digit(s[i + 1]) && hex::is_digit(s[i + 2])) {
            out += static_cast<char>(hex::value(s[i + 1]) * 16 + hex::value(s[i + 2]));
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::string percent_decode(std::string_view s) { return decode(s, false); }

std::optional<std::string> query_param(std::string_view target, std::string_view name) {
    std::size_t q = target.find('?');
    if (q == std::string_view::npos) return std::nullopt;
    std::string_view query = target.substr(q + 1);
    if (std::size_t hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
    std::size_t i = 0;
    while (i <= query.size()) {
        std::size_t amp = query.find('&', i);
        if (amp == std::string_view::npos) amp = query.size();
        std::string_view pair = query.substr(i, amp - i);
        std::size_t eq = pair.find('=');
        std::string_view k = pair.substr(0, eq);
        std::string_view v = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
        if (!pair.empty() && decode(k, true) == name) return decode(v, true);
        i = amp + 1;
    }
    return std::nullopt;
}

std::string_view target_path(std::string_view target) noexcept {
    std::size_t end = target.find_first_of("?#");
    return end == std::string_view::npos ? target : target.substr(0, end);
}

namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_';
}

}  // namespace

std::optional<HostPort> parse_host_port(std::string_view authority) {
    HostPort out;
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        out.host = std::string(authority.substr(1, close - 1));
        // inet_pton reads a C string: a NUL inside the brackets would end the address there and let the bytes after
        // it (controls, non-ASCII) through. An IPv6 literal is only hex digits, ':' and '.'.
        if (out.host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos) return std::nullopt;
        in6_addr addr;
        if (inet_pton(AF_INET6, out.host.c_str(), &addr) != 1) return std::nullopt;
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return std::nullopt;
            port = after.substr(1);
        }
    } else {
        const std::size_t colon = authority.find(':');
        std::string_view host = authority.substr(0, colon);
        if (host.empty()) return std::nullopt;
        for (char c : host) {
            if (!is_name_char(c)) return std::nullopt;
        }
        out.host = std::string(host);
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (!port.empty()) {
        if (port.size() > 5) return std::nullopt;
        unsigned value = 0;
        for (char c : port) {
            if (c < '0' || c > '9') return std::nullopt;
            value = value * 10 + static_cast<unsigned>(c - '0');
        }
        if (value == 0 || value > 65535) return std::nullopt;
        out.port = static_cast<std::uint16_t>(value);
    }
    return out;
}

std::optional<HttpUrl> parse_http_url(std::string_view url) {
    for (char c : url) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f) return std::nullopt;
    }
    HttpUrl out;
    if (starts_with_nocase(url, "http://")) {
        url.remove_prefix(7);
        out.port = 80;
    } else if (starts_with_nocase(url, "https://")) {
        url.remove_prefix(8);
        out.https = true;
        out.port = 443;
    } else {
        return std::nullopt;
    }
    const std::size_t end = url.find_first_of("/?#");
    std::string_view authority = url.substr(0, end);
    std::string_view rest = end == std::string_view::npos ? std::string_view() : url.substr(end);
    if (authority.find('@') != std::string_view::npos) return std::nullopt;
    auto host_port = parse_host_port(authority);
    if (!host_port) return std::nullopt;
    out.host = std::move(host_port->host);
    // "host:" with no digits keeps the default, as WHATWG URL does.
    if (host_port->port != 0) out.port = host_port->port;

    rest = rest.substr(0, rest.find('#'));
    if (rest.empty() || rest.front() != '/') out.target.push_back('/');
    out.target.append(rest);
    return out;
}

std::string ws_as_http(std::string_view url) {
    if (starts_with_nocase(url, "ws://")) return "http://" + std::string(url.substr(5));
    if (starts_with_nocase(url, "wss://")) return "https://" + std::string(url.substr(6));
    return std::string(url);
}

bool is_http_or_ws_url(std::string_view url) { return parse_http_url(ws_as_http(url)).has_value(); }

}  // namespace pigeonhub
