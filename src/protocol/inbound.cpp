#include "protocol/inbound.h"

#include <array>
#include <charconv>

namespace pigeonhub {
namespace {

constexpr std::array<std::string_view, static_cast<std::size_t>(MessageType::count_)> kNames = {
    "announce", "goodbye", "offer", "answer", "ice-candidate", "connection-rejected",
    "renegotiation-offer", "renegotiation-answer", "ping", "cleanup", "cleanup-all", "peer-discovered",
    "unknown",
};

MessageType lookup_type(std::string_view name) noexcept {
    for (std::size_t i = 0; i + 1 < kNames.size(); ++i)
        if (kNames[i] == name) return static_cast<MessageType>(i);
    return MessageType::unknown;
}

constexpr std::size_t kMaxLabel = 128;

void set_label(std::string& label, std::string_view text) {
    if (text.size() > kMaxLabel) {
        std::size_t cut = kMaxLabel;  // never split a UTF-8 sequence
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
        text = text.substr(0, cut);
    }
    label.assign(text);
}

bool is_falsy(const json::Value& v) {
    switch (v.kind) {
    case json::Kind::null:
    case json::Kind::boolean_false: return true;
    case json::Kind::string: return v.raw.size() == 2;
    case json::Kind::number: {
        // 0, -0, 0.0, 0e5 ... are falsy in JavaScript.
        for (char c : v.raw) {
            if (c == 'e' || c == 'E') break;
            if (c >= '1' && c <= '9') return false;
        }
        return true;
    }
    default: return false;
    }
}

}  // namespace

std::string_view message_type_name(MessageType t) noexcept { return kNames[static_cast<std::size_t>(t)]; }

ParseStatus parse_inbound(std::string_view text, InboundMessage& out) {
    // Reset field by field: the strings keep their capacity when `out` is reused for the next message.
    out.type = MessageType::unknown;
    out.type_label.clear();
    out.has_data = false;
    out.data = json::Value{};
    out.has_target = false;
    out.target.clear();
    out.network_kind = NetworkField::global;
    out.network.clear();
    out.max_peers = -1;
    bool has_type = false;
    json::Value type_value;
    json::Value network_value;
    bool has_network = false;
    std::string scratch;
    json::Value root;
    // One pass: the members are collected while the text is validated.
    const bool valid = json::validate_members(text, &root, [&](std::string_view key, const json::Value& v) {
        // Keys are compared after unescaping; JSON.parse keeps the last duplicate, and so do we.
        std::string_view k = key.substr(1, key.size() - 2);
        if (k.find('\\') != std::string_view::npos) {
            json::decode_string(key, scratch);
            k = scratch;
        }
        if (k == "type") {
            has_type = true;
            type_value = v;
        } else if (k == "data") {
            out.has_data = true;
            out.data = v;
        } else if (k == "targetPeerId") {
            out.has_target = v.kind == json::Kind::string;
            if (out.has_target) json::decode_string(v.raw, out.target);
        } else if (k == "networkName") {
            has_network = true;
            network_value = v;
        } else if (k == "maxPeers") {
            out.max_peers = -1;
            if (v.kind == json::Kind::number) {
                int n = 0;
                auto [p, ec] = std::from_chars(v.raw.data(), v.raw.data() + v.raw.size(), n);
                if (ec == std::errc{} && p == v.raw.data() + v.raw.size() && n >= 0) out.max_peers = n;
            }
        }
    });
    if (!valid) return ParseStatus::invalid_json;
    if (root.kind != json::Kind::object) {
        out.type_label = "undefined";
        return ParseStatus::not_object;
    }
    if (has_network) {
        if (is_falsy(network_value)) {
            out.network_kind = NetworkField::global;
        } else if (network_value.kind == json::Kind::string) {
            out.network_kind = NetworkField::named;
            json::decode_string(network_value.raw, out.network);
        } else {
            out.network_kind = NetworkField::invalid;
        }
    }
    if (!has_type) {
        out.type = MessageType::unknown;
        out.type_label = "undefined";
    } else if (type_value.kind == json::Kind::string) {
        std::string decoded;
        json::decode_string(type_value.raw, decoded);
        out.type = lookup_type(decoded);
        if (out.type == MessageType::unknown) set_label(out.type_label, decoded);
    } else {
        out.type = MessageType::unknown;
        set_label(out.type_label, type_value.raw);
    }
    return ParseStatus::ok;
}

}  // namespace pigeonhub
