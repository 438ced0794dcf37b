#include "mesh/membership.h"

#include "mesh/mesh_limits.h"
#include "util/siphash.h"

namespace pigeonhub {

Membership::Membership(MeshTrust trust, Verifier verify, std::size_t max_refused)
    : trust_(trust), verify_(std::move(verify)), max_refused_(max_refused) {}

Membership::Verdict Membership::of(std::string_view hub, std::int64_t now_ms) const {
    if (hub == self_) return Verdict::member;
    if (revoked_.count(hub)) return Verdict::revoked;
    switch (trust_) {
    case MeshTrust::open: return Verdict::member;
    case MeshTrust::single: return Verdict::refused;
    case MeshTrust::ca: break;
    }
    const std::string key(hub);
    if (auto it = members_.find(key); it != members_.end())
        return now_ms < it->second.valid_until_ms ? Verdict::member : Verdict::unknown;  // expired: check again
    return refused_.count(key) ? Verdict::refused : Verdict::unknown;
}

Membership::Verdict Membership::present(std::string_view hub, std::string_view certificate, std::int64_t now_ms,
                                        std::string* problem) {
    if (trust_ != MeshTrust::ca || hub == self_ || revoked_.count(hub)) return of(hub, now_ms);
    const std::string key(hub);
    const std::uint64_t hash = KeyedHash{}(certificate);
    if (auto it = members_.find(key); it != members_.end() && it->second.cert_hash == hash)
        if (now_ms < it->second.valid_until_ms) return Verdict::member;
    if (auto it = refused_.find(key); it != refused_.end() && it->second == hash) return Verdict::refused;

    CertCheck check;
    if (certificate.empty()) {
        check.problem = "its hub record carries no certificate";
    } else {
        // A chain check costs ~0.2-0.35 ms (an RSA-4096 verification): a budget per second, so that a flood of
        // hub records with ever new keys or certificates cannot take the io thread. Beyond it the hub stays
        // unknown (its records wait) until its next record.
        if (now_ms / 1000 != budget_second_) {
            budget_second_ = now_ms / 1000;
            budget_used_ = 0;
        }
        if (budget_used_ >= mesh::kMaxVerificationsPerSecond) {
            ++deferred_;
            return of(hub, now_ms);
        }
        ++budget_used_;
        ++verifications_;
        check = verify_ ? verify_(hub, certificate, now_ms) : CertCheck{"no verifier", 0};
        if (check.problem.empty() && check.valid_until_ms <= now_ms) check.problem = "its certificate has expired";
        if (check.problem.empty() && !members_.count(key) && members_.size() >= mesh::kMaxHubs)
            check.problem = "the mesh already has the most hubs this hub tracks";
    }
    if (check.problem.empty()) {
        members_[key] = Admitted{hash, check.valid_until_ms};
        refused_.erase(key);
        return Verdict::member;
    }
    members_.erase(key);
    if (refused_.size() >= max_refused_) refused_.clear();
    refused_[key] = hash;
    if (problem) *problem = std::move(check.problem);
    return Verdict::refused;
}

std::vector<std::string> Membership::set_revoked(std::set<std::string, std::less<>> revoked) {
    std::vector<std::string> added;
    for (const auto& hub : revoked)
        if (!revoked_.count(hub) && hub != self_) added.push_back(hub);
    revoked_ = std::move(revoked);
    revoked_.erase(self_);  // this hub's own revocation is checked at start (it then refuses to run)
    for (const auto& hub : added) members_.erase(hub);  // admitted again only by a record after un-revoking
    return added;
}

}  // namespace pigeonhub
