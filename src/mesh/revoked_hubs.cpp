#include "mesh/revoked_hubs.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "util/file.h"
#include "util/hex.h"

namespace pigeonhub {

std::optional<RevokedHubs> parse_revoked_hubs(std::string_view text, std::string* error) {
    RevokedHubs out;
    int line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        while (!line.empty() && std::strchr(" \t\r", line.front())) line.remove_prefix(1);
        while (!line.empty() && std::strchr(" \t\r", line.back())) line.remove_suffix(1);
        if (line.empty()) continue;
        std::string id(line);
        bool hex_only = true;
        for (auto& c : id) {
            hex_only = hex_only && hex::is_digit(c);
            c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
        }
        if (id.size() != 40 || !hex_only) {
            if (error) *error = "line " + std::to_string(line_no) + ": '" + std::string(line) + "' is not a hub id (40 hex)";
            return std::nullopt;
        }
        out.insert(std::move(id));
    }
    return out;
}

std::optional<RevokedHubs> RevokedHubsFile::poll(std::string* error) {
    struct stat st {};
    Stamp now;
    if (::stat(path_.c_str(), &st) == 0)
        now = Stamp{static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec,
                    static_cast<long long>(st.st_size), static_cast<long long>(st.st_ino)};
    if (now == seen_) return std::nullopt;
    seen_ = now;
    if (now.size < 0) {
        if (error) *error = "cannot read " + path_ + ": " + std::strerror(errno);
        return std::nullopt;
    }
    const auto text = read_whole_file(path_);
    if (!text) {
        if (error) *error = "cannot read " + path_;
        return std::nullopt;
    }
    std::string problem;
    auto list = parse_revoked_hubs(*text, &problem);
    if (!list && error) *error = path_ + ": " + problem;
    return list;
}

}  // namespace pigeonhub
