#include "util/url.h"

#include "util/hex.h"

namespace pigeonhub {
namespace {

std::string decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '+' && plus_is_space) {
            out += ' ';
        } else if (c == '%' && i + 2 < s.size() && hex::is_digit(s[i + 1]) && hex::is_digit(s[i + 2])) {
            out += static_cast<char>(hex::value(s[i + 1]) * 16 + hex::value(s[i + 2]));
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::string percent_decode(std::string_view s) { return decode(s, false); }

std::optional<std::string> query_param(std::string_view target, std::string_view name) {
    std::size_t q = target.find('?');
    if (q == std::string_view::npos) return std::nullopt;
    std::string_view query = target.substr(q + 1);
    if (std::size_t hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
    std::size_t i = 0;
    while (i <= query.size()) {
        std::size_t amp = query.find('&', i);
        if (amp == std::string_view::npos) amp = query.size();
        std::string_view pair = query.substr(i, amp - i);
        std::size_t eq = pair.find('=');
        std::string_view k = pair.substr(0, eq);
        std::string_view v = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
        if (!pair.empty() && decode(k, true) == name) return decode(v, true);
        i = amp + 1;
    }
    return std::nullopt;
}

std::string_view target_path(std::string_view target) noexcept {
    std::size_t end = target.find_first_of("?#");
    return end == std::string_view::npos ? target : target.substr(0, end);
}

}  // namespace pigeonhub
