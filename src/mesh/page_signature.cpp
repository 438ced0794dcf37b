#include "mesh/page_signature.h"

#include <nettle/eddsa.h>

#include "util/hex.h"

namespace pigeonhub::mesh {
namespace {

constexpr std::string_view kDomain = "pigeonhub-page/4\n";
constexpr std::string_view kSigOpen = ",\"sig\":\"";
constexpr std::string_view kSigClose = "\"}";
constexpr std::size_t kSigHex = 2 * ED25519_SIGNATURE_SIZE;
constexpr std::size_t kSuffix = kSigOpen.size() + kSigHex + kSigClose.size();

std::string message(std::string_view dht_key, std::string_view body_open) {
    // body_open is the page JSON without its closing '}' (as it stands in the value).
    std::string m;
    m.reserve(kDomain.size() + dht_key.size() + 1 + body_open.size() + 1);
    m.append(kDomain).append(dht_key).append(1, '\n').append(body_open).append(1, '}');
    return m;
}

}  // namespace

std::string sign_page(std::string_view dht_key, std::string_view page_json, const data::Ed25519Key& key) {
    // encode_presence always ends the object with '}': the signature goes in as its last member.
    const std::string_view open = page_json.substr(0, page_json.empty() ? 0 : page_json.size() - 1);
    const std::string m = message(dht_key, open);
    std::uint8_t sig[ED25519_SIGNATURE_SIZE];
    ed25519_sha512_sign(key.public_key.data(), key.seed.data(), m.size(), reinterpret_cast<const std::uint8_t*>(m.data()),
                        sig);
    std::string value;
    value.reserve(open.size() + kSuffix);
    value.append(open).append(kSigOpen);
    hex::append(value, sig, sizeof sig);
    value.append(kSigClose);
    return value;
}

bool verify_page(std::string_view dht_key, std::string_view value, const PageKey& key) {
    if (value.size() < kSuffix + 2) return false;
    const std::string_view open = value.substr(0, value.size() - kSuffix);
    const std::string_view suffix = value.substr(open.size());
    if (suffix.substr(0, kSigOpen.size()) != kSigOpen || suffix.substr(kSuffix - kSigClose.size()) != kSigClose)
        return false;
    std::uint8_t sig[ED25519_SIGNATURE_SIZE];
    if (!hex::decode_lower(suffix.substr(kSigOpen.size(), kSigHex), sig, sizeof sig)) return false;
    const std::string m = message(dht_key, open);
    return ed25519_sha512_verify(key.data(), m.size(), reinterpret_cast<const std::uint8_t*>(m.data()), sig) == 1;
}

std::string page_key_hex(const PageKey& key) {
    std::string s;
    hex::append(s, key.data(), key.size());
    return s;
}

std::optional<PageKey> page_key_from_hex(std::string_view hex) {
    PageKey k;
    if (!hex::decode_lower(hex, k.data(), k.size())) return std::nullopt;
    return k;
}

}  // namespace pigeonhub::mesh
