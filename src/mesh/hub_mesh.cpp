#include "mesh/hub_mesh.h"

#include "mesh/mesh_limits.h"
#include "util/log.h"

namespace pigeonhub {

HubMesh::HubMesh(asio::io_context& io, const MeshOptions& options, std::uint64_t capacity, Router& router, Outbox& out,
                 DhtPort& dht, Membership::Verifier verify, RevokedSource revoked, Clock clock)
    : config_(options),
      clock_(std::move(clock)),
      router_(router),
      dht_(dht),
      membership_(config_.trust, std::move(verify)),
      revoked_source_(std::move(revoked)),
      publisher_(io, config_.app_id, config_.namespace_buckets, dht, stats_),
      remote_(io, config_.app_id, config_.namespace_buckets, dht, membership_,
              [this](std::string_view hub) { return hubs_.page_key_of(hub); }, router, out, stats_, clock_,
              config_.page_rate),
      hubs_(config_, capacity, dht, membership_, stats_, clock_),
      relay_(io, config_.app_id, dht, membership_, router, out, stats_, clock_, config_.signal_rate),
      timer_(io) {}

void HubMesh::start(const data::Ed25519Key& page_key) {
    const std::string id = dht_.hub_id();
    const std::int64_t now = clock_();
    unready_since_ms_ = now;  // not ready since start, until the first tick sees it ready
    membership_.set_self(id);
    if (revoked_source_)
        if (auto revoked = revoked_source_()) membership_.set_revoked(std::move(*revoked));
    publisher_.start(id, page_key);
    remote_.start(id);
    relay_.start(id);
    hubs_.start(id, mesh::page_key_hex(page_key.public_key), HubDirectory::Events{
                        [this](const std::string& hub) {
                            remote_.admitted(hub);
                            relay_.admitted(hub, clock_());
                        },
                        [this](const std::string& hub) { drop_hub(hub, Refusal::not_member); },
                    });
    hubs_.publish(router_.connections(), now);
    arm_timer();
}

void HubMesh::set_revoked(RevokedSet revoked) {
    for (const auto& hub : membership_.set_revoked(std::move(revoked))) {
        log::warn("hub {} is revoked: its records are refused from now on", hub);
        hubs_.drop(hub);
        drop_hub(hub, Refusal::revoked);
    }
}

void HubMesh::drop_hub(const std::string& hub, Refusal why) {
    remote_.drop_hub(hub, why);
    relay_.drop_hub(hub, why);
}

void HubMesh::stop() {
    if (stopped_) return;
    stopped_ = true;
    timer_.cancel();
    publisher_.stop();  // withdraws every page at once
    hubs_.withdraw(clock_());  // and the hub record: other hubs' /hubs drop this hub at once
    remote_.stop();
    relay_.stop();
    hubs_.stop();
}

void HubMesh::arm_timer() {
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([this](const asio::error_code& ec) {
        if (ec || stopped_) return;
        tick();
        arm_timer();
    });
}

void HubMesh::tick() {
    const std::int64_t now = clock_();
    if (dht_.ready()) unready_since_ms_ = 0;
    else if (unready_since_ms_ == 0) unready_since_ms_ = now;
    if (revoked_source_)
        if (auto revoked = revoked_source_()) set_revoked(std::move(*revoked));
    relay_.tick(now);
    remote_.tick(now);
    if (++ticks_ % std::chrono::duration_cast<std::chrono::seconds>(mesh::kHubRecordPeriod).count() == 0)
        hubs_.publish(router_.connections(), now);
}

std::int64_t HubMesh::unready_for_ms(std::int64_t now) const {
    if (dht_.ready()) return 0;
    // unready_since_ms_ is 0 only after a tick saw the DHT ready: it went away since, not yet seen by a tick.
    return unready_since_ms_ == 0 ? 0 : now - unready_since_ms_;
}

void HubMesh::local_joined(std::string_view ns, std::string_view peer_id, std::string_view discovery_data) {
    if (stopped_) return;
    // Listening first: pages of other hubs arrive for the namespace's first member too.
    remote_.listen(std::string(ns));
    publisher_.add(ns, peer_id, discovery_data);
}

void HubMesh::local_left(std::string_view ns, std::string_view peer_id) {
    // Nobody here needs the namespace any more: its remote peers are forgotten, its pages withdrawn.
    if (publisher_.remove(ns, peer_id)) remote_.unlisten(std::string(ns));
}

bool HubMesh::forward_signal(std::string_view from, std::string_view target, std::string_view ns, std::string text) {
    const std::string* hub = remote_.hub_of(ns, target);
    if (!hub || membership_.of(*hub, clock_()) != Membership::Verdict::member) return false;
    relay_.send(from, target, ns, std::move(text), *hub, clock_());
    return true;
}

void HubMesh::for_each_remote(std::string_view ns, const std::function<void(const SharedText&)>& fn) const {
    remote_.for_each(ns, fn);
}

MeshStats HubMesh::stats() const {
    MeshStats s = stats_;
    s.remote_peers_refused = remote_.peers_refused();
    s.signals_late_dropped = relay_.late_dropped();
    s.signal_gaps_skipped = relay_.gaps_skipped();
    s.records_pending = remote_.pending() + relay_.pending();
    s.records_deferred = remote_.deferred();
    const std::int64_t now = clock_();
    s.hubs_throttled = remote_.hubs_throttled(now) + relay_.hubs_throttled(now);
    s.members = membership_.members();
    s.certificates_verified = membership_.verifications();
    s.certificates_deferred = membership_.deferred();
    return s;
}

bool HubMesh::is_member(const std::string& hub) const {
    return membership_.of(hub, clock_()) == Membership::Verdict::member;
}

std::vector<mesh::HubRecord> HubMesh::hubs() const { return hubs_.list(router_.connections(), clock_()); }

}  // namespace pigeonhub
