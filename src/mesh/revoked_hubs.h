// MESH_REVOKED: the file of revoked hub ids. One 40-hex hub id per line (as /health's hubId shows it); blank lines
// and text after '#' are ignored. The hub re-reads it when it changes (checked every second), so a revocation takes
// effect without a restart; a file that cannot be read or parsed keeps the previous list (and is reported).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace pigeonhub {

using RevokedHubs = std::set<std::string, std::less<>>;

// The ids in `text`, or nullopt with `*error` naming the first bad line. Ids are taken in lower case.
std::optional<RevokedHubs> parse_revoked_hubs(std::string_view text, std::string* error);

class RevokedHubsFile {
public:
    explicit RevokedHubsFile(std::string path) : path_(std::move(path)) {}

    // The list when the file changed since the last call that returned one (the first call: as it is), else
    // nullopt. On an unreadable or malformed file: nullopt and `*error` set (once per change of the file).
    std::optional<RevokedHubs> poll(std::string* error);

private:
    std::string path_;
    struct Stamp {
        long long mtime_ns = -1, size = -1, inode = -1;
        bool operator==(const Stamp&) const = default;
    };
    Stamp seen_;
};

}  // namespace pigeonhub
