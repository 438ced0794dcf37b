#include "mesh/hub_link.h"

#include <nettle/gcm.h>
#include <nettle/memops.h>

#include <algorithm>
#include <cstring>

#include "util/random.h"

namespace pigeonhub::hub_link {
namespace {

constexpr std::string_view kKeyMagic = "PHK1";
constexpr std::string_view kRequestMagic = "PHN1";
constexpr std::string_view kSealedMagic = "PHS1";
constexpr std::size_t kHubIdLength = 40;
constexpr std::size_t kHeaderSize = 4 + kHubIdLength + 8 + 8;
constexpr std::size_t kTagSize = GCM_DIGEST_SIZE;

// Big-endian 64-bit integers.
void store_u64(std::uint8_t* p, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * (7 - i)));
}

void put_u64(std::string& out, std::uint64_t v) {
    std::uint8_t b[8];
    store_u64(b, v);
    out.append(reinterpret_cast<const char*>(b), sizeof b);
}

std::uint64_t get_u64(const char* p) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

bool is_hex_id(std::string_view s) {
    return s.size() == kHubIdLength &&
           std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// AES-256-GCM with the nonce counter(8) || 0(4); `ad` is authenticated, not encrypted.
void start(gcm_aes256_ctx& ctx, const LinkKey& key, std::uint64_t counter, std::string_view header, std::string_view to_hub) {
    gcm_aes256_set_key(&ctx, key.bytes.data());
    std::uint8_t iv[12] = {};
    store_u64(iv, counter);
    gcm_aes256_set_iv(&ctx, sizeof iv, iv);
    // nettle takes the authenticated data in one call (or in whole 16-byte blocks).
    std::uint8_t ad[kHeaderSize + kHubIdLength] = {};
    const std::size_t to_len = std::min(to_hub.size(), kHubIdLength);
    std::memcpy(ad, header.data(), std::min(header.size(), kHeaderSize));
    std::memcpy(ad + kHeaderSize, to_hub.data(), to_len);
    gcm_aes256_update(&ctx, kHeaderSize + to_len, ad);
}

}  // namespace

LinkKey LinkKey::random() {
    LinkKey k;
    random_bytes(&k.id, sizeof k.id);
    random_bytes(k.bytes.data(), k.bytes.size());
    return k;
}

std::string encode_key_message(const LinkKey& key) {
    std::string out(kKeyMagic);
    put_u64(out, key.id);
    out.append(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size());
    return out;
}

std::optional<LinkKey> decode_key_message(std::string_view data) {
    if (data.size() != 4 + 8 + 32 || data.substr(0, 4) != kKeyMagic) return std::nullopt;
    LinkKey k;
    k.id = get_u64(data.data() + 4);
    std::memcpy(k.bytes.data(), data.data() + 12, 32);
    return k;
}

std::string encode_key_request(std::uint64_t key_id) {
    std::string out(kRequestMagic);
    put_u64(out, key_id);
    return out;
}

std::optional<std::uint64_t> decode_key_request(std::string_view data) {
    if (data.size() != 4 + 8 || data.substr(0, 4) != kRequestMagic) return std::nullopt;
    return get_u64(data.data() + 4);
}

std::optional<SealedHeader> parse_sealed(std::string_view data) {
    if (data.size() < kHeaderSize + kTagSize || data.substr(0, 4) != kSealedMagic) return std::nullopt;
    SealedHeader h;
    h.from_hub = data.substr(4, kHubIdLength);
    if (!is_hex_id(h.from_hub)) return std::nullopt;
    h.key_id = get_u64(data.data() + 4 + kHubIdLength);
    h.counter = get_u64(data.data() + 4 + kHubIdLength + 8);
    if (h.counter == 0) return std::nullopt;
    return h;
}

std::string Sealer::seal(std::string_view plaintext) {
    std::string out;
    out.reserve(kHeaderSize + plaintext.size() + kTagSize);
    out += kSealedMagic;
    out += from_;
    put_u64(out, key_.id);
    put_u64(out, ++counter_);
    gcm_aes256_ctx ctx;
    start(ctx, key_, counter_, out, to_);
    out.resize(kHeaderSize + plaintext.size() + kTagSize);
    auto* body = reinterpret_cast<std::uint8_t*>(out.data() + kHeaderSize);
    gcm_aes256_encrypt(&ctx, plaintext.size(), body, reinterpret_cast<const std::uint8_t*>(plaintext.data()));
    gcm_aes256_digest(&ctx, kTagSize, body + plaintext.size());
    return out;
}

void Keyring::add(std::string_view from_hub, const LinkKey& key) {
    auto it = by_hub_.find(from_hub);
    if (it == by_hub_.end()) {
        while (by_hub_.size() >= max_hubs_ && !order_.empty()) {
            by_hub_.erase(order_.front());
            order_.pop_front();
        }
        it = by_hub_.emplace(std::string(from_hub), std::vector<Entry>{}).first;
        order_.emplace_back(from_hub);
    }
    auto& keys = it->second;
    for (const auto& e : keys)
        if (e.key.id == key.id) return;  // a repeated key message keeps the replay window
    if (keys.size() >= keys_per_hub_) keys.erase(keys.begin());
    keys.push_back(Entry{key, 0, {}});
}

void Keyring::forget(std::string_view from_hub) {
    auto it = by_hub_.find(from_hub);
    if (it == by_hub_.end()) return;
    by_hub_.erase(it);
    order_.erase(std::find(order_.begin(), order_.end(), from_hub));
}

bool Keyring::has(std::string_view from_hub, std::uint64_t key_id) const {
    auto it = by_hub_.find(from_hub);
    if (it == by_hub_.end()) return false;
    return std::any_of(it->second.begin(), it->second.end(), [&](const Entry& e) { return e.key.id == key_id; });
}

Keyring::Opened Keyring::open(std::string_view data, const SealedHeader& h, std::string& plaintext) {
    auto it = by_hub_.find(h.from_hub);
    if (it == by_hub_.end()) return Opened::unknown_key;
    Entry* e = nullptr;
    for (auto& k : it->second)
        if (k.key.id == h.key_id) e = &k;
    if (!e) return Opened::unknown_key;
    const std::size_t window = e->window.size();
    if (h.counter <= e->highest &&
        (e->highest - h.counter >= window || e->window.test(static_cast<std::size_t>(e->highest - h.counter))))
        return Opened::replayed;
    gcm_aes256_ctx ctx;
    start(ctx, e->key, h.counter, data.substr(0, kHeaderSize), self_);
    const std::size_t n = data.size() - kHeaderSize - kTagSize;
    plaintext.resize(n);
    gcm_aes256_decrypt(&ctx, n, reinterpret_cast<std::uint8_t*>(plaintext.data()),
                       reinterpret_cast<const std::uint8_t*>(data.data() + kHeaderSize));
    std::uint8_t tag[kTagSize];
    gcm_aes256_digest(&ctx, kTagSize, tag);
    if (!memeql_sec(tag, data.data() + kHeaderSize + n, kTagSize)) {
        plaintext.clear();
        return Opened::forged;
    }
    // Accepted: slide the window.
    if (h.counter > e->highest) {
        const std::uint64_t shift = h.counter - e->highest;
        if (shift >= window) e->window.reset();
        else e->window <<= static_cast<std::size_t>(shift);
        e->highest = h.counter;
        e->window.set(0);
    } else {
        e->window.set(static_cast<std::size_t>(e->highest - h.counter));
    }
    return Opened::ok;
}

}  // namespace pigeonhub::hub_link
