#include "mesh/hub_directory.h"

#include "mesh/mesh_limits.h"

namespace pigeonhub {

void HubDirectory::start(std::string hub_id, std::function<void(const std::string&)> on_new_hub) {
    hub_id_ = std::move(hub_id);
    on_new_hub_ = std::move(on_new_hub);
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
    dht_.publish(mesh::hubs_key(config_.app_id), mesh::hub_record_id(hub_id_),
                 mesh::encode_hub(mesh::own_hub_record(hub_id_, config_, capacity_, connections, static_cast<std::uint64_t>(now_ms))));
    ++stats_.hub_records_published;
}

void HubDirectory::on_values(const std::vector<DhtValue>& values, bool expired) {
    if (!listening_) return;
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
        auto it = hubs_.find(h->hub_id);
        if (it == hubs_.end()) {
            if (hubs_.size() >= mesh::kMaxHubs) continue;  // bounded: further hubs are not listed
            const std::string hub = h->hub_id;
            hubs_.emplace(hub, Known{v.id, std::move(*h)});
            if (on_new_hub_) on_new_hub_(hub);
        } else if (h->updated_ms >= it->second.record.updated_ms) {
            it->second = Known{v.id, std::move(*h)};
        }
    }
}

std::vector<mesh::HubRecord> HubDirectory::list(std::uint64_t connections, std::int64_t now_ms) const {
    std::vector<mesh::HubRecord> out;
    bool self_seen = false;
    for (const auto& [id, h] : hubs_) {
        out.push_back(h.record);
        self_seen = self_seen || id == hub_id_;
    }
    if (!self_seen)
        out.insert(out.begin(), mesh::own_hub_record(hub_id_, config_, capacity_, connections, static_cast<std::uint64_t>(now_ms)));
    return out;
}

}  // namespace pigeonhub
