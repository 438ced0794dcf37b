// Membership (who counts as a hub), the buffer of records that wait for a verdict, and the MESH_REVOKED format.
#include "mesh/membership.h"

#include <gtest/gtest.h>

#include <string>

#include "mesh/mesh_limits.h"
#include "mesh/pending_records.h"
#include "mesh/revoked_hubs.h"

using namespace pigeonhub;
using Verdict = Membership::Verdict;

namespace {

const std::string kSelf(40, '0');
std::string hub(char c) { return std::string(40, c); }

// Admits a hub whose certificate is "ok:<hub>", valid until `valid_until`; counts its calls.
struct Ca {
    int calls = 0;
    std::int64_t valid_until = 1'000'000;
    Membership::Verifier verifier() {
        return [this](std::string_view h, std::string_view cert, std::int64_t) {
            ++calls;
            Membership::CertCheck c;
            if (cert != "ok:" + std::string(h)) c.problem = "not issued";
            c.valid_until_ms = valid_until;
            return c;
        };
    }
};

}  // namespace

TEST(Membership, CaModeAdmitsByCertificateOnce) {
    Ca ca;
    Membership m(MeshTrust::ca, ca.verifier());
    m.set_self(kSelf);
    EXPECT_EQ(m.of(kSelf, 0), Verdict::member) << "this hub, checked at start";
    EXPECT_EQ(m.of(hub('a'), 0), Verdict::unknown);
    EXPECT_EQ(m.present(hub('a'), "ok:" + hub('a'), 0), Verdict::member);
    EXPECT_EQ(m.of(hub('a'), 10), Verdict::member);
    EXPECT_EQ(m.present(hub('a'), "ok:" + hub('a'), 20), Verdict::member);
    EXPECT_EQ(ca.calls, 1) << "the same certificate is not checked again";
    EXPECT_EQ(m.members(), 1u);

    std::string why;
    EXPECT_EQ(m.present(hub('b'), "ok:" + hub('a'), 0, &why), Verdict::refused) << "another hub's certificate";
    EXPECT_EQ(why, "not issued");
    EXPECT_EQ(m.present(hub('b'), "ok:" + hub('a'), 0), Verdict::refused);
    EXPECT_EQ(ca.calls, 2) << "a refused certificate is remembered too";
    EXPECT_EQ(m.present(hub('c'), "", 0, &why), Verdict::refused);
    EXPECT_NE(why.find("no certificate"), std::string::npos);
    EXPECT_EQ(m.of(hub('b'), 0), Verdict::refused);
    // A refused hub that shows a good certificate later is admitted.
    EXPECT_EQ(m.present(hub('b'), "ok:" + hub('b'), 0), Verdict::member);
}

TEST(Membership, AnExpiredCertificateIsCheckedAgain) {
    Ca ca;
    Membership m(MeshTrust::ca, ca.verifier());
    m.set_self(kSelf);
    ca.valid_until = 100;
    ASSERT_EQ(m.present(hub('a'), "ok:" + hub('a'), 0), Verdict::member);
    EXPECT_EQ(m.of(hub('a'), 99), Verdict::member);
    EXPECT_EQ(m.of(hub('a'), 100), Verdict::unknown) << "expired: its records wait for its next hub record";
    EXPECT_EQ(m.present(hub('a'), "ok:" + hub('a'), 100), Verdict::refused) << "the verifier says it expired";
}

TEST(Membership, RevokedInEveryMode) {
    for (MeshTrust t : {MeshTrust::ca, MeshTrust::open}) {
        Ca ca;
        Membership m(t, ca.verifier());
        m.set_self(kSelf);
        m.present(hub('a'), "ok:" + hub('a'), 0);
        ASSERT_EQ(m.of(hub('a'), 0), Verdict::member);
        auto added = m.set_revoked({hub('a'), kSelf});
        EXPECT_EQ(added, std::vector<std::string>{hub('a')}) << "this hub is never revoked at run time";
        EXPECT_EQ(m.of(hub('a'), 0), Verdict::revoked);
        EXPECT_EQ(m.present(hub('a'), "ok:" + hub('a'), 0), Verdict::revoked);
        EXPECT_EQ(m.of(kSelf, 0), Verdict::member);
        EXPECT_TRUE(m.set_revoked({hub('a')}).empty()) << "already revoked";
        m.set_revoked({});
        EXPECT_EQ(m.present(hub('a'), "ok:" + hub('a'), 0), Verdict::member) << "admitted again by its next record";
    }
}

// A flood of hub records with ever new certificates: at most kMaxVerificationsPerSecond checks a second.
TEST(Membership, ChecksPerSecondAreBudgeted) {
    Ca ca;
    Membership m(MeshTrust::ca, ca.verifier());
    m.set_self(kSelf);
    for (int i = 0; i < 200; ++i) m.present(hub('f'), "bogus" + std::to_string(i), 5000);
    EXPECT_EQ(ca.calls, static_cast<int>(mesh::kMaxVerificationsPerSecond));
    EXPECT_EQ(m.present(hub('a'), "ok:" + hub('a'), 5999), Verdict::unknown) << "put off, not refused";
    EXPECT_EQ(m.present(hub('a'), "ok:" + hub('a'), 6000), Verdict::member) << "the next second";
    EXPECT_EQ(m.deferred(), 200u - mesh::kMaxVerificationsPerSecond + 1);
}

TEST(Membership, OpenAndSingle) {
    Membership open(MeshTrust::open, {});
    open.set_self(kSelf);
    EXPECT_EQ(open.of(hub('a'), 0), Verdict::member);
    EXPECT_EQ(open.present(hub('a'), "", 0), Verdict::member);
    Membership single(MeshTrust::single, {});
    single.set_self(kSelf);
    EXPECT_EQ(single.of(hub('a'), 0), Verdict::refused);
    EXPECT_EQ(single.present(hub('a'), "ok:" + hub('a'), 0), Verdict::refused);
    EXPECT_EQ(single.of(kSelf, 0), Verdict::member);
}

TEST(Membership, RefusedCacheIsBounded) {
    Ca ca;
    Membership m(MeshTrust::ca, ca.verifier(), /*max_refused=*/2);
    m.set_self(kSelf);
    m.present(hub('a'), "x", 0);
    m.present(hub('b'), "x", 0);
    m.present(hub('c'), "x", 0);  // over the bound: the refused are forgotten
    EXPECT_EQ(m.of(hub('a'), 0), Verdict::unknown);
    EXPECT_EQ(m.of(hub('c'), 0), Verdict::refused);
}

TEST(PendingRecords, BoundedByCountBytesAndAge) {
    PendingRecords<int> p(3, 100, 1000);
    EXPECT_EQ(p.hold("a", 1, 10, 0), 0u);
    EXPECT_EQ(p.hold("b", 2, 10, 1), 0u);
    EXPECT_EQ(p.hold("a", 3, 10, 2), 0u);
    EXPECT_EQ(p.hold("c", 4, 10, 3), 1u) << "at the count bound the oldest goes";
    EXPECT_EQ(p.take("a"), std::vector<int>{3});
    EXPECT_EQ(p.size(), 2u);
    EXPECT_EQ(p.hold("d", 5, 90, 4), 1u) << "at the byte bound too";
    EXPECT_EQ(p.bytes(), 100u);
    EXPECT_EQ(p.hold("e", 6, 500, 5), 1u) << "larger than the whole buffer: never held, the others stay";
    EXPECT_EQ(p.size(), 2u);
    p.take("c");
    p.take("d");
    p.hold("f", 7, 1, 100);
    p.hold("g", 8, 1, 600);
    EXPECT_EQ(p.expire(1099), 0u);
    EXPECT_EQ(p.expire(1100), 1u);
    EXPECT_EQ(p.remove_if([](const std::string& owner, int) { return owner == "g"; }), 1u);
    EXPECT_EQ(p.size(), 0u);
    EXPECT_EQ(p.bytes(), 0u);
}

TEST(RevokedHubs, Format) {
    std::string err;
    auto list = parse_revoked_hubs("# revoked hubs\n\n" + hub('a') + "\n  " + std::string(40, 'B') + "  # old hub\r\n", &err);
    ASSERT_TRUE(list) << err;
    EXPECT_EQ(*list, (RevokedHubs{hub('a'), hub('b')})) << "lower case";
    EXPECT_FALSE(parse_revoked_hubs(hub('a') + "\nnot-a-hub\n", &err));
    EXPECT_NE(err.find("line 2"), std::string::npos) << err;
    EXPECT_FALSE(parse_revoked_hubs(std::string(39, 'a'), &err));
    EXPECT_TRUE(parse_revoked_hubs("", &err)->empty());
}
