// Inbound client messages, typed once at the boundary: the JSON text of one WebSocket message becomes an
// InboundMessage (an enum for the type plus the few fields the hub reads). No I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/json.h"

namespace pigeonhub {

enum class MessageType : std::uint8_t {
    announce,
    goodbye,
    offer,
    answer,
    ice_candidate,
    connection_rejected,
    renegotiation_offer,
    renegotiation_answer,
    ping,
    cleanup,
    cleanup_all,
    peer_discovered,  // hub-only
    unknown,          // including a missing or non-string type
    count_
};

// The wire name of a known type ("ice-candidate"); "unknown" for MessageType::unknown.
std::string_view message_type_name(MessageType t) noexcept;

// Types routed to targetPeerId with the signal shape.
constexpr bool is_signal(MessageType t) noexcept {
    return t == MessageType::offer || t == MessageType::answer || t == MessageType::ice_candidate ||
           t == MessageType::connection_rejected || t == MessageType::renegotiation_offer ||
           t == MessageType::renegotiation_answer;
}

enum class NetworkField : std::uint8_t {
    global,   // absent, null, "", false or 0: the default namespace
    named,    // a non-empty string (in InboundMessage::network)
    invalid,  // any other JSON value
};

struct InboundMessage {
    MessageType type = MessageType::unknown;
    // For MessageType::unknown: the name used in the error reply ("undefined" when absent, else the decoded
    // string, else the JSON text of the value), at most 128 bytes.
    std::string type_label;
    bool has_data = false;
    json::Value data;                      // raw `data` value (views into the message text)
    bool has_target = false;               // targetPeerId present and a string
    std::string target;                    // decoded targetPeerId
    NetworkField network_kind = NetworkField::global;
    std::string network;                   // decoded networkName when network_kind == named
    int max_peers = -1;                    // top-level maxPeers when a non-negative integer, else -1
};

enum class ParseStatus : std::uint8_t {
    ok,
    invalid_json,  // not JSON (or not UTF-8): ignored by the hub
    not_object,    // valid JSON but not an object: answered with the 'undefined' error
};

// Parses one message. `out` views into `text`, which must outlive it.
ParseStatus parse_inbound(std::string_view text, InboundMessage& out);

}  // namespace pigeonhub
