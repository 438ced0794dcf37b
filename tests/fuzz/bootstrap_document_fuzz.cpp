// Fuzz target: bytes into check_document (src/bootstrap/bootstrap_document.h), both as they come and as edits
// (position, byte pairs) of a validly signed document, so that inputs reach the walk and the signature check.
// Asserts that a refusal always says why, and that an accepted document is exactly its canonical JSON written
// back (so JavaScript's JSON.stringify recipe gives the same signed message), within bounds and verified.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bootstrap/bootstrap_document.h"
#include "data/data_record.h"
#include "fuzz_fixtures.h"

namespace {

using namespace pigeonhub;

void check(std::string_view text) {
    const auto c = bootstrap::check_document(text, "app", 1000, 1000);
    if (c.ok() != c.doc.has_value() || c.ok() != c.problem.empty()) std::abort();
    if (!c.ok()) return;
    const auto canonical = data::canonical_json(text);
    if (!canonical || *canonical != bootstrap::encode_document(*c.doc)) std::abort();
    if (!bootstrap::document_problem(*c.doc).empty()) std::abort();
    if (!data::ed25519_verify(c.doc->public_key, bootstrap::signed_message(*c.doc), c.doc->signature)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    check(in);
    std::string edited = fuzz::signed_bootstrap_document();
    for (std::size_t i = 0; i + 1 < size; i += 2) edited[data[i] * 7 % edited.size()] = static_cast<char>(data[i + 1]);
    check(edited);
    return 0;
}
