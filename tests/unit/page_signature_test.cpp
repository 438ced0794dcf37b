// Presence pages as plain values with the hub's Ed25519 signature (mesh/page_signature.h): what a signature covers
// (every byte of the page, the DHT key it is stored under, so the app id and the namespace) and what it refuses.
#include "mesh/page_signature.h"

#include <gtest/gtest.h>

#include "mesh/mesh_records.h"

namespace pigeonhub::mesh {
namespace {

data::Ed25519Key key(std::uint8_t fill) {
    std::array<std::uint8_t, 32> seed{};
    seed.fill(fill);
    return data::Ed25519Key::from_seed(seed);
}

PresencePage page(std::string ns = "room") {
    const std::string hub(40, 'b'), peer(40, '2');
    return PresencePage{hub, std::move(ns), {{peer, R"({"peerId":")" + peer + R"(","nick":"two"})"}}, 0, 1700000000000001};
}

TEST(PageSignature, SignedPageVerifiesAndStillDecodes) {
    const auto k = key(1);
    const std::string dht_key = presence_key("app", "room", 0);
    const std::string value = sign_page(dht_key, encode_presence(page()), k);
    EXPECT_TRUE(verify_page(dht_key, value, k.public_key));
    EXPECT_NE(value.find(R"(,"sig":")"), std::string::npos);
    EXPECT_EQ(value.size(), encode_presence(page()).size() + 8 + 128 + 1);
    auto decoded = decode_presence(value);  // the signature is one more member: the page reads as before
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->hub_id, std::string(40, 'b'));
    EXPECT_EQ(decoded->network, "room");
    EXPECT_EQ(decoded->seq, 1700000000000001u);
    ASSERT_EQ(decoded->peers.size(), 1u);
    EXPECT_EQ(decoded->peers[0].data, R"({"peerId":")" + std::string(40, '2') + R"(","nick":"two"})");
}

TEST(PageSignature, AnotherKeyOrAnotherDhtKeyFails) {
    const auto k = key(1);
    const std::string value = sign_page(presence_key("app", "room", 0), encode_presence(page()), k);
    EXPECT_FALSE(verify_page(presence_key("app", "room", 0), value, key(2).public_key));
    EXPECT_FALSE(verify_page(presence_key("app", "hall", 0), value, k.public_key)) << "bound to the namespace's key";
    EXPECT_FALSE(verify_page(presence_key("other-app", "room", 0), value, k.public_key)) << "and to the app id";
}

TEST(PageSignature, EveryChangedByteFails) {
    const auto k = key(1);
    const std::string dht_key = presence_key("app", "room", 0);
    const std::string value = sign_page(dht_key, encode_presence(page()), k);
    for (std::size_t i = 0; i < value.size(); ++i) {
        std::string changed = value;
        changed[i] = changed[i] == 'a' ? 'c' : 'a';
        EXPECT_FALSE(verify_page(dht_key, changed, k.public_key)) << "byte " << i;
    }
}

TEST(PageSignature, UnsignedOrMalformedFails) {
    const auto k = key(1);
    const std::string dht_key = presence_key("app", "room", 0);
    const std::string plain = encode_presence(page());
    EXPECT_FALSE(verify_page(dht_key, plain, k.public_key));
    EXPECT_FALSE(verify_page(dht_key, "", k.public_key));
    EXPECT_FALSE(verify_page(dht_key, "}", k.public_key));
    std::string value = sign_page(dht_key, plain, k);
    EXPECT_FALSE(verify_page(dht_key, value + " ", k.public_key));
    EXPECT_FALSE(verify_page(dht_key, value.substr(1), k.public_key));
    std::string upper = value;  // the signature has one spelling: lower-case hex
    for (std::size_t i = upper.size() - 130; i < upper.size() - 2; ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
    if (upper != value) {
        EXPECT_FALSE(verify_page(dht_key, upper, k.public_key));
    }
}

TEST(PageSignature, KeyHexRoundTripAndHubRecordField) {
    const auto k = key(7);
    const std::string hex = page_key_hex(k.public_key);
    EXPECT_EQ(hex.size(), 64u);
    EXPECT_EQ(*page_key_from_hex(hex), k.public_key);
    EXPECT_FALSE(page_key_from_hex(hex.substr(1)));
    EXPECT_FALSE(page_key_from_hex(std::string(64, 'G')));
    HubRecord h;
    h.hub_id = std::string(40, 'b');
    h.page_key = hex;
    EXPECT_EQ(decode_hub(encode_hub(h))->page_key, hex);
    h.page_key.clear();
    EXPECT_EQ(encode_hub(h).find("pageKey"), std::string::npos);
}

}  // namespace
}  // namespace pigeonhub::mesh
