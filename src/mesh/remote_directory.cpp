#include "mesh/remote_directory.h"

namespace pigeonhub {

RemoteDirectory::Change RemoteDirectory::upsert(const std::string& ns, const std::string& peer, const std::string& hub,
                                                std::uint64_t record_id, SharedText head) {
    Peers& peers = by_ns_[ns];
    auto it = peers.find(peer);
    if (it == peers.end()) {
        if (by_record_.size() >= max_entries_) {
            ++rejected_;
            if (peers.empty()) by_ns_.erase(ns);
            return Change::rejected;
        }
        peers.emplace(peer, Entry{hub, record_id, std::move(head)});
        by_record_[record_id] = {ns, peer};
        return Change::added;
    }
    Entry& e = it->second;
    const bool same_text = e.head && head && *e.head == *head;
    if (e.record_id != record_id) {
        by_record_.erase(e.record_id);
        by_record_[record_id] = {ns, peer};
    }
    const bool moved = e.hub != hub;
    e.hub = hub;
    e.record_id = record_id;
    e.head = std::move(head);
    return (same_text && !moved) ? Change::none : Change::updated;
}

RemoteDirectory::Change RemoteDirectory::remove(std::uint64_t record_id, std::string* ns, std::string* peer) {
    auto r = by_record_.find(record_id);
    if (r == by_record_.end()) return Change::none;
    auto [n, p] = r->second;
    by_record_.erase(r);
    auto ns_it = by_ns_.find(n);
    if (ns_it != by_ns_.end()) {
        auto it = ns_it->second.find(p);
        if (it != ns_it->second.end() && it->second.record_id == record_id) {
            ns_it->second.erase(it);
            if (ns_it->second.empty()) by_ns_.erase(ns_it);
            *ns = std::move(n);
            *peer = std::move(p);
            return Change::removed;
        }
    }
    return Change::none;
}

void RemoteDirectory::drop_namespace(const std::string& ns) {
    auto it = by_ns_.find(ns);
    if (it == by_ns_.end()) return;
    for (const auto& [peer, e] : it->second) by_record_.erase(e.record_id);
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
    for (const auto& [peer, e] : ns_it->second) fn(e.head);
}

}  // namespace pigeonhub
