// argon2id hashes (src/auth/password_hash.h) with cheap parameters, and the cache of results (password_cache.h).
#include "auth/password_hash.h"

#include <gtest/gtest.h>

#include "auth/password_cache.h"

using namespace pigeonhub;

namespace {
constexpr auth::Argon2Params kCheap{64, 1, 1};  // 64 KiB, one pass: fast enough for unit tests
}

TEST(PasswordHash, MakeAndVerify) {
    const std::string h = auth::make_password_hash("correct horse", kCheap);
    ASSERT_EQ(h.rfind("$argon2id$v=19$m=64,t=1,p=1$", 0), 0u) << h;
    EXPECT_TRUE(auth::verify_password(h, "correct horse"));
    EXPECT_FALSE(auth::verify_password(h, "correct horsE"));
    EXPECT_FALSE(auth::verify_password(h, ""));
    EXPECT_FALSE(auth::verify_password(h, std::string(auth::kMaxPasswordSize + 1, 'x')));
    EXPECT_NE(auth::make_password_hash("correct horse", kCheap), h);  // a new salt each time
    EXPECT_FALSE(auth::verify_password("not a hash", "x"));
}

TEST(PasswordHash, Params) {
    auto p = auth::password_hash_params(auth::make_password_hash("pw", kCheap));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->memory_kib, 64u);
    EXPECT_EQ(p->passes, 1u);
    EXPECT_EQ(p->lanes, 1u);
    auto d = auth::password_hash_params("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->memory_kib, 19456u);
    for (std::string bad : {"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=16$m=64,t=1,p=1$c2FsdA$aGFzaA",
                            "$argon2id$v=19$m=64,t=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA",
                            "$argon2id$v=19$m=64,t=0,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=x,t=1,p=1$c2FsdA$aGFzaA",
                            "$argon2id$v=19$m=64,t=1,p=1$c2Fs dA$aGFzaA"})
        EXPECT_FALSE(auth::password_hash_params(bad)) << bad;
}

TEST(PasswordCache, KeyedBoundedOldestFirst) {
    auth::PasswordCache c(2, 1, 2);
    const auto k1 = c.key("room", "a"), k2 = c.key("room", "b"), k3 = c.key("room", "c");
    EXPECT_NE(c.key("ab", "c"), c.key("a", "bc"));
    EXPECT_NE(k1, auth::PasswordCache(2, 3, 4).key("room", "a"));  // another process key, another hash
    c.put(k1, true);
    c.put(k2, false);
    EXPECT_EQ(c.find(k1), true);
    EXPECT_EQ(c.find(k2), false);
    c.put(k3, true);
    EXPECT_EQ(c.size(), 2u);
    EXPECT_FALSE(c.find(k1));
    EXPECT_EQ(c.evicted(), 1u);
    EXPECT_EQ(c.find(k3), true);
}
