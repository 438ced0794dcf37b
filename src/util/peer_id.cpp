#include "pigeonhub/peer_id.h"

#include "pigeonhub_build_config.h"
#include "pigeonhub/version.h"
#include "util/random.h"

namespace pigeonhub {

const char* version() { return PIGEONHUB_VERSION; }

bool is_valid_peer_id(std::string_view id) noexcept {
    if (id.size() != kPeerIdLength) return false;
    for (char c : id) {
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!hex) return false;
    }
    return true;
}

std::string generate_peer_id() {
    unsigned char bytes[kPeerIdLength / 2];
    random_bytes(bytes, sizeof bytes);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(kPeerIdLength, '0');
    for (std::size_t i = 0; i < sizeof bytes; ++i) {
        out[2 * i] = kHex[bytes[i] >> 4];
        out[2 * i + 1] = kHex[bytes[i] & 15];
    }
    return out;
}

}  // namespace pigeonhub
