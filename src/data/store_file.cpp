#include "data/store_file.h"

#include "util/file.h"

#include <fstream>

namespace pigeonhub::data {
namespace {

constexpr std::string_view kHeader = R"({"pigeonhubDataStore":1})";
constexpr std::size_t kMaxProblems = 20;

}  // namespace

std::string store_path(const std::string& state_dir) { return state_dir + "/data-records.jsonl"; }

std::string save_store(const std::string& path, const RecordStore& store) {
    std::string text(kHeader);
    text += '\n';
    store.for_each([&](const Record& r) {
        text += encode(r);
        text += '\n';
    });
    return write_file_atomically(path, text);
}

LoadReport load_store(const std::string& path, RecordStore& store, std::int64_t now_ms) {
    LoadReport report;
    std::ifstream in(path, std::ios::binary);
    if (!in) return report;  // no store yet
    auto problem = [&](std::size_t line, std::string why) {
        ++report.skipped;
        if (report.problems.size() < kMaxProblems) report.problems.push_back("line " + std::to_string(line) + ": " + why);
    };
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (n == 1) {
            if (line != kHeader) {
                problem(1, "not a PigeonHub data store (header " + line.substr(0, 60) + ")");
                return report;
            }
            continue;
        }
        if (line.empty()) continue;
        auto parsed = parse_record(line);
        if (!parsed.record) {
            problem(n, parsed.problem.error + (parsed.problem.field.empty() ? "" : " (" + parsed.problem.field + ")"));
            continue;
        }
        switch (store.put(std::move(*parsed.record), now_ms, /*in_dht=*/false)) {
        case RecordStore::Put::stored:
        case RecordStore::Put::replaced: ++report.loaded; break;
        case RecordStore::Put::expired: ++report.expired; break;
        case RecordStore::Put::stale: break;
        case RecordStore::Put::topic_full:
        case RecordStore::Put::store_full: problem(n, "over the store's bounds"); break;
        }
    }
    if (n == 0) problem(0, "empty file (no header)");
    return report;
}

}  // namespace pigeonhub::data
