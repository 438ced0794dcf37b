// Fuzz target: a presence value as it lands from the DHT into verify_page (src/mesh/page_signature.h), checked under
// the fixtures' page key for the key of namespace "global" (fuzz_fixtures.h; the seeds are pages signed so), and the
// `pageKey` of a hub record into page_key_from_hex. Ed25519 signatures are deterministic, so an accepted value must be
// exactly what sign_page writes for its page JSON; a key that parses must print back as it was given.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_fixtures.h"
#include "mesh/mesh_records.h"
#include "mesh/page_signature.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pigeonhub;
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    static const std::string dht_key = mesh::presence_key(fuzz::kApp, fuzz::kNamespace, fuzz::kBuckets);
    const auto& key = fuzz::page_signing_key();
    if (mesh::verify_page(dht_key, in, key.public_key)) {
        // 128 hex digits, ",\"sig\":\"" and "\"}" close the value; the page JSON is the rest, closed again.
        const std::size_t suffix = 8 + 128 + 2;
        const std::string page = std::string(in.substr(0, in.size() - suffix)) + "}";
        if (mesh::sign_page(dht_key, page, key) != in) std::abort();
        // Signed under "global"'s key: not valid under another key (one namespace's own, buckets 0).
        if (mesh::verify_page(mesh::presence_key(fuzz::kApp, "other", 0), in, key.public_key)) std::abort();
    }
    if (const auto k = mesh::page_key_from_hex(in); k && mesh::page_key_hex(*k) != in) std::abort();
    return 0;
}
