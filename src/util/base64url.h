// base64url without padding (RFC 4648, section 5), the alphabet of tokens carried in URLs. Pure; nettle's codec.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pigeonhub::base64url {

// `bytes` as unpadded base64url.
std::string encode(std::string_view bytes);

// The bytes of `text`, which must be unpadded base64url in its one canonical spelling (only [A-Za-z0-9_-], no '=',
// no white space, unused low bits zero): nullopt for anything else, so a value has exactly one encoding.
std::optional<std::string> decode(std::string_view text);

}  // namespace pigeonhub::base64url
