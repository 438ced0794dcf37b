#include "signaling/namespace_members.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>

using namespace pigeonhub;

namespace {

std::string random_id(std::mt19937_64& rng) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s(40, '0');
    for (auto& c : s) c = kHex[rng() & 15];
    return s;
}

}  // namespace

TEST(NamespaceMembers, AddRemove) {
    NamespaceMembers m;
    auto k = PeerKey::from_hex(std::string(40, 'a'));
    m.add(k, 1);
    m.add(k, 2);  // same key, different slot (ids differing only in case)
    EXPECT_EQ(m.size(), 2u);
    EXPECT_TRUE(m.remove(k, 1));
    EXPECT_FALSE(m.remove(k, 1));
    EXPECT_EQ(m.size(), 1u);
}

TEST(NamespaceMembers, PeerKeyIsCaseInsensitiveValue) {
    EXPECT_EQ(PeerKey::from_hex(std::string(40, 'A')), PeerKey::from_hex(std::string(40, 'a')));
    auto k = PeerKey::from_hex("8000000000000000000000000000000000000001");
    EXPECT_TRUE(k.bit(0));
    EXPECT_FALSE(k.bit(1));
    EXPECT_TRUE(k.bit(159));
}

// The trie walk must return exactly the k smallest XOR distances (compared with a brute-force sort).
TEST(NamespaceMembers, ClosestMatchesBruteForce) {
    std::mt19937_64 rng(42);
    for (int round = 0; round < 50; ++round) {
        NamespaceMembers m;
        std::vector<PeerKey> keys;
        const int n = 1 + static_cast<int>(rng() % 300);
        for (int i = 0; i < n; ++i) {
            keys.push_back(PeerKey::from_hex(random_id(rng)));
            m.add(keys.back(), static_cast<Slot>(i));
        }
        const PeerKey target = PeerKey::from_hex(random_id(rng));
        const Slot exclude = static_cast<Slot>(rng() % n);
        for (std::size_t k : {1u, 3u, 5u, 32u, 1000u}) {
            std::vector<Slot> got;
            m.closest(target, k, exclude, got);
            std::vector<std::pair<std::array<std::uint8_t, 20>, Slot>> all;
            for (int i = 0; i < n; ++i)
                if (static_cast<Slot>(i) != exclude) all.emplace_back(xor_distance(keys[i], target), i);
            std::sort(all.begin(), all.end());
            const std::size_t want = std::min(k, all.size());
            ASSERT_EQ(got.size(), want);
            // Same multiset of distances (ties may pick different slots with equal distance).
            std::multiset<std::array<std::uint8_t, 20>> a, b;
            for (std::size_t i = 0; i < want; ++i) a.insert(all[i].first);
            for (Slot s : got) b.insert(xor_distance(keys[s], target));
            EXPECT_EQ(a, b);
            EXPECT_EQ(std::count(got.begin(), got.end(), exclude), 0);
        }
    }
}
