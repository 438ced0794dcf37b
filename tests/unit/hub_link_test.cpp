#include "mesh/hub_link.h"

#include <gtest/gtest.h>

#include <string>

using namespace pigeonhub;
using namespace pigeonhub::hub_link;

namespace {

const std::string kA(40, 'a');  // sending hub
const std::string kB(40, 'b');  // receiving hub
const std::string kC(40, 'c');

}  // namespace

TEST(HubLink, KeyMessagesRoundTrip) {
    const LinkKey k = LinkKey::random();
    auto back = decode_key_message(encode_key_message(k));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->id, k.id);
    EXPECT_EQ(back->bytes, k.bytes);
    EXPECT_FALSE(decode_key_message("PHK1short"));
    EXPECT_FALSE(decode_key_message(encode_key_message(k) + "x"));
    auto req = decode_key_request(encode_key_request(0x0102030405060708ull));
    ASSERT_TRUE(req);
    EXPECT_EQ(*req, 0x0102030405060708ull);
    EXPECT_FALSE(decode_key_request(encode_key_message(k)));
    EXPECT_NE(LinkKey::random().bytes, k.bytes);
}

TEST(HubLink, SealedSignalsOpenOnlyForTheirReceiverWithTheirKey) {
    const LinkKey k = LinkKey::random();
    Sealer sealer(kA, kB, k);
    const std::string text = R"({"v":1,"msg":{"type":"offer"}})";
    const std::string sealed = sealer.seal(text);
    EXPECT_EQ(sealed.find("offer"), std::string::npos);  // encrypted

    auto h = parse_sealed(sealed);
    ASSERT_TRUE(h);
    EXPECT_EQ(h->from_hub, kA);
    EXPECT_EQ(h->key_id, k.id);
    EXPECT_EQ(h->counter, 1u);

    Keyring b(kB);
    std::string plain;
    EXPECT_EQ(b.open(sealed, *h, plain), Keyring::Opened::unknown_key);
    b.add(kA, k);
    EXPECT_TRUE(b.has(kA, k.id));
    ASSERT_EQ(b.open(sealed, *h, plain), Keyring::Opened::ok);
    EXPECT_EQ(plain, text);

    // Another receiver that somehow holds the key still refuses it: the receiver id is authenticated.
    Keyring c(kC);
    c.add(kA, k);
    EXPECT_EQ(c.open(sealed, *h, plain), Keyring::Opened::forged);

    // Any flipped byte (header, body or tag) is refused.
    for (std::size_t i = 0; i < sealed.size(); i += 7) {
        Keyring fresh(kB);
        fresh.add(kA, k);
        std::string bad = sealed;
        bad[i] = static_cast<char>(bad[i] ^ 0x20);
        auto bh = parse_sealed(bad);
        if (!bh) continue;  // the header no longer parses: refused earlier
        const auto r = fresh.open(bad, *bh, plain);
        EXPECT_NE(r, Keyring::Opened::ok) << "byte " << i;
    }
}

TEST(HubLink, ReplaysAreRefusedAndReorderingIsNot) {
    const LinkKey k = LinkKey::random();
    Sealer sealer(kA, kB, k);
    std::vector<std::string> sealed;
    for (int i = 0; i < 1100; ++i) sealed.push_back(sealer.seal("m" + std::to_string(i)));
    Keyring b(kB);
    b.add(kA, k);
    std::string plain;
    auto open = [&](int i) { return b.open(sealed[i], *parse_sealed(sealed[i]), plain); };
    EXPECT_EQ(open(5), Keyring::Opened::ok);
    EXPECT_EQ(open(3), Keyring::Opened::ok);  // late, inside the window
    EXPECT_EQ(plain, "m3");
    EXPECT_EQ(open(5), Keyring::Opened::replayed);
    EXPECT_EQ(open(3), Keyring::Opened::replayed);
    EXPECT_EQ(open(1099), Keyring::Opened::ok);
    EXPECT_EQ(open(10), Keyring::Opened::replayed);  // 1089 behind the newest: outside the window
    EXPECT_EQ(open(1000), Keyring::Opened::ok);
    // A repeated key message keeps the window.
    b.add(kA, k);
    EXPECT_EQ(open(1000), Keyring::Opened::replayed);
}

TEST(HubLink, KeyringIsBounded) {
    Keyring b(kB, /*max_hubs=*/2, /*keys_per_hub=*/2);
    const LinkKey k1 = LinkKey::random(), k2 = LinkKey::random(), k3 = LinkKey::random();
    b.add(kA, k1);
    b.add(kA, k2);
    b.add(kA, k3);  // the oldest key of this hub goes
    EXPECT_FALSE(b.has(kA, k1.id));
    EXPECT_TRUE(b.has(kA, k2.id));
    EXPECT_TRUE(b.has(kA, k3.id));
    b.add(kC, k1);
    b.add(std::string(40, 'd'), k1);  // a third hub: the first one goes
    EXPECT_EQ(b.hubs(), 2u);
    EXPECT_FALSE(b.has(kA, k3.id));
    EXPECT_TRUE(b.has(kC, k1.id));
}

TEST(HubLink, MalformedSealedValuesAreRejected) {
    EXPECT_FALSE(parse_sealed(""));
    EXPECT_FALSE(parse_sealed("PHS1"));
    EXPECT_FALSE(parse_sealed(std::string("XXXX") + std::string(100, 'a')));
    std::string upper = "PHS1" + std::string(40, 'A') + std::string(8, '\0') + std::string(7, '\0') + "\x01" + std::string(16, 'x');
    EXPECT_FALSE(parse_sealed(upper));  // hub ids are lower-case hex
    std::string zero = "PHS1" + std::string(40, 'a') + std::string(16, '\0') + std::string(16, 'x');
    EXPECT_FALSE(parse_sealed(zero));  // counter 0 is never used
}
