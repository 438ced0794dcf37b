#include "mesh/hub_directory.h"

#include "mesh/mesh_limits.h"
#include "util/log.h"

namespace pigeonhub {

void HubDirectory::start(std::string hub_id, std::string page_key, Events events) {
    hub_id_ = std::move(hub_id);
    page_key_ = std::move(page_key);
    certificate_ = dht_.certificate();
    events_ = std::move(events);
    token_ = dht_.listen(mesh::hubs_key(config_.app_id), [this](const std::vector<DhtValue>& v, bool expired) {
        on_values(v, expired);
    });
    listening_ = true;
}

void HubDirectory::stop() {
    if (!listening_) return;
    listening_ = false;
    dht_.cancel_listen(token_);
}

void HubDirectory::publish(std::uint64_t connections, std::int64_t now_ms) {
    if (withdrawn_) return;
    dht_.publish(mesh::hubs_key(config_.app_id), mesh::hub_record_id(hub_id_),
                 mesh::encode_hub(mesh::own_hub_record(hub_id_, certificate_, page_key_, config_, capacity_, connections,
                                                       static_cast<std::uint64_t>(now_ms))));
    ++stats_.hub_records_published;
}

void HubDirectory::withdraw(std::int64_t now_ms) {
    if (withdrawn_ || hub_id_.empty()) return;
    withdrawn_ = true;
    mesh::HubRecord tombstone;
    tombstone.hub_id = hub_id_;
    tombstone.updated_ms = static_cast<std::uint64_t>(now_ms);
    tombstone.withdrawn = true;
    dht_.withdraw(mesh::hubs_key(config_.app_id), mesh::hub_record_id(hub_id_), mesh::encode_hub(tombstone));
}

void HubDirectory::drop(const std::string& hub) { hubs_.erase(hub); }

void HubDirectory::on_values(const std::vector<DhtValue>& values, bool expired) {
    if (!listening_) return;
    const std::int64_t now = clock_();
    for (const auto& v : values) {
        if (expired) {
            // Only the value a hub is known by: older ones (replaced updates, a restarted hub's previous life)
            // expire all the time.
            auto it = hubs_.find(v.owner);
            if (it != hubs_.end() && it->second.value_id == v.id) hubs_.erase(it);
            continue;
        }
        auto h = mesh::decode_hub(v.data);
        if (!h || h->hub_id != v.owner) {
            ++stats_.records_invalid;
            continue;
        }
        if (h->withdrawn) {
            // A hub leaving: only one listed already, and signed by itself (checked above), is dropped; its
            // tombstone has no certificate and admits nobody.
            auto it = hubs_.find(h->hub_id);
            if (it != hubs_.end() && h->updated_ms >= it->second.record.updated_ms) {
                if (!it->second.record.withdrawn) log::info("hub {} left the mesh", h->hub_id);
                it->second = Known{v.id, std::move(*h), it->second.page_key};
            }
            continue;
        }
        std::string problem;
        const auto before = membership_.of(h->hub_id, now);
        const auto verdict = membership_.present(h->hub_id, h->certificate, now, &problem);
        auto it = hubs_.find(h->hub_id);
        if (verdict == Membership::Verdict::unknown) continue;  // its check was put off (budget): the next record
        if (verdict != Membership::Verdict::member) {
            stats_.refuse(RecordKind::hub_record, verdict == Membership::Verdict::revoked ? Refusal::revoked
                                                  : membership_.trust() == MeshTrust::ca ? Refusal::bad_certificate
                                                                                         : Refusal::not_member);
            if (!problem.empty()) log::warn("hub {} does not count as a hub of this mesh: {}", h->hub_id, problem);
            if (it != hubs_.end()) hubs_.erase(it);
            // What it published or sent (and what waits for its certificate) no longer counts.
            if (verdict != before && events_.refused) events_.refused(h->hub_id);
            continue;
        }
        if (it == hubs_.end()) {
            if (hubs_.size() >= mesh::kMaxHubs) continue;  // bounded: further hubs are not listed
            const std::string hub = h->hub_id;
            auto key = mesh::page_key_from_hex(h->page_key);
            hubs_.emplace(hub, Known{v.id, std::move(*h), key});
            if (events_.admitted) events_.admitted(hub);
        } else if (h->updated_ms < it->second.record.updated_ms) {
            ++stats_.records_stale;  // an older edit (a replay, or a late copy)
        } else {
            auto key = mesh::page_key_from_hex(h->page_key);
            const bool new_key = key && key != it->second.page_key;
            it->second = Known{v.id, std::move(*h), key};
            // Pages held for want of the key (or signed with a new one after a restart) may count now.
            if (new_key && events_.admitted) events_.admitted(it->first);
        }
    }
}

const mesh::PageKey* HubDirectory::page_key_of(std::string_view hub) const {
    auto it = hubs_.find(hub);
    return it == hubs_.end() || !it->second.page_key ? nullptr : &*it->second.page_key;
}

std::vector<mesh::HubRecord> HubDirectory::list(std::uint64_t connections, std::int64_t now_ms) const {
    std::vector<mesh::HubRecord> out;
    bool self_seen = false;
    for (const auto& [id, h] : hubs_) {
        if (h.record.withdrawn) continue;
        out.push_back(h.record);
        self_seen = self_seen || id == hub_id_;
    }
    if (!self_seen)
        out.insert(out.begin(), mesh::own_hub_record(hub_id_, certificate_, page_key_, config_, capacity_, connections,
                                                     static_cast<std::uint64_t>(now_ms)));
    return out;
}

}  // namespace pigeonhub
