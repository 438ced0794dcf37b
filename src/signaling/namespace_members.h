// The members of one namespace, kept sorted by 160-bit key so that the k XOR-closest members of any key
// are found in O(k log n) (a binary-trie walk over the sorted array) instead of a scan.
// Not thread-safe; owned by the Router.
#pragma once

#include <cstdint>
#include <vector>

#include "signaling/peer_key.h"

namespace pigeonhub {

using Slot = std::uint32_t;

class NamespaceMembers {
public:
    struct Entry {
        PeerKey key;
        Slot slot;
    };

    void add(const PeerKey& key, Slot slot);
    // Returns false if (key, slot) was not a member.
    bool remove(const PeerKey& key, Slot slot);

    std::size_t size() const noexcept { return entries_.size(); }
    bool empty() const noexcept { return entries_.empty(); }
    const std::vector<Entry>& entries() const noexcept { return entries_; }

    // Appends to `out` the slots of the (at most) k members closest to `target` by XOR distance, excluding
    // `exclude`. Order within the result is unspecified.
    void closest(const PeerKey& target, std::size_t k, Slot exclude, std::vector<Slot>& out) const;

private:
    void collect(std::size_t lo, std::size_t hi, unsigned depth, const PeerKey& target, std::size_t& need,
                 Slot exclude, std::vector<Slot>& out) const;

    std::vector<Entry> entries_;  // sorted by (key, slot)
};

}  // namespace pigeonhub
