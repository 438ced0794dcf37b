#include "mesh/remote_directory.h"

namespace pigeonhub {

RemoteDirectory::Diff RemoteDirectory::apply_page(const std::string& ns, const std::string& hub, std::uint64_t page_id,
                                                  std::vector<Entry> entries) {
    Diff diff;
    Peers& peers = by_ns_[ns];
    Page& page = pages_[page_id];
    page.ns = ns;
    page.hub = hub;
    std::set<std::string, std::less<>> listed;
    for (auto& e : entries) {
        if (!listed.insert(e.peer).second) continue;  // listed twice in one page: first wins
        auto it = peers.find(e.peer);
        if (it == peers.end()) {
            if (count_ >= max_entries_) {
                ++rejected_;
                listed.erase(e.peer);
                continue;
            }
            peers.emplace(e.peer, Held{hub, page_id, e.head});
            ++count_;
            diff.upserted.push_back(std::move(e));
            continue;
        }
        Held& h = it->second;
        const bool changed = h.hub != hub || !h.head || !e.head || *h.head != *e.head;
        if (h.page != page_id) {
            if (auto old = pages_.find(h.page); old != pages_.end()) old->second.peers.erase(e.peer);
            h.page = page_id;
        }
        h.hub = hub;
        h.head = e.head;
        if (changed) diff.upserted.push_back(std::move(e));
    }
    for (const auto& peer : page.peers) {
        if (listed.count(peer)) continue;
        auto it = peers.find(peer);
        if (it != peers.end() && it->second.page == page_id) {
            peers.erase(it);
            --count_;
            diff.removed.push_back(peer);
        }
    }
    page.peers = std::move(listed);
    if (page.peers.empty()) pages_.erase(page_id);
    if (peers.empty()) by_ns_.erase(ns);
    return diff;
}

RemoteDirectory::Diff RemoteDirectory::drop_page(std::uint64_t page_id, std::string* ns) {
    Diff diff;
    auto p = pages_.find(page_id);
    if (p == pages_.end()) return diff;
    *ns = p->second.ns;
    auto ns_it = by_ns_.find(p->second.ns);
    if (ns_it != by_ns_.end()) {
        for (const auto& peer : p->second.peers) {
            auto it = ns_it->second.find(peer);
            if (it != ns_it->second.end() && it->second.page == page_id) {
                ns_it->second.erase(it);
                --count_;
                diff.removed.push_back(peer);
            }
        }
        if (ns_it->second.empty()) by_ns_.erase(ns_it);
    }
    pages_.erase(p);
    return diff;
}

std::vector<std::pair<std::string, RemoteDirectory::Diff>> RemoteDirectory::drop_hub(std::string_view hub) {
    std::vector<std::uint64_t> pages;
    for (const auto& [id, page] : pages_)
        if (page.hub == hub) pages.push_back(id);
    std::vector<std::pair<std::string, Diff>> out;
    for (std::uint64_t id : pages) {
        std::string ns;
        Diff diff = drop_page(id, &ns);
        out.emplace_back(std::move(ns), std::move(diff));
    }
    return out;
}

void RemoteDirectory::drop_namespace(const std::string& ns) {
    auto it = by_ns_.find(ns);
    if (it == by_ns_.end()) return;
    for (const auto& [peer, h] : it->second) pages_.erase(h.page);
    count_ -= it->second.size();
    by_ns_.erase(it);
}

const std::string* RemoteDirectory::hub_of(std::string_view ns, std::string_view peer) const {
    auto ns_it = by_ns_.find(ns);
    if (ns_it == by_ns_.end()) return nullptr;
    auto it = ns_it->second.find(peer);
    return it == ns_it->second.end() ? nullptr : &it->second.hub;
}

void RemoteDirectory::for_each(std::string_view ns, const std::function<void(const SharedText&)>& fn) const {
    auto ns_it = by_ns_.find(ns);
    if (ns_it == by_ns_.end()) return;
    for (const auto& [peer, h] : ns_it->second) fn(h.head);
}

}  // namespace pigeonhub
