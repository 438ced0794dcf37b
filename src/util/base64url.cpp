#include "util/base64url.h"

#include <nettle/base64.h>

namespace pigeonhub::base64url {

std::string encode(std::string_view bytes) {
    base64_encode_ctx ctx;
    base64url_encode_init(&ctx);
    std::string out(BASE64_ENCODE_LENGTH(bytes.size()) + BASE64_ENCODE_FINAL_LENGTH, '\0');
    std::size_t n = base64_encode_update(&ctx, out.data(), bytes.size(),
                                         reinterpret_cast<const std::uint8_t*>(bytes.data()));
    n += base64_encode_final(&ctx, out.data() + n);
    out.resize(n);
    while (!out.empty() && out.back() == '=') out.pop_back();
    return out;
}

std::optional<std::string> decode(std::string_view text) {
    if (text.size() % 4 == 1) return std::nullopt;  // no byte count encodes to this length
    for (char c : text)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return std::nullopt;
    std::string padded(text);
    padded.append((4 - text.size() % 4) % 4, '=');
    base64_decode_ctx ctx;
    base64url_decode_init(&ctx);
    std::string out(BASE64_DECODE_LENGTH(padded.size()), '\0');
    std::size_t n = out.size();
    if (!base64_decode_update(&ctx, &n, reinterpret_cast<std::uint8_t*>(out.data()), padded.size(), padded.data()) ||
        !base64_decode_final(&ctx))
        return std::nullopt;
    out.resize(n);
    if (encode(out) != text) return std::nullopt;  // non-zero unused bits: another spelling of the same bytes
    return out;
}

}  // namespace pigeonhub::base64url
