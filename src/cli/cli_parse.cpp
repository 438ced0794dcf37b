#include "cli/cli_parse.h"

#include "mesh/mesh_records.h"
#include "util/hex.h"

namespace pigeonhub::cli {

std::string data_key(std::string_view app_id, std::string_view topic) {
    return "pigeonhub/" + std::string(app_id) + "/data/" + std::string(topic);
}

std::optional<DhtKey> parse_key(std::string_view app_id, std::uint32_t buckets, std::string_view arg,
                                std::string* error) {
    auto fail = [&](const char* why) -> std::optional<DhtKey> {
        if (error) *error = why;
        return std::nullopt;
    };
    if (arg.empty()) return fail("empty key");
    if (arg.size() == 40) {
        bool hex = true;
        for (char c : arg) hex = hex && hex::is_digit(c);
        if (hex) {
            DhtKey k{std::string(arg), true};
            for (char& c : k.text) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
            return k;
        }
    }
    auto named = [&](std::string_view prefix, std::string_view& rest) {
        if (arg.substr(0, prefix.size()) != prefix) return false;
        rest = arg.substr(prefix.size());
        return true;
    };
    std::string_view rest;
    if (named("ns:", rest)) {
        if (rest.empty()) return fail("empty namespace after ns:");
        return DhtKey{mesh::presence_key(app_id, rest, buckets)};
    }
    if (named("topic:", rest)) {
        if (rest.empty()) return fail("empty topic after topic:");
        return DhtKey{data_key(app_id, rest)};
    }
    if (named("hub:", rest)) {
        if (rest.empty()) return fail("empty hub id after hub:");
        return DhtKey{mesh::inbox_key(app_id, rest)};
    }
    if (arg == "hubs") return DhtKey{mesh::hubs_key(app_id)};
    return DhtKey{std::string(arg)};
}

std::optional<std::string> hub_base_url(std::string_view arg) {
    std::string_view rest = arg;
    auto strip = [&](std::string_view scheme) {
        if (rest.substr(0, scheme.size()) != scheme) return false;
        rest.remove_prefix(scheme.size());
        return true;
    };
    if (strip("https://") || strip("wss://")) return std::nullopt;
    if (!strip("http://")) strip("ws://");
    while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.empty() || rest.front() == '/' || rest.front() == ':') return std::nullopt;
    return "http://" + std::string(rest);
}

std::optional<std::vector<std::string>> split_line(std::string_view line) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
        } else if (c == '\'' || c == '"') {
            in_word = true;
            std::size_t j = i + 1;
            for (; j < line.size() && line[j] != c; ++j) {
                if (c == '"' && line[j] == '\\' && j + 1 < line.size() && (line[j + 1] == '"' || line[j + 1] == '\\')) ++j;
                word += line[j];
            }
            if (j >= line.size()) return std::nullopt;
            i = j;
        } else if (c == '\\' && i + 1 < line.size()) {
            in_word = true;
            word += line[++i];
        } else {
            in_word = true;
            word += c;
        }
    }
    if (in_word) words.push_back(std::move(word));
    return words;
}

std::string encode_path_segment(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex::kDigits[c >> 4];
            out += hex::kDigits[c & 15];
        }
    }
    return out;
}

}  // namespace pigeonhub::cli
