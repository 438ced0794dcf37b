#include "signaling/namespace_members.h"

#include <algorithm>

namespace pigeonhub {
namespace {

bool entry_less(const NamespaceMembers::Entry& a, const NamespaceMembers::Entry& b) {
    if (a.key < b.key) return true;
    if (b.key < a.key) return false;
    return a.slot < b.slot;
}

}  // namespace

void NamespaceMembers::add(const PeerKey& key, Slot slot) {
    Entry e{key, slot};
    auto it = std::lower_bound(entries_.begin(), entries_.end(), e, entry_less);
    entries_.insert(it, e);
}

bool NamespaceMembers::remove(const PeerKey& key, Slot slot) {
    Entry e{key, slot};
    auto it = std::lower_bound(entries_.begin(), entries_.end(), e, entry_less);
    if (it == entries_.end() || !(it->key == key) || it->slot != slot) return false;
    entries_.erase(it);
    if (entries_.empty() && entries_.capacity() > 64) entries_.shrink_to_fit();
    return true;
}

void NamespaceMembers::closest(const PeerKey& target, std::size_t k, Slot exclude, std::vector<Slot>& out) const {
    std::size_t need = k;
    if (need == 0 || entries_.empty()) return;
    collect(0, entries_.size(), 0, target, need, exclude, out);
}

// All entries in [lo, hi) share their first `depth` bits. Those whose bit `depth` equals the target's are
// closer than all the others, so take from that half first.
void NamespaceMembers::collect(std::size_t lo, std::size_t hi, unsigned depth, const PeerKey& target,
                               std::size_t& need, Slot exclude, std::vector<Slot>& out) const {
    if (need == 0 || lo >= hi) return;
    if (hi - lo <= need || depth >= 160) {
        for (std::size_t i = lo; i < hi && need > 0; ++i) {
            if (entries_[i].slot == exclude) continue;
            out.push_back(entries_[i].slot);
            --need;
        }
        // The excluded entry may have been in range and skipped; nothing more to take at this level.
        return;
    }
    auto first = entries_.begin() + static_cast<std::ptrdiff_t>(lo);
    auto last = entries_.begin() + static_cast<std::ptrdiff_t>(hi);
    auto mid_it = std::partition_point(first, last, [depth](const Entry& e) { return !e.key.bit(depth); });
    std::size_t mid = static_cast<std::size_t>(mid_it - entries_.begin());
    if (!target.bit(depth)) {
        collect(lo, mid, depth + 1, target, need, exclude, out);
        collect(mid, hi, depth + 1, target, need, exclude, out);
    } else {
        collect(mid, hi, depth + 1, target, need, exclude, out);
        collect(lo, mid, depth + 1, target, need, exclude, out);
    }
}

}  // namespace pigeonhub

