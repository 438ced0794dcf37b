// Fuzz target: a script of admissions, messages and disconnects driven through the Router. Every message
// the router emits must be valid JSON. The clock moves 100 ms per input byte and the abuse budgets are small,
// so that refused announces (rate, namespace moves, a full namespace) are explored too.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz_fixtures.h"
#include "signaling/router.h"

namespace {
const char* const kIds[] = {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                            "0123456789abcdef0123456789abcdef01234567", "ffffffffffffffffffffffffffffffffffffffff"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    pigeonhub::SignalingOptions config;
    config.max_connections = 3;
    config.discovery = size % 2 ? pigeonhub::DiscoveryMode::bounded : pigeonhub::DiscoveryMode::all;
    config.max_peers_per_namespace = static_cast<std::uint32_t>(1 + (size / 2) % 3);
    config.announce_rate = 60;
    config.announce_burst = 3;
    config.namespace_rate = 2;
    pigeonhub::Router router(config);
    pigeonhub::fuzz::CheckingOutbox out;
    std::vector<pigeonhub::Slot> live;
    std::size_t pos = 0;
    auto now = [&pos] { return static_cast<std::int64_t>(pos) * 100; };
    while (pos < size) {
        const std::uint8_t op = data[pos++];
        switch (op % 4) {
        case 0: {
            auto r = router.admit(kIds[(op >> 2) % 4], out, now());
            if (r.accepted) {
                router.greet(r.slot, out, now());
                live.push_back(r.slot);
            }
            break;
        }
        case 1:
            if (!live.empty()) {
                std::size_t i = (op >> 2) % live.size();
                router.on_disconnect(live[i], out, now());
                live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
            }
            break;
        default: {
            // The next up-to-255 bytes are one message from a live connection.
            if (pos >= size || live.empty()) break;
            const std::size_t declared = data[pos++];
            const std::size_t len = std::min<std::size_t>(declared, size - pos);
            std::string msg(reinterpret_cast<const char*>(data + pos), len);
            pos += len;
            router.on_message(live[(op >> 2) % live.size()], msg, out, now());
        }
        }
    }
    for (auto s : live) router.on_disconnect(s, out, now());
    if (router.connections() != 0 || router.namespaces() != 0) std::abort();
    return 0;
}
