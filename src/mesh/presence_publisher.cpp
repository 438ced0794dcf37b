#include "mesh/presence_publisher.h"

#include "mesh/mesh_limits.h"
#include "mesh/page_signature.h"
#include "util/clock.h"

namespace pigeonhub {

PresencePublisher::PresencePublisher(asio::io_context& io, std::string app_id, std::uint32_t buckets, DhtPort& dht,
                                     MeshStats& stats)
    : app_id_(std::move(app_id)), buckets_(buckets), dht_(dht), stats_(stats), edits_(wall_clock_us()), flush_timer_(io) {}

bool PresencePublisher::add(std::string_view ns, std::string_view peer_id, std::string_view data) {
    if (stopped_) return false;
    auto [it, inserted] = locals_.try_emplace(std::string(ns));
    Local& local = it->second;
    const bool first = local.members == 0;
    const std::string peer(peer_id);
    const std::size_t entry_bytes = peer.size() + data.size() + 32;
    std::size_t index;
    if (auto p = local.page_of.find(peer); p != local.page_of.end()) {
        index = p->second;
        auto& page = local.pages[index];
        page.bytes -= page.peers[peer].size() + peer.size() + 32;
        page.peers[peer].assign(data);
        page.bytes += entry_bytes;
    } else {
        // First page with room (pages stay under kPageBudget so that a record fits OpenDHT's value limit).
        index = local.pages.size();
        for (std::size_t i = 0; i < local.pages.size(); ++i)
            if (local.pages[i].bytes + entry_bytes <= mesh::kPageBudget) {
                index = i;
                break;
            }
        if (index == local.pages.size()) local.pages.emplace_back();
        local.pages[index].peers.emplace(peer, std::string(data));
        local.pages[index].bytes += entry_bytes;
        local.page_of.emplace(peer, index);
        ++local.members;
    }
    local.dirty.insert(index);
    schedule_flush();
    return first;
}

bool PresencePublisher::remove(std::string_view ns, std::string_view peer_id) {
    auto it = locals_.find(ns);
    if (it == locals_.end()) return false;
    Local& local = it->second;
    auto p = local.page_of.find(peer_id);
    if (p == local.page_of.end()) return false;
    auto& page = local.pages[p->second];
    auto entry = page.peers.find(p->first);
    page.bytes -= entry->second.size() + entry->first.size() + 32;
    page.peers.erase(entry);
    local.dirty.insert(p->second);
    local.page_of.erase(p);
    ++stats_.presence_withdrawn;
    schedule_flush();
    return --local.members == 0;  // its pages are withdrawn by the next flush, then it is forgotten
}

void PresencePublisher::stop() {
    if (stopped_) return;
    stopped_ = true;
    flush_timer_.cancel();
    for (auto& [ns, local] : locals_) {
        for (std::size_t i = 0; i < local.pages.size(); ++i) {
            if (local.pages[i].peers.empty()) continue;
            local.pages[i].peers.clear();
            local.dirty.insert(i);
        }
        flush(ns, local);
    }
    locals_.clear();
}

std::size_t PresencePublisher::pages() const {
    std::size_t n = 0;
    for (const auto& [ns, local] : locals_)
        for (const auto& page : local.pages) n += page.peers.empty() ? 0 : 1;
    return n;
}

void PresencePublisher::schedule_flush() {
    if (flush_armed_ || stopped_) return;
    flush_armed_ = true;
    // Each signature costs about a millisecond of CPU: see the header for the batching rule.
    const auto since = std::chrono::steady_clock::now() - last_flush_;
    const bool now_ok = since >= mesh::kFlushDelay || dht_.records_signing() == 0;
    flush_timer_.expires_after(now_ok ? std::chrono::steady_clock::duration::zero() : mesh::kFlushDelay - since);
    flush_timer_.async_wait([this](const asio::error_code& ec) {
        flush_armed_ = false;
        if (ec || stopped_) return;
        last_flush_ = std::chrono::steady_clock::now();
        for (auto it = locals_.begin(); it != locals_.end();) {
            flush(it->first, it->second);
            it = it->second.members == 0 ? locals_.erase(it) : std::next(it);
        }
    });
}

void PresencePublisher::flush(const std::string& ns, Local& local) {
    const std::string key = mesh::presence_key(app_id_, ns, buckets_);
    for (std::size_t index : local.dirty) {
        const auto& page = local.pages[index];
        mesh::PresencePage record{hub_id_, ns, {}, static_cast<std::uint32_t>(index), edits_.next(wall_clock_us())};
        for (const auto& [peer, data] : page.peers) record.peers.push_back({peer, data});
        const std::uint64_t id = mesh::presence_page_id(hub_id_, ns, index);
        std::string value = mesh::sign_page(key, mesh::encode_presence(record), page_key_);
        if (record.peers.empty()) {
            dht_.withdraw(key, id, std::move(value), RecordSigning::in_data);
        } else {
            dht_.publish(key, id, std::move(value), RecordSigning::in_data);
            ++stats_.presence_published;
        }
    }
    local.dirty.clear();
}

}  // namespace pigeonhub
