#include "hub/access_gate.h"

#include "auth/password_hash.h"
#include "util/file.h"
#include "util/random.h"

namespace pigeonhub {
namespace {

std::uint64_t random_u64() {
    std::uint64_t v;
    random_bytes(&v, sizeof v);
    return v;
}

}  // namespace

HubAccessGate::HubAccessGate(asio::io_context& io, auth::AccessPolicy policy, const AccessOptions& options)
    : io_(io),
      policy_(std::move(policy)),
      options_(options),
      cache_(options.cache_size, random_u64(), random_u64()) {
    stats_.enabled = true;
    stats_.protected_namespaces = policy_.rules().size();
}

HubAccessGate::~HubAccessGate() {
    alive_.reset();
    if (workers_) workers_->join();
}

std::optional<auth::AccessPolicy> HubAccessGate::load_policy(const std::string& path, std::string* error) {
    auto text = read_whole_file(path);
    if (!text) {
        *error = "cannot read " + path;
        return std::nullopt;
    }
    std::string why;
    auto policy = auth::AccessPolicy::parse(*text, &why);
    if (!policy) *error = path + ": " + why;
    return policy;
}

void HubAccessGate::attach(Slot slot, auth::JoinCredentials creds) {
    if (conns_.size() <= slot) conns_.resize(slot + 1);
    Conn& c = conns_[slot];
    c.creds = std::move(creds);
    ++c.generation;
    c.waiting.clear();
}

void HubAccessGate::detach(Slot slot) {
    if (slot >= conns_.size()) return;
    Conn& c = conns_[slot];
    c.creds = {};
    ++c.generation;
    c.waiting.clear();
    c.waiting.shrink_to_fit();
}

auth::Verdict HubAccessGate::check(Slot slot, std::string_view ns, std::string_view announce_text,
                                   std::int64_t now_ms) {
    using auth::Verdict;
    if (slot >= conns_.size()) conns_.resize(slot + 1);
    Conn& c = conns_[slot];
    const auth::NamespaceRule* rule = policy_.rule_for(ns);
    if (!rule) {
        c.waiting.clear();  // an announce elsewhere replaces one that waited
        return Verdict::allowed;
    }
    Verdict v = auth::authorize(*rule, c.creds, ns, now_ms / 1000);
    if (v == Verdict::check_password) {
        const std::uint64_t key = cache_.key(rule->pattern, c.creds.password);
        if (auto hit = cache_.find(key)) {
            ++stats_.password_cache_hits;
            v = *hit ? Verdict::allowed : Verdict::wrong_password;
        } else if (auto running = running_.find(key); running != running_.end()) {
            running->second.emplace_back(slot, c.generation);  // the same password is being checked: wait for it
            v = Verdict::pending;
        } else if (!c.waiting.empty()) {
            v = Verdict::pending;  // its check is running: the newest announce waits instead
        } else if (stats_.password_checks_running >= options_.max_verifications) {
            v = Verdict::busy;
        } else {
            start_check(slot, *rule, key);
            v = Verdict::pending;
        }
        if (v == Verdict::pending) c.waiting.assign(announce_text);
    }
    if (v != Verdict::pending) c.waiting.clear();
    ++stats_.announces[static_cast<std::size_t>(v)];
    return v;
}

void HubAccessGate::start_check(Slot slot, const auth::NamespaceRule& rule, std::uint64_t key) {
    if (!workers_) workers_ = std::make_unique<asio::thread_pool>(options_.max_verifications);
    ++stats_.password_checks_running;
    ++stats_.password_checks;
    running_[key].emplace_back(slot, conns_[slot].generation);
    asio::post(*workers_, [this, alive = std::weak_ptr<char>(alive_), key, hashes = rule.password_hashes,
                           password = conns_[slot].creds.password] {
        bool ok = false;
        for (const auto& h : hashes)
            if ((ok = auth::verify_password(h, password))) break;
        if (alive.expired()) return;
        // The gate lives until the workers are joined (its destructor), so io_ is still there.
        asio::post(io_, [this, alive, key, ok] {
            if (!alive.expired()) finish_check(key, ok);
        });
    });
}

void HubAccessGate::finish_check(std::uint64_t key, bool ok) {
    --stats_.password_checks_running;
    cache_.put(key, ok);
    auto it = running_.find(key);
    if (it == running_.end()) return;
    const auto waiters = std::move(it->second);
    running_.erase(it);
    for (const auto& [slot, generation] : waiters) {
        if (slot >= conns_.size() || conns_[slot].generation != generation || conns_[slot].waiting.empty()) continue;
        std::string text = std::move(conns_[slot].waiting);
        conns_[slot].waiting.clear();
        // The router calls check() again, and the cache answers: `key` is its newest entry, and nothing is put in
        // it before this loop ends.
        if (resume_) resume_(slot, text);
    }
}

AccessStats HubAccessGate::stats() const {
    AccessStats s = stats_;
    s.password_cache_size = cache_.size();
    return s;
}

}  // namespace pigeonhub
