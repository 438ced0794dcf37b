// The mesh CA (mesh_ca.h): a CA made once per directory, hub identities issued from it, and the membership check
// the hub runs at start. Real dht::crypto keys in temporary directories.
#include "mesh/mesh_ca.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <opendht/crypto.h>

#include "mesh/identity_store.h"

using namespace pigeonhub;

namespace {

class MeshCaTest : public ::testing::Test {
protected:
    MeshCaTest() {
        char tmpl[] = "/tmp/pigeonhub-ca-test-XXXXXX";
        root = ::mkdtemp(tmpl);
    }
    ~MeshCaTest() override { std::filesystem::remove_all(root); }
    std::string root;
};

unsigned mode_of(const std::string& path) {
    struct stat st {};
    ::stat(path.c_str(), &st);
    return st.st_mode & 0777;
}

}  // namespace

TEST_F(MeshCaTest, IssuedIdentitiesAreMembersOthersAreNot) {
    const std::string ca = root + "/ca", other_ca = root + "/other-ca";
    ASSERT_EQ(mesh_ca::init(ca), "");
    EXPECT_EQ(mode_of(ca + "/ca.pem"), 0600u) << "the CA key is private";
    EXPECT_NE(mesh_ca::init(ca), "") << "an existing CA is never replaced";

    ASSERT_EQ(mesh_ca::issue(ca, root + "/hub1"), "");
    EXPECT_EQ(mode_of(root + "/hub1/identity.pem"), 0600u);
    EXPECT_EQ(mesh_ca::member_problem(ca + "/ca.crt", root + "/hub1"), "");
    EXPECT_NE(mesh_ca::issue(ca, root + "/hub1"), "") << "an existing identity is never replaced";

    // The identity the hub loads is the issued one (its id is the member certificate's key id).
    auto id = load_or_create_identity(root + "/hub1");
    ASSERT_TRUE(id.second && id.second->issuer);
    EXPECT_TRUE(id.second->issuer->isCA());

    // A self-made identity (what a hub without a CA creates), and one issued by another CA, are not members.
    load_or_create_identity(root + "/self");
    EXPECT_NE(mesh_ca::member_problem(ca + "/ca.crt", root + "/self"), "");
    ASSERT_EQ(mesh_ca::init(other_ca), "");
    ASSERT_EQ(mesh_ca::issue(other_ca, root + "/stranger"), "");
    EXPECT_NE(mesh_ca::member_problem(ca + "/ca.crt", root + "/stranger"), "");
    EXPECT_NE(mesh_ca::member_problem(ca + "/ca.crt", root + "/nobody"), "") << "no identity at all";
    EXPECT_NE(mesh_ca::issue(root + "/nowhere", root + "/hub2"), "") << "no CA to issue from";
}
