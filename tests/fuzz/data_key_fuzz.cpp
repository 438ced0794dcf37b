// Fuzz target: a key file's text into ed25519_from_pem (src/data/data_record.h; STATE_DIR/ed25519.pem, the key the
// hub signs data and presence pages with, read by data/data_key.h). Asserts that a key that loads writes back to a
// PEM that loads to the same key.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "data/data_record.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pigeonhub;
    const auto key = data::ed25519_from_pem(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!key) return 0;
    const auto again = data::ed25519_from_pem(data::ed25519_to_pem(*key));
    if (!again || again->seed != key->seed || again->public_key != key->public_key) std::abort();
    return 0;
}
