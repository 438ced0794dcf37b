#pragma once

#include <string_view>

namespace pigeonhub {

// True if `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view s) noexcept;

// The end of the well-formed UTF-8 sequence starting at `first` (first < last), or nullptr if it is not one.
const char* utf8_sequence_end(const char* first, const char* last) noexcept;

}  // namespace pigeonhub
