// Outbound hub -> client messages, with the exact key order of the PeerPigeon 1.1.3 reference hub.
//
// A message sent to many recipients is built once: a shared head holds everything up to the recipient's id,
// and each recipient gets a small inline tail (`<targetPeerId>","timestamp":T}`). OutFrame is that pair.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace pigeonhub {

using SharedText = std::shared_ptr<const std::string>;

inline SharedText share(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

struct OutFrame {
    static constexpr std::size_t kTailCapacity = 88;

    SharedText head;
    std::uint8_t tail_len = 0;
    char tail[kTailCapacity];

    OutFrame() = default;
    explicit OutFrame(SharedText h) : head(std::move(h)) {}
    OutFrame(SharedText h, std::string_view t) : head(std::move(h)) { set_tail(t); }

    void set_tail(std::string_view t) {
        tail_len = static_cast<std::uint8_t>(t.size() < kTailCapacity ? t.size() : kTailCapacity);
        std::memcpy(tail, t.data(), tail_len);
    }
    std::size_t size() const { return (head ? head->size() : 0) + tail_len; }
    std::string text() const { return (head ? *head : std::string()) + std::string(tail, tail_len); }
};

namespace outbound {

// `<id>","timestamp":<ms>}`: closes a head that ends in `"targetPeerId":"`.
std::string_view target_tail(char (&buf)[OutFrame::kTailCapacity], std::string_view id, std::int64_t ts_ms);

// {"type":"connected","data":{"peerId":ID},"fromPeerId":"system","timestamp":T}
std::string connected(std::string_view peer_id, std::int64_t ts_ms);

// {"peerId":ID,"isHub":false,<members of data except peerId and isHub>}
// `data_object` is the raw text of a validated JSON object, or empty for none.
std::string discovery_data(std::string_view peer_id, std::string_view data_object);

// {"type":"peer-discovered","data":DATA,"networkName":NS,"fromPeerId":"system","targetPeerId":"
// `namespace_json` is the quoted namespace name.
std::string discovered_head(std::string_view discovery_data, std::string_view namespace_json);

// {"type":"peer-disconnected","data":{"peerId":ID,"isHub":false},"networkName":NS,"fromPeerId":"system","targetPeerId":"
std::string disconnected_head(std::string_view peer_id, std::string_view namespace_json);

// {"type":T,"data":D,"fromPeerId":F,"targetPeerId":X,"networkName":NS,"timestamp":T}; data_raw or `to` may be
// empty (then that key is omitted, as JSON.stringify omits undefined).
std::string signal(std::string_view type, std::string_view data_raw, std::string_view from, std::string_view to,
                   std::string_view namespace_json, std::int64_t ts_ms);

// {"type":"goodbye","data":D,"fromPeerId":F,"networkName":NS,"timestamp":T}
std::string goodbye(std::string_view data_raw, std::string_view from, std::string_view namespace_json,
                    std::int64_t ts_ms);

// {"type":"pong","data":{"timestamp":T},"fromPeerId":"system","targetPeerId":ME,"timestamp":T}
std::string pong(std::string_view to, std::int64_t ts_ms);

// {"type":"error","error":TEXT,"timestamp":T}
std::string error(std::string_view text, std::int64_t ts_ms);

// The reference hub's text for a type it does not route.
std::string unroutable_text(std::string_view type_label);

}  // namespace outbound
}  // namespace pigeonhub
