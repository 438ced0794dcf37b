// Fuzz target: inbox values as they land from the DHT into the hub link decoders (src/mesh/hub_link.h): key messages,
// key requests and sealed signals, the last opened with a Keyring that holds the fixtures' link key from kHubA
// (fuzz_fixtures.h; the seeds are signals sealed with it). Asserts: a decoded key message or request encodes back to
// the same bytes; a sealed header names a 40-hex hub and a non-zero counter; a signal that opens once is refused as a
// replay the second time, and a refused one leaves no plaintext.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_fixtures.h"
#include "mesh/hub_link.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pigeonhub;
    using hub_link::Keyring;
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    if (const auto k = hub_link::decode_key_message(in)) {
        if (hub_link::encode_key_message(*k) != in) std::abort();
    }
    if (const auto id = hub_link::decode_key_request(in)) {
        if (hub_link::encode_key_request(*id) != in) std::abort();
    }
    const auto h = hub_link::parse_sealed(in);
    if (!h) return 0;
    if (h->from_hub.size() != 40 || h->counter == 0) std::abort();
    Keyring ring{std::string(fuzz::kHubB)};
    ring.add(fuzz::kHubA, fuzz::link_key());
    std::string plaintext;
    const Keyring::Opened first = ring.open(in, *h, plaintext);
    if (first != Keyring::Opened::ok) {
        if (!plaintext.empty()) std::abort();
        if (first == Keyring::Opened::unknown_key && h->from_hub == fuzz::kHubA && h->key_id == fuzz::link_key().id)
            std::abort();
        return 0;
    }
    if (plaintext.size() + 60 + 16 != in.size()) std::abort();
    std::string again;
    if (ring.open(in, *h, again) != Keyring::Opened::replayed) std::abort();
    return 0;
}
