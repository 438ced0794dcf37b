#include "mesh/mesh_ca.h"

#include <unistd.h>

#include <opendht/crypto.h>

#include <exception>

#include "mesh/identity_store.h"

namespace pigeonhub::mesh_ca {
namespace {

// RSA everywhere: EC identities cannot sign values in OpenDHT 2.4.12 (build notes). The CA key is longer: it
// lives for the mesh's lifetime and signs rarely.
constexpr unsigned kCaKeyBits = 4096;
constexpr unsigned kHubKeyBits = 2048;

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

dht::Blob text_blob(const std::string& s) { return dht::Blob(s.begin(), s.end()); }

}  // namespace

std::string init(const std::string& dir) {
    try {
        make_dirs(dir);
        if (exists(dir + "/ca.pem") || exists(dir + "/ca.crt"))
            return dir + " already holds a mesh CA (ca.pem, ca.crt); remove them first to make a new one";
        auto ca = dht::crypto::generateIdentity("pigeonhub-mesh-ca", {}, kCaKeyBits, /*is_ca=*/true);
        write_private_file(dir + "/ca.pem", ca.first->serialize());
        write_private_file(dir + "/ca.crt", text_blob(ca.second->toString(false)));
        return {};
    } catch (const std::exception& e) {
        return e.what();
    }
}

std::string issue(const std::string& ca_dir, const std::string& state_dir) {
    try {
        if (!exists(ca_dir + "/ca.pem")) return "no CA key in " + ca_dir + " (make one with --mesh-ca-init)";
        make_dirs(state_dir);
        if (exists(identity_key_path(state_dir)))
            return state_dir + " already holds a hub identity; issue into an empty state directory";
        dht::crypto::Identity ca{std::make_shared<dht::crypto::PrivateKey>(read_file(ca_dir + "/ca.pem")),
                                 std::make_shared<dht::crypto::Certificate>(read_file(ca_dir + "/ca.crt"))};
        auto id = dht::crypto::generateIdentity("pigeonhub", ca, kHubKeyBits, /*is_ca=*/false);
        write_private_file(identity_key_path(state_dir), id.first->serialize());
        write_private_file(identity_crt_path(state_dir), text_blob(id.second->toString(true)));  // with the chain
        return {};
    } catch (const std::exception& e) {
        return e.what();
    }
}

std::string member_problem(const std::string& ca_crt_path, const std::string& state_dir) {
    try {
        if (!exists(identity_crt_path(state_dir))) return "no hub identity in " + state_dir;
        dht::crypto::Certificate ca(read_file(ca_crt_path));
        dht::crypto::Certificate crt(read_file(identity_crt_path(state_dir)));
        dht::crypto::TrustList trust;
        trust.add(ca);
        const auto result = trust.verify(crt);
        if (!result) return "the identity in " + state_dir + " does not chain to " + ca_crt_path + ": " + result.toString();
        return {};
    } catch (const std::exception& e) {
        return e.what();
    }
}

}  // namespace pigeonhub::mesh_ca
