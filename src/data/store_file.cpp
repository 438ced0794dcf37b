#include "data/store_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace pigeonhub::data {
namespace {

constexpr std::string_view kHeader = R"({"pigeonhubDataStore":1})";
constexpr std::size_t kMaxProblems = 20;

bool write_all(int fd, std::string_view s) {
    while (!s.empty()) {
        const ssize_t n = ::write(fd, s.data(), s.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        s.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

std::string dir_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
}

}  // namespace

std::string store_path(const std::string& state_dir) { return state_dir + "/data-records.jsonl"; }

std::string save_store(const std::string& path, const RecordStore& store) {
    std::string text(kHeader);
    text += '\n';
    store.for_each([&](const Record& r) {
        text += encode(r);
        text += '\n';
    });
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return "cannot write " + tmp + ": " + std::strerror(errno);
    const bool ok = write_all(fd, text) && ::fsync(fd) == 0;
    const int err = errno;
    ::close(fd);
    if (!ok) {
        ::unlink(tmp.c_str());
        return "cannot write " + tmp + ": " + std::strerror(err);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int e = errno;
        ::unlink(tmp.c_str());
        return "cannot replace " + path + ": " + std::strerror(e);
    }
    // The rename itself is durable once the directory is.
    if (const int dfd = ::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return {};
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
