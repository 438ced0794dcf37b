#include "util/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace pigeonhub::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::info)};
std::atomic<bool> g_journal{false};
const char* name(Level l) {
    switch (l) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
    }
    return "?";
}

// syslog(3) priorities, as journald reads them from a `<N>` prefix (sd-daemon.h).
int priority(Level l) {
    switch (l) {
    case Level::debug: return 7;
    case Level::info: return 6;
    case Level::warn: return 4;
    case Level::error: return 3;
    }
    return 6;
}
}  // namespace

void set_level(Level level) { g_level.store(static_cast<int>(level)); }
void set_journal(bool on) { g_journal.store(on); }

std::optional<Level> parse_level(std::string_view n) {
    if (n == "debug") return Level::debug;
    if (n == "info") return Level::info;
    if (n == "warn" || n == "warning") return Level::warn;
    if (n == "error") return Level::error;
    return std::nullopt;
}

bool enabled(Level level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

void write(Level level, std::string_view message) {
    // One event, one line: a newline inside the message would start a second journal entry.
    std::string line;
    line.reserve(message.size() + 48);
    if (g_journal.load(std::memory_order_relaxed)) {
        line += '<';
        line += static_cast<char>('0' + priority(level));
        line += '>';
    } else {
        using namespace std::chrono;
        auto now = system_clock::now();
        std::time_t t = system_clock::to_time_t(now);
        auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
        std::tm tm{};
        gmtime_r(&t, &tm);
        char stamp[48];
        std::size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
        std::snprintf(stamp + n, sizeof stamp - n, ".%03dZ %s ", static_cast<int>(ms), name(level));
        line += stamp;
    }
    for (char c : message) {
        if (c == '\n') line += "\\n";
        else if (c != '\r') line += c;
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace pigeonhub::log
