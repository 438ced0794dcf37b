#include "protocol/outbound.h"

#include <charconv>

#include "protocol/json.h"

namespace pigeonhub::outbound {
namespace {

void append_int(std::string& s, std::int64_t v) {
    char buf[24];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    s.append(buf, p);
}

}  // namespace

std::string_view target_tail(char (&buf)[OutFrame::kTailCapacity], std::string_view id, std::int64_t ts_ms) {
    // id is at most 40 bytes (a validated peer id), the rest is 15 + 20 digits: always fits.
    char* p = buf;
    std::memcpy(p, id.data(), id.size());
    p += id.size();
    static constexpr std::string_view kMid = "\",\"timestamp\":";
    std::memcpy(p, kMid.data(), kMid.size());
    p += kMid.size();
    auto [e, ec] = std::to_chars(p, buf + sizeof buf - 1, ts_ms);
    (void)ec;
    *e++ = '}';
    return std::string_view(buf, static_cast<std::size_t>(e - buf));
}

std::string connected(std::string_view peer_id, std::int64_t ts_ms) {
    std::string s;
    s.reserve(128);
    s += R"({"type":"connected","data":{"peerId":)";
    json::append_quoted(s, peer_id);
    s += R"(},"fromPeerId":"system","timestamp":)";
    append_int(s, ts_ms);
    s += '}';
    return s;
}

std::string discovery_data(std::string_view peer_id, std::string_view data_object) {
    std::string s;
    s.reserve(64 + data_object.size());
    s += R"({"peerId":)";
    json::append_quoted(s, peer_id);
    s += R"(,"isHub":false)";
    if (!data_object.empty()) {
        json::for_each_member(data_object, [&](std::string_view key, const json::Value& v) {
            if (json::string_equals(key, "peerId") || json::string_equals(key, "isHub")) return;
            s += ',';
            s += key;
            s += ':';
            s += v.raw;
        });
    }
    s += '}';
    return s;
}

std::string discovered_head(std::string_view discovery_data, std::string_view namespace_json) {
    std::string s;
    s.reserve(96 + discovery_data.size() + namespace_json.size());
    s += R"({"type":"peer-discovered","data":)";
    s += discovery_data;
    s += R"(,"networkName":)";
    s += namespace_json;
    s += R"(,"fromPeerId":"system","targetPeerId":")";
    return s;
}

std::string disconnected_head(std::string_view peer_id, std::string_view namespace_json) {
    std::string s;
    s.reserve(160 + namespace_json.size());
    s += R"({"type":"peer-disconnected","data":{"peerId":)";
    json::append_quoted(s, peer_id);
    s += R"(,"isHub":false},"networkName":)";
    s += namespace_json;
    s += R"(,"fromPeerId":"system","targetPeerId":")";
    return s;
}

std::string signal(std::string_view type, std::string_view data_raw, std::string_view from, std::string_view to,
                   std::string_view namespace_json, std::int64_t ts_ms) {
    // The reference hub's "responseMessage": targetPeerId is left out when there is none (goodbye).
    std::string s;
    s.reserve(160 + data_raw.size() + namespace_json.size());
    s += R"({"type":)";
    json::append_quoted(s, type);
    if (!data_raw.empty()) {
        s += R"(,"data":)";
        s += data_raw;
    }
    s += R"(,"fromPeerId":)";
    json::append_quoted(s, from);
    if (!to.empty()) {
        s += R"(,"targetPeerId":)";
        json::append_quoted(s, to);
    }
    s += R"(,"networkName":)";
    s += namespace_json;
    s += R"(,"timestamp":)";
    append_int(s, ts_ms);
    s += '}';
    return s;
}

std::string goodbye(std::string_view data_raw, std::string_view from, std::string_view namespace_json,
                    std::int64_t ts_ms) {
    return signal("goodbye", data_raw, from, {}, namespace_json, ts_ms);
}

std::string pong(std::string_view to, std::int64_t ts_ms) {
    std::string s;
    s.reserve(128);
    s += R"({"type":"pong","data":{"timestamp":)";
    append_int(s, ts_ms);
    s += R"(},"fromPeerId":"system","targetPeerId":)";
    json::append_quoted(s, to);
    s += R"(,"timestamp":)";
    append_int(s, ts_ms);
    s += '}';
    return s;
}

std::string error(std::string_view text, std::int64_t ts_ms) {
    std::string s;
    s.reserve(64 + text.size());
    s += R"({"type":"error","error":)";
    json::append_quoted(s, text);
    s += R"(,"timestamp":)";
    append_int(s, ts_ms);
    s += '}';
    return s;
}

std::string unroutable_text(std::string_view type_label) {
    std::string s = "Signaling server does not route '";
    s += type_label;
    s += "' messages. Use WebRTC data channels for peer-to-peer communication.";
    return s;
}

}  // namespace pigeonhub::outbound
