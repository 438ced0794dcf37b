// Ed25519 of data_record.h (nettle): keys from a seed, generated, as PKCS#8 PEM; signing and verifying. Pure except
// generate() (getrandom).
//
// The PEM holds the DER that `openssl genpkey -algorithm ed25519` and Node's
// crypto.generateKeyPairSync('ed25519').privateKey.export({format: 'pem', type: 'pkcs8'}) write (RFC 8410):
//   30 2e 02 01 00 30 05 06 03 2b 65 70 04 22 04 20 || seed (32 bytes)
// i.e. PrivateKeyInfo { version 0, AlgorithmIdentifier { id-Ed25519 }, OCTET STRING { OCTET STRING seed } }: 48
// bytes, one 64-character base64 line. Only that form is read (not the v2 form that also carries the public key).
#include <nettle/base64.h>
#include <nettle/eddsa.h>

#include <algorithm>
#include <cstring>

#include "data/data_record.h"
#include "util/hex.h"
#include "util/random.h"

namespace pigeonhub::data {
namespace {

constexpr std::uint8_t kPkcs8Prefix[] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                                         0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
constexpr std::size_t kDerSize = sizeof kPkcs8Prefix + 32;
constexpr std::string_view kBegin = "-----BEGIN PRIVATE KEY-----";
constexpr std::string_view kEnd = "-----END PRIVATE KEY-----";

}  // namespace

Ed25519Key Ed25519Key::from_seed(const std::array<std::uint8_t, 32>& seed) {
    Ed25519Key k;
    k.seed = seed;
    ed25519_sha512_public_key(k.public_key.data(), k.seed.data());
    return k;
}

Ed25519Key Ed25519Key::generate() {
    std::array<std::uint8_t, 32> seed;
    random_bytes(seed.data(), seed.size());
    return from_seed(seed);
}

std::string ed25519_sign(std::string_view message, const Ed25519Key& key) {
    std::uint8_t sig[ED25519_SIGNATURE_SIZE];
    ed25519_sha512_sign(key.public_key.data(), key.seed.data(), message.size(),
                        reinterpret_cast<const std::uint8_t*>(message.data()), sig);
    std::string out;
    hex::append(out, sig, sizeof sig);
    return out;
}

bool ed25519_verify(std::string_view public_key, std::string_view message, std::string_view signature) {
    std::uint8_t pub[ED25519_KEY_SIZE], sig[ED25519_SIGNATURE_SIZE];
    if (!hex::decode_lower(public_key, pub, sizeof pub) || !hex::decode_lower(signature, sig, sizeof sig)) return false;
    return ed25519_sha512_verify(pub, message.size(), reinterpret_cast<const std::uint8_t*>(message.data()), sig) == 1;
}

std::string ed25519_to_pem(const Ed25519Key& key) {
    std::uint8_t der[kDerSize];
    std::memcpy(der, kPkcs8Prefix, sizeof kPkcs8Prefix);
    std::memcpy(der + sizeof kPkcs8Prefix, key.seed.data(), key.seed.size());
    std::string b64(BASE64_ENCODE_RAW_LENGTH(kDerSize), '\0');  // 64 characters: exactly one PEM line
    base64_encode_raw(b64.data(), kDerSize, der);
    return std::string(kBegin) + "\n" + b64 + "\n" + std::string(kEnd) + "\n";
}

std::optional<Ed25519Key> ed25519_from_pem(std::string_view pem) {
    const std::size_t begin = pem.find(kBegin);
    if (begin == std::string_view::npos) return std::nullopt;
    const std::size_t body = begin + kBegin.size();
    const std::size_t end = pem.find(kEnd, body);
    if (end == std::string_view::npos) return std::nullopt;
    const std::string_view b64 = pem.substr(body, end - body);
    if (b64.size() > 256) return std::nullopt;  // 64 characters and line breaks; anything much longer is not ours

    // nettle's decoder skips white space (the line breaks) and checks the padding in base64_decode_final.
    base64_decode_ctx ctx;
    base64_decode_init(&ctx);
    std::uint8_t der[BASE64_DECODE_LENGTH(256)];
    std::size_t n = sizeof der;
    if (!base64_decode_update(&ctx, &n, der, b64.size(), b64.data()) || !base64_decode_final(&ctx)) return std::nullopt;
    if (n != kDerSize || !std::equal(kPkcs8Prefix, kPkcs8Prefix + sizeof kPkcs8Prefix, der)) return std::nullopt;
    std::array<std::uint8_t, 32> seed;
    std::memcpy(seed.data(), der + sizeof kPkcs8Prefix, seed.size());
    return Ed25519Key::from_seed(seed);
}

}  // namespace pigeonhub::data
