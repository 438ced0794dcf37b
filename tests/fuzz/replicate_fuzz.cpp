// Fuzz target: POST bodies into the data API's parsers (src/data/data_record.h): /api/replicate (parse_replicate: one
// record or {"records":[...]}) and /api/publish (parse_publish). Asserts: a body is accepted or refused with a reason,
// never both; every replicated record accepted is verified and within bounds, and encodes to a record that parses
// back to itself.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "data/data_record.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pigeonhub;
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const data::ParsedReplicate r = data::parse_replicate(in);
    if (!r.problem.error.empty() && !r.records.empty()) std::abort();
    for (const auto& rec : r.records) {
        if (!data::verify(rec) || rec.data.size() > data::kMaxDataBytes) std::abort();
        const data::Parsed back = data::parse_record(data::encode(rec));
        if (!back.record || back.record->topic != rec.topic || back.record->data != rec.data ||
            back.record->signature != rec.signature || back.record->seq != rec.seq ||
            back.record->published != rec.published || back.record->expires != rec.expires)
            std::abort();
    }
    const data::ParsedPublish p = data::parse_publish(in);
    if (p.request.has_value() == !p.problem.error.empty()) std::abort();
    if (p.request && p.request->is_signed && !data::verify(p.request->record)) std::abort();
    return 0;
}
