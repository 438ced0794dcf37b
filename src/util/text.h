// Small helpers for text read from outside (settings, headers, lists).
#pragma once

#include <string_view>

namespace pigeonhub {

// `s` without the spaces and tabs at either end.
inline std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace pigeonhub
