// Minimal leveled logging to stderr, one line per call (a newline inside a message is written as `\n`), never
// coloured. Plain: a UTC timestamp, the level name, the message. Journal (under systemd, JOURNAL_STREAM set): a
// `<N>` syslog priority prefix (`<7>` debug, `<6>` info, `<4>` warn, `<3>` error) and the message, which journald
// stamps and files by priority. Level and format are process-wide and set once by main before any thread
// starts. Never log SDP or ICE credentials; nothing is logged per message at info.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string_view>

namespace pigeonhub::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

void set_level(Level level);
// Journal format on or off (off by default).
void set_journal(bool on);
// "debug", "info", "warn", "error" (or "warning"); nullopt for anything else.
std::optional<Level> parse_level(std::string_view name);
bool enabled(Level level);
void write(Level level, std::string_view message);

template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::info)) write(Level::info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::warn)) write(Level::warn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::error)) write(Level::error, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
    if (enabled(Level::debug)) write(Level::debug, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace pigeonhub::log
