// Fuzz target: one WebSocket text message into parse_inbound (src/protocol/inbound.h), as the hub reads every client
// message. Asserts: invalid_json exactly when json::validate refuses the text, ok only for an object; the fields the
// hub reads keep their documented shapes (a label of at most 128 bytes, a named namespace not empty, maxPeers -1 or
// more, `data` itself valid JSON).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/inbound.h"
#include "protocol/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pigeonhub;
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    InboundMessage m;
    const ParseStatus s = parse_inbound(in, m);
    json::Value top;
    const bool valid = json::validate(in, &top);
    if ((s == ParseStatus::invalid_json) == valid) std::abort();
    if (s == ParseStatus::not_object && top.kind == json::Kind::object) std::abort();
    if (s != ParseStatus::ok) return 0;
    if (top.kind != json::Kind::object) std::abort();
    if (m.type == MessageType::unknown && m.type_label.size() > 128) std::abort();
    if (m.type != MessageType::unknown && message_type_name(m.type).empty()) std::abort();
    if (m.network_kind == NetworkField::named && m.network.empty()) std::abort();
    if (m.max_peers < -1) std::abort();
    if (m.has_data && !json::validate(m.data.raw)) std::abort();
    return 0;
}
