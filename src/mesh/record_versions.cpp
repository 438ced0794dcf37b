#include "mesh/record_versions.h"

#include <vector>

namespace pigeonhub {

RecordVersions::Offer RecordVersions::offer(std::uint64_t record, std::string_view group, std::string_view owner,
                                            std::uint64_t value_id, std::uint64_t seq, bool live) {
    auto it = records_.find(record);
    if (it == records_.end()) {
        if (records_.size() >= max_records_) return Offer::full;
        it = records_.emplace(record, Version{std::string(group), std::string(owner), value_id, seq, live}).first;
        by_value_[value_id] = record;
        by_group_[it->second.group].insert(record);
        return Offer::newest;
    }
    Version& v = it->second;
    if (seq <= v.seq) return Offer::stale;
    by_value_.erase(v.value_id);
    by_value_[value_id] = record;
    v.value_id = value_id;
    v.seq = seq;
    v.live = live;
    return Offer::newest;
}

std::optional<std::uint64_t> RecordVersions::record_of(std::uint64_t value_id) const {
    auto it = by_value_.find(value_id);
    if (it == by_value_.end()) return std::nullopt;
    return it->second;
}

bool RecordVersions::is_current(std::uint64_t record, std::uint64_t value_id) const {
    auto it = records_.find(record);
    return it != records_.end() && it->second.value_id == value_id;
}

bool RecordVersions::live(std::uint64_t record) const {
    auto it = records_.find(record);
    return it != records_.end() && it->second.live;
}

void RecordVersions::forget(std::uint64_t record) {
    auto it = records_.find(record);
    if (it == records_.end()) return;
    by_value_.erase(it->second.value_id);
    if (auto g = by_group_.find(it->second.group); g != by_group_.end()) {
        g->second.erase(record);
        if (g->second.empty()) by_group_.erase(g);
    }
    records_.erase(it);
}

void RecordVersions::forget_owner(std::string_view owner) {
    std::vector<std::uint64_t> gone;
    for (const auto& [record, v] : records_)
        if (v.owner == owner) gone.push_back(record);
    for (std::uint64_t record : gone) forget(record);
}

void RecordVersions::forget_group(std::string_view group) {
    auto g = by_group_.find(group);
    if (g == by_group_.end()) return;
    for (std::uint64_t record : g->second) {
        auto it = records_.find(record);
        if (it == records_.end()) continue;
        by_value_.erase(it->second.value_id);
        records_.erase(it);
    }
    by_group_.erase(g);
}

}  // namespace pigeonhub
