#include "api/demo_config.h"

#include <algorithm>

#include "protocol/json_writer.h"
#include "util/text.h"

namespace pigeonhub {

namespace {

bool fail(std::string* error, std::string why) {
    if (error) *error = std::move(why);
    return false;
}

bool parse_one(std::string_view entry, IceServer* out, std::string* error) {
    if (entry.size() > kMaxIceServerLength)
        return fail(error, "an entry is longer than " + std::to_string(kMaxIceServerLength) + " bytes");
    if (std::any_of(entry.begin(), entry.end(), [](char c) {
            return static_cast<unsigned char>(c) <= 0x20 || c == '"' || c == '\\' || c == 0x7f;
        }))
        return fail(error, "an entry holds a space, a quote, a backslash or a control character");
    const auto colon = entry.find(':');
    const std::string_view scheme = colon == std::string_view::npos ? std::string_view() : entry.substr(0, colon);
    if (scheme != "stun" && scheme != "stuns" && scheme != "turn" && scheme != "turns")
        return fail(error, "'" + std::string(entry) + "': not a stun:, stuns:, turn: or turns: URL");
    std::string_view rest = entry.substr(colon + 1);
    const auto at = rest.substr(0, rest.find('?')).rfind('@');
    if (at != std::string_view::npos) {
        if (scheme.substr(0, 4) != "turn") return fail(error, "'" + std::string(entry) + "': credentials on a STUN URL");
        const std::string_view userinfo = rest.substr(0, at);
        const auto sep = userinfo.find(':');
        if (sep == std::string_view::npos || sep == 0)
            return fail(error, "'" + std::string(scheme) + ":…@…': credentials are USER:PASSWORD");
        out->username = userinfo.substr(0, sep);
        out->credential = userinfo.substr(sep + 1);
        rest = rest.substr(at + 1);
    }
    if (rest.empty() || rest.front() == '?' || rest.front() == ':')
        return fail(error, "'" + std::string(scheme) + ":': no host");
    out->url = std::string(scheme) + ":" + std::string(rest);
    return true;
}

}  // namespace

std::optional<std::vector<IceServer>> parse_ice_servers(std::string_view list, std::string* error) {
    std::vector<IceServer> servers;
    if (trim(list).empty()) return servers;
    for (bool more = true; more;) {
        const auto comma = list.find(',');
        const std::string_view entry = trim(list.substr(0, comma));
        more = comma != std::string_view::npos;
        if (more) list = list.substr(comma + 1);
        if (entry.empty()) {
            fail(error, "an empty entry");
            return std::nullopt;
        }
        if (servers.size() == kMaxIceServers) {
            fail(error, "more than " + std::to_string(kMaxIceServers) + " entries");
            return std::nullopt;
        }
        IceServer s;
        if (!parse_one(entry, &s, error)) return std::nullopt;
        servers.push_back(std::move(s));
    }
    return servers;
}

HttpReply demo_config_reply(const std::vector<IceServer>& servers) {
    JsonWriter w;
    w.begin_object().key("iceServers").begin_array();
    for (const auto& s : servers) {
        w.begin_object().field("urls", std::string_view(s.url));
        if (!s.username.empty() || !s.credential.empty())
            w.field("username", std::string_view(s.username)).field("credential", std::string_view(s.credential));
        w.end_object();
    }
    w.end_array().end_object();
    HttpReply r;
    r.body = w.take();
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
}

}  // namespace pigeonhub
