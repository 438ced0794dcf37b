// Other hubs' presence in the namespaces this hub has members in: listens to each such namespace's key, keeps
// the newest value of every remote page (RecordVersions: every edit is a new value, docs/MESH.md), and turns
// the changes into peer-discovered / peer-disconnected for the local members (through the Router).
//
// An expiry notice counts only for a page's current value, and only once a lookup confirms it: OpenDHT also
// reports values as expired when the node that served them goes away.
//
// Only pages of member hubs (Membership) signed with the page key of the hub they name (its hub record's, looked up
// through PageKeyOf; page_signature.h) count; a page that fails that check is refused (counted, badSignature).
// Pages of a hub not known yet, or whose hub record was not heard yet, wait in a PendingRecords buffer until it is
// admitted or refused.
//
// Each member hub's pages are charged to its RecordBudget (record_budget.h, MESH_PAGE_RATE) once their signature is
// checked; a page over its hub's budget waits, only the newest edit of each page kept, until the hub has a token
// again (tick, every second): a flooding member is slowed to its budget and loses nothing but intermediate edits.
//
// Bounded by mesh::kMaxRemotePeers and kMaxRemotePages (beyond: ignored and counted), kMaxPendingPages /
// kMaxPendingBytes (the oldest dropped, counted), kMaxDeferredPages (beyond: dropped, counted rateLimited).
// Threading: io thread only.
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mesh/dht_port.h"
#include "mesh/membership.h"
#include "mesh/page_signature.h"
#include "mesh/mesh_status.h"
#include "mesh/pending_records.h"
#include "mesh/record_budget.h"
#include "mesh/record_versions.h"
#include "mesh/remote_directory.h"
#include "signaling/outbox.h"
#include "signaling/router.h"
#include "util/clock_fn.h"

namespace pigeonhub {

class RemotePresence {
public:
    // The key `hub` signs its pages with (from its hub record), or nullptr while none is known.
    using PageKeyOf = std::function<const mesh::PageKey*(std::string_view hub)>;

    // `page_rate`: pages a second taken from one member hub (bursts of twice that); 0 = no limit.
    RemotePresence(asio::io_context& io, std::string app_id, DhtPort& dht, const Membership& membership,
                   PageKeyOf page_key_of, Router& router, Outbox& out, MeshStats& stats, Clock clock,
                   std::uint32_t page_rate = 0);

    // REQUIRES: called once, before listen().
    void start(std::string hub_id) { hub_id_ = std::move(hub_id); }
    // Starts listening to `ns` (idempotent).
    void listen(const std::string& ns);
    // Stops listening to `ns` and forgets its remote peers (no local member needs them any more).
    void unlisten(const std::string& ns);
    void stop();
    // `hub` was admitted: its pages held until now are applied.
    void admitted(const std::string& hub);
    // `hub` no longer counts (revoked, refused): its peers are gone, its held pages dropped.
    void drop_hub(const std::string& hub, Refusal why);
    // Drops held pages that waited too long, applies deferred pages of hubs under their budget again (call about
    // once a second).
    void tick(std::int64_t now);
    std::size_t pending() const noexcept { return pending_.size(); }
    std::size_t deferred() const noexcept { return deferred_.size(); }
    std::size_t hubs_throttled(std::int64_t now) const { return budget_.throttled(now); }

    // The hub that holds `peer` in `ns`, or nullptr.
    const std::string* hub_of(std::string_view ns, std::string_view peer) const { return directory_.hub_of(ns, peer); }
    void for_each(std::string_view ns, const std::function<void(const SharedText&)>& fn) const { directory_.for_each(ns, fn); }
    std::size_t peers() const noexcept { return directory_.size(); }
    std::uint64_t peers_refused() const noexcept { return directory_.rejected(); }

private:
    using PageValue = std::pair<std::uint64_t, std::uint64_t>;  // (page, value id)

    bool listening(const std::string& ns) const { return !stopped_ && listens_.count(ns) != 0; }
    void on_values(const std::string& ns, const std::vector<DhtValue>& values, bool expired);
    void confirm_expired(const std::string& ns, std::vector<PageValue> pages, int attempts_left);
    void announce(const std::string& ns, const RemoteDirectory::Diff& diff);
    // Keeps `v` (page `page` of `hub`, edit `seq`) until `hub` is under its budget; only the newest edit per page.
    void defer(const std::string& ns, const std::string& hub, std::uint64_t page, std::uint64_t seq, const DhtValue& v);
    void apply_deferred(std::int64_t now);

    asio::io_context& io_;
    std::string app_id_;
    DhtPort& dht_;
    const Membership& membership_;
    PageKeyOf page_key_of_;
    Router& router_;
    Outbox& out_;
    MeshStats& stats_;
    Clock clock_;
    std::string hub_id_;
    std::map<std::string, std::uint64_t, std::less<>> listens_;  // namespace -> listen token
    RemoteDirectory directory_;
    RecordVersions versions_;
    struct Held {
        std::string ns;
        DhtValue value;
    };
    PendingRecords<Held> pending_;
    RecordBudget budget_;
    struct Deferred {
        std::string ns;
        std::string hub;
        std::uint64_t seq = 0;
        DhtValue value;
    };
    std::map<std::uint64_t, Deferred> deferred_;  // page -> its newest edit over the hub's budget
    bool applying_deferred_ = false;              // a deferred page is being applied: its token is already taken
    bool stopped_ = false;
    std::shared_ptr<char> alive_ = std::make_shared<char>();  // for timers that may outlive this object
};

}  // namespace pigeonhub
