// Fuzz target: arbitrary bytes into canonical_json, parse_record and parse_publish (src/data/data_record.h).
// Asserts that canonical output is valid JSON, canonical again (canonical_json of it is itself), at most 6 times
// the input's length, and that an accepted publish keeps data within kMaxDataBytes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "data/data_record.h"
#include "protocol/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pigeonhub;
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    if (auto c = data::canonical_json(in)) {
        if (!json::validate(*c)) std::abort();
        auto again = data::canonical_json(*c);
        if (!again || *again != *c) std::abort();
        if (c->size() > 6 * in.size()) std::abort();
    }
    const data::ParsedPublish p = data::parse_publish(in);
    if (p.request && p.request->record.data.size() > data::kMaxDataBytes) std::abort();
    if (!p.request && p.problem.error.empty()) std::abort();
    const data::Parsed r = data::parse_record(in);
    if (r.record && !data::verify(*r.record)) std::abort();
    return 0;
}
