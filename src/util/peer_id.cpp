#include "pigeonhub/peer_id.h"

#include "util/hex.h"
#include "util/random.h"

namespace pigeonhub {

bool is_valid_peer_id(std::string_view id) noexcept {
    if (id.size() != kPeerIdLength) return false;
    for (char c : id)
        if (!hex::is_digit(c)) return false;
    return true;
}

std::string generate_peer_id() {
    std::uint8_t bytes[kPeerIdLength / 2];
    random_bytes(bytes, sizeof bytes);
    std::string out;
    out.reserve(kPeerIdLength);
    hex::append(out, bytes, sizeof bytes);
    return out;
}

}  // namespace pigeonhub
