// Counters kept by the Router. Plain values, read by /signaling and /stats on the owning thread.
#pragma once

#include <array>
#include <cstdint>

#include "protocol/inbound.h"

namespace pigeonhub {

enum class DropReason : std::uint8_t {
    missing_target,      // a signal without a string targetPeerId
    unknown_target,      // no connection holds targetPeerId
    namespace_mismatch,  // sender and target in different namespaces, or a claimed networkName that differs
    count_
};

struct SignalingStats {
    static constexpr std::size_t kTypes = static_cast<std::size_t>(MessageType::count_);
    static constexpr std::size_t kDrops = static_cast<std::size_t>(DropReason::count_);

    std::array<std::uint64_t, kTypes> received{};   // messages received, by type
    std::array<std::uint64_t, kTypes> relayed{};    // signals and goodbyes delivered to a peer, by type
    std::uint64_t relayed_total = 0;                // the sum of `relayed` (one add per relay, for SessionHub's latency)
    std::array<std::uint64_t, kDrops> dropped{};    // signals not delivered, by reason
    std::uint64_t invalid_json = 0;                 // messages that were not JSON (ignored)
    std::uint64_t glare_rejections_absorbed = 0;    // connection-rejected "initiator_role_conflict", not delivered
    std::uint64_t forwarded_to_mesh = 0;            // signals handed to another hub
    std::uint64_t delivered_from_mesh = 0;          // signals from another hub delivered here
    std::uint64_t errors_sent = 0;                  // `error` replies
    std::uint64_t discovered_sent = 0;              // `peer-discovered` messages
    std::uint64_t disconnected_sent = 0;            // `peer-disconnected` messages
    std::uint64_t admitted = 0;                     // connections accepted
    std::uint64_t rejected_invalid_id = 0;
    std::uint64_t rejected_duplicate = 0;
    std::uint64_t rejected_full = 0;
    // Announces refused by the abuse budgets (README "Bounds").
    std::uint64_t announce_rate_limited = 0;        // over ANNOUNCE_RATE: dropped
    std::uint64_t namespace_rate_limited = 0;       // over NAMESPACE_RATE: `error`, the connection not moved
    std::uint64_t namespace_full = 0;               // over MAX_PEERS_PER_NAMESPACE: `error`, not joined
};

constexpr const char* drop_reason_name(DropReason r) {
    switch (r) {
    case DropReason::missing_target: return "missing_target";
    case DropReason::unknown_target: return "unknown_target";
    case DropReason::namespace_mismatch: return "namespace_mismatch";
    default: return "?";
    }
}

}  // namespace pigeonhub
