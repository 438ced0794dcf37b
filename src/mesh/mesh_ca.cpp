#include "mesh/mesh_ca.h"

#include <unistd.h>

#include <opendht/crypto.h>

#include <chrono>
#include <exception>
#include <memory>

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

std::string issue(const std::string& ca_key_path, const std::string& ca_crt_path, const std::string& state_dir,
                  std::string* hub_id) {
    try {
        if (!exists(ca_key_path)) return "no CA key at " + ca_key_path + " (make one with --mesh-ca-init)";
        make_dirs(state_dir);
        if (has_identity(state_dir))
            return state_dir + " already holds a hub identity; issue into an empty state directory";
        dht::crypto::Identity ca{std::make_shared<dht::crypto::PrivateKey>(read_file(ca_key_path)),
                                 std::make_shared<dht::crypto::Certificate>(read_file(ca_crt_path))};
        auto id = dht::crypto::generateIdentity("pigeonhub", ca, kHubKeyBits, /*is_ca=*/false);
        write_private_file(identity_key_path(state_dir), id.first->serialize());
        write_private_file(identity_crt_path(state_dir), text_blob(id.second->toString(true)));  // with the chain
        if (hub_id) *hub_id = id.second->getId().toString();
        return {};
    } catch (const std::exception& e) {
        return e.what();
    }
}

std::string issue(const std::string& ca_dir, const std::string& state_dir, std::string* hub_id) {
    return issue(ca_dir + "/ca.pem", ca_dir + "/ca.crt", state_dir, hub_id);
}

bool has_identity(const std::string& state_dir) { return exists(identity_key_path(state_dir)); }

std::string hub_id_of(const std::string& state_dir) {
    try {
        if (!exists(identity_crt_path(state_dir))) return {};
        return dht::crypto::Certificate(read_file(identity_crt_path(state_dir))).getId().toString();
    } catch (const std::exception&) {
        return {};
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

namespace pigeonhub::mesh_ca {

Membership::Verifier verifier(const std::string& ca_crt_path, std::string* error) {
    std::shared_ptr<dht::crypto::TrustList> trust;
    try {
        trust = std::make_shared<dht::crypto::TrustList>();
        trust->add(dht::crypto::Certificate(read_file(ca_crt_path)));
    } catch (const std::exception& e) {
        if (error) *error = "cannot load the mesh CA " + ca_crt_path + ": " + e.what();
        return {};
    }
    return [trust](std::string_view hub, std::string_view pem, std::int64_t now_ms) {
        Membership::CertCheck check;
        try {
            dht::crypto::Certificate crt(dht::Blob(pem.begin(), pem.end()));
            if (crt.getId().toString() != hub) {
                check.problem = "its certificate is for another key (" + crt.getId().toString() + ")";
                return check;
            }
            const auto expires = std::chrono::duration_cast<std::chrono::milliseconds>(
                                     crt.getExpiration().time_since_epoch()).count();
            const auto activates = std::chrono::duration_cast<std::chrono::milliseconds>(
                                       crt.getActivation().time_since_epoch()).count();
            if (now_ms < activates || now_ms >= expires) {
                check.problem = "its certificate is not valid now";
                return check;
            }
            if (auto result = trust->verify(crt); !result) {
                check.problem = "its certificate does not chain to the mesh CA: " + result.toString();
                return check;
            }
            check.valid_until_ms = expires;
        } catch (const std::exception& e) {
            check.problem = std::string("its certificate cannot be read: ") + e.what();
        }
        return check;
    };
}

}  // namespace pigeonhub::mesh_ca
