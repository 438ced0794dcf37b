// PeerPigeon peer ids: exactly 40 characters of [0-9a-fA-F]. Compared case-sensitively, as PeerPigeon does.
#pragma once

#include <string>
#include <string_view>

namespace pigeonhub {

inline constexpr std::size_t kPeerIdLength = 40;

// True if `id` is exactly 40 hex digits (either case).
bool is_valid_peer_id(std::string_view id) noexcept;

// A fresh id: 20 bytes from the operating system's CSPRNG (getrandom), as 40 lower-case hex digits.
// Throws std::system_error only if the kernel refuses randomness.
std::string generate_peer_id();

}  // namespace pigeonhub
