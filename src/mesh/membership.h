// Which DHT signers count as hubs of this mesh (issue 10; docs/MESH.md "Membership"). Every record that speaks
// for a hub (presence pages, hub records, link keys and key requests, sealed signals) is let in only when its
// signer is a member; the parts ask here.
//
// - MeshTrust::ca: a hub is a member once its hub record carried a certificate for its key that chains to the
//   mesh CA (checked by the Verifier, OpenDHT's dht::crypto in the adapter, mesh_ca.h), until the certificate
//   expires or the hub is revoked. A hub not heard of yet is `unknown` (its records wait, see PendingRecords).
// - MeshTrust::open: every signer is a member unless revoked.
// - MeshTrust::single: no other hub is a member.
// This hub is always a member of its own mesh (its identity is checked at start).
//
// A certificate is verified once per hub and certificate (a 64-bit hash of it is kept), not per record, and at most
// mesh::kMaxVerificationsPerSecond times a second (beyond: the hub stays unknown until its next record).
// Bounded: kMaxHubs members; refused certificates are remembered up to max_refused (then all forgotten: a refused
// hub costs one more verification the next time).
// Pure logic, no I/O; io thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mesh/mesh_status.h"
#include "pigeonhub/config.h"

namespace pigeonhub {

class Membership {
public:
    struct CertCheck {
        std::string problem;  // why the certificate does not admit the hub; empty: it does
        std::int64_t valid_until_ms = std::numeric_limits<std::int64_t>::max();
    };
    // Checks that `certificate` (PEM) is `hub`'s (its public key id is `hub`) and chains to the mesh CA.
    using Verifier = std::function<CertCheck(std::string_view hub, std::string_view certificate, std::int64_t now_ms)>;

    enum class Verdict {
        member,
        unknown,     // ca mode: no hub record with a certificate seen yet
        refused,     // its certificate does not admit it (or single mode)
        revoked,     // listed in MESH_REVOKED
    };

    Membership(MeshTrust trust, Verifier verify, std::size_t max_refused = 4096);
    // This hub's id (known once the DHT node has loaded the identity). REQUIRES: before any other call.
    void set_self(std::string self) { self_ = std::move(self); }

    Verdict of(std::string_view hub, std::int64_t now_ms) const;
    // `hub` published a hub record carrying `certificate` (may be empty). Returns what it counts as now, and in
    // `problem` why not a member (for the log).
    Verdict present(std::string_view hub, std::string_view certificate, std::int64_t now_ms, std::string* problem = nullptr);
    // Replaces the set of revoked hub ids; returns the hubs revoked now that were not before.
    std::vector<std::string> set_revoked(std::set<std::string, std::less<>> revoked);

    MeshTrust trust() const noexcept { return trust_; }
    std::uint64_t verifications() const noexcept { return verifications_; }
    // Checks put off because the budget of the second (mesh::kMaxVerificationsPerSecond) was spent.
    std::uint64_t deferred() const noexcept { return deferred_; }
    std::size_t members() const noexcept { return members_.size(); }

private:
    struct Admitted {
        std::uint64_t cert_hash = 0;
        std::int64_t valid_until_ms = 0;
    };
    MeshTrust trust_;
    std::string self_;
    Verifier verify_;
    std::size_t max_refused_;
    std::unordered_map<std::string, Admitted> members_;
    std::unordered_map<std::string, std::uint64_t> refused_;  // hub -> hash of the certificate refused
    std::set<std::string, std::less<>> revoked_;
    std::uint64_t verifications_ = 0;
    std::uint64_t deferred_ = 0;
    std::int64_t budget_second_ = -1;
    std::uint64_t budget_used_ = 0;
};

// What a record of a signer that is not a member is counted as (/stats mesh.refused): revoked, or not a member.
inline Refusal refusal_of(Membership::Verdict v) {
    return v == Membership::Verdict::revoked ? Refusal::revoked : Refusal::not_member;
}

}  // namespace pigeonhub
