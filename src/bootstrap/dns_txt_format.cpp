#include "bootstrap/dns_txt_format.h"

#include <charconv>

#include "util/hex.h"
#include "util/url.h"
#include "util/utf8.h"

namespace pigeonhub {
namespace {

constexpr std::string_view kVersionToken = "v=pigeonhub1";
constexpr std::size_t kMaxKey = 32;

bool is_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool is_region_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
}

// The tokens of `text`, split on runs of spaces.
std::vector<std::string_view> tokens(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == ' ') {
            ++i;
            continue;
        }
        std::size_t end = text.find(' ', i);
        if (end == std::string_view::npos) end = text.size();
        out.push_back(text.substr(i, end - i));
        i = end;
    }
    return out;
}

// A hub URL (ws, wss, http, https) or a DHT node "host:port". Sets is_hub_url.
bool valid_u(std::string_view u, bool& is_hub_url) {
    if (u.size() > kDnsTxtMaxUrl) return false;
    // A URL (anything with a scheme) is a hub URL, valid or not; util/url.h checks it the one way hub URLs are checked.
    if (u.find("://") != std::string_view::npos) {
        is_hub_url = true;
        return is_http_or_ws_url(u);
    }
    is_hub_url = false;
    if (u.find_first_of("/?#") != std::string_view::npos) return false;
    const std::size_t colon = u.rfind(':');
    // The port is required: a digit after the last ':', and that ':' outside an IPv6 literal's brackets.
    if (colon == std::string_view::npos || colon + 1 == u.size()) return false;
    if (u.front() == '[' ? u[colon - 1] != ']' : u.substr(0, colon).find(':') != std::string_view::npos) return false;
    return parse_http_url("http://" + std::string(u)).has_value();
}

bool parse_priority(std::string_view v, int& out) {
    if (v.empty() || v.size() > 7) return false;
    int n = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || v.front() == '-' || v.front() == '+') return false;
    if (n < 0 || n > kDnsTxtMaxPriority) return false;
    out = n;
    return true;
}

bool parse_description(std::string_view v, std::string& out) {
    std::string decoded;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] != '%') {
            decoded += v[i];
            continue;
        }
        if (i + 2 >= v.size() || !hex::is_digit(v[i + 1]) || !hex::is_digit(v[i + 2])) return false;
        decoded += static_cast<char>(hex::value(v[i + 1]) * 16 + hex::value(v[i + 2]));
        i += 2;
    }
    if (decoded.size() > kDnsTxtMaxDescription || !is_valid_utf8(decoded)) return false;
    for (char c : decoded) {
        const auto b = static_cast<unsigned char>(c);
        if (b < 0x20 || b == 0x7f) return false;
    }
    out = std::move(decoded);
    return true;
}

DnsTxtRecord malformed(std::string error) {
    return {DnsTxtStatus::malformed, {}, std::move(error)};
}

}  // namespace

DnsTxtRecord parse_dns_txt_record(std::string_view text) {
    const auto toks = tokens(text);
    if (toks.empty() || toks.front() != kVersionToken) return {};  // not ours
    if (text.size() > kDnsTxtMaxRecord) return malformed("too long");
    for (char c : text) {
        const auto b = static_cast<unsigned char>(c);
        if (b < 0x20 || b > 0x7e) return malformed("not printable ASCII");
    }

    DnsTxtRecord r{DnsTxtStatus::peer, {}, {}};
    bool has_u = false;
    std::vector<std::string_view> seen;  // keys, for duplicates (unknown ones too)
    for (std::size_t i = 1; i < toks.size(); ++i) {
        const std::string_view tok = toks[i];
        const std::size_t eq = tok.find('=');
        if (eq == std::string_view::npos || eq == 0 || eq + 1 == tok.size() || eq > kMaxKey) {
            return malformed("bad token " + std::to_string(i));
        }
        const std::string_view key = tok.substr(0, eq);
        const std::string_view value = tok.substr(eq + 1);
        for (char c : key) {
            if (!is_key_char(c)) return malformed("bad token " + std::to_string(i));
        }
        for (std::string_view k : seen) {
            if (k == key) return malformed("duplicate key " + std::string(key));
        }
        seen.push_back(key);

        if (key == "v") return malformed("duplicate key v");
        if (key == "u") {
            if (!valid_u(value, r.peer.is_hub_url)) return malformed("bad u=");
            r.peer.u = std::string(value);
            has_u = true;
        } else if (key == "region") {
            if (value.size() > kDnsTxtMaxRegion) return malformed("bad region");
            for (char c : value) {
                if (!is_region_char(c)) return malformed("bad region");
            }
            r.peer.region = std::string(value);
        } else if (key == "priority") {
            if (!parse_priority(value, r.peer.priority)) return malformed("bad priority");
        } else if (key == "description") {
            if (!parse_description(value, r.peer.description)) return malformed("bad description");
        }
        // Unknown keys: ignored (forward compatible).
    }
    if (!has_u) return malformed("missing u=");
    return r;
}

DnsTxtPeers parse_dns_txt_records(const std::vector<std::string>& records) {
    DnsTxtPeers out;
    for (std::size_t i = 0; i < records.size(); ++i) {
        DnsTxtRecord r = parse_dns_txt_record(records[i]);
        if (r.status == DnsTxtStatus::peer) out.peers.push_back(std::move(r.peer));
        if (r.status == DnsTxtStatus::malformed) out.errors.push_back("record " + std::to_string(i) + ": " + r.error);
    }
    return out;
}

std::string dns_txt_name(std::string_view domain) {
    if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
    return std::string(kDnsTxtPrefix) + std::string(domain);
}

}  // namespace pigeonhub
