// Peers announced on other hubs, as learned from presence pages in the DHT. A page is one signed record of
// one hub for one namespace, listing some of that hub's peers there. Per namespace: peer id -> (hub, page,
// prebuilt peer-discovered head). Pure bookkeeping, no I/O; owned by HubMesh (io thread).
// Bounded by max_entries: peers beyond it are ignored and counted.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "protocol/outbound.h"

namespace pigeonhub {

class RemoteDirectory {
public:
    struct Entry {
        std::string peer;
        SharedText head;  // peer-discovered head about this peer
    };
    struct Diff {
        std::vector<Entry> upserted;       // new peers, moved peers, or changed data
        std::vector<std::string> removed;  // peers that left (and are not listed by a newer page)
    };

    explicit RemoteDirectory(std::size_t max_entries) : max_entries_(max_entries) {}

    // The current content of page `page_id` of `hub` in `ns`. A peer listed by two pages (it moved to another
    // hub) belongs to the page that listed it last.
    Diff apply_page(const std::string& ns, const std::string& hub, std::uint64_t page_id, std::vector<Entry> entries);
    // Page `page_id` expired or was withdrawn: its peers are gone (unless a newer page lists them).
    Diff drop_page(std::uint64_t page_id, std::string* ns);
    // Every page of `hub` dropped (it no longer counts as a hub): per namespace, the peers gone. O(pages held).
    std::vector<std::pair<std::string, Diff>> drop_hub(std::string_view hub);
    // Forgets a whole namespace (no local peer listens to it any more).
    void drop_namespace(const std::string& ns);

    // The hub that holds `peer` in `ns`, or nullptr.
    const std::string* hub_of(std::string_view ns, std::string_view peer) const;
    void for_each(std::string_view ns, const std::function<void(const SharedText&)>& fn) const;

    std::size_t size() const noexcept { return count_; }
    std::uint64_t rejected() const noexcept { return rejected_; }

private:
    struct Held {
        std::string hub;
        std::uint64_t page = 0;
        SharedText head;
    };
    struct Page {
        std::string ns;
        std::string hub;
        std::set<std::string, std::less<>> peers;
    };
    using Peers = std::map<std::string, Held, std::less<>>;

    std::size_t max_entries_;
    std::map<std::string, Peers, std::less<>> by_ns_;
    std::unordered_map<std::uint64_t, Page> pages_;
    std::size_t count_ = 0;
    std::uint64_t rejected_ = 0;
};

}  // namespace pigeonhub
