// Peers announced on other hubs, as learned from presence records in the DHT: per namespace, peer id ->
// (hub, record id, prebuilt peer-discovered head). Pure bookkeeping, no I/O; owned by HubMesh (io thread).
// Bounded by max_entries: records beyond it are ignored and counted.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "protocol/outbound.h"
#include "util/siphash.h"

namespace pigeonhub {

class RemoteDirectory {
public:
    enum class Change { none, added, updated, removed, rejected };

    explicit RemoteDirectory(std::size_t max_entries) : max_entries_(max_entries) {}

    // A live presence record `record_id` from `hub` about `peer` in `ns`. The newest record for a peer wins
    // (a peer that moved to another hub).
    Change upsert(const std::string& ns, const std::string& peer, const std::string& hub, std::uint64_t record_id,
                  SharedText head);
    // Record `record_id` expired or was withdrawn. Returns removed (with *ns/*peer set) if it was the current
    // record of a peer.
    Change remove(std::uint64_t record_id, std::string* ns, std::string* peer);
    // Forgets a whole namespace (no local peer listens to it any more).
    void drop_namespace(const std::string& ns);

    // The hub that holds `peer` in `ns`, or nullptr.
    const std::string* hub_of(std::string_view ns, std::string_view peer) const;
    void for_each(std::string_view ns, const std::function<void(const SharedText&)>& fn) const;

    std::size_t size() const noexcept { return by_record_.size(); }
    std::uint64_t rejected() const noexcept { return rejected_; }

private:
    struct Entry {
        std::string hub;
        std::uint64_t record_id = 0;
        SharedText head;
    };
    using Peers = std::map<std::string, Entry, std::less<>>;

    std::size_t max_entries_;
    std::map<std::string, Peers, std::less<>> by_ns_;
    std::unordered_map<std::uint64_t, std::pair<std::string, std::string>> by_record_;  // -> (ns, peer)
    std::uint64_t rejected_ = 0;
};

}  // namespace pigeonhub
