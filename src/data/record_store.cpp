#include "data/record_store.h"

#include <algorithm>

namespace pigeonhub::data {

RecordStore::Put RecordStore::put(Record r, std::int64_t now_ms, bool in_dht) {
    if (r.expires <= static_cast<std::uint64_t>(now_ms)) return Put::expired;
    auto topic = topics_.find(r.topic);
    if (topic != topics_.end()) {
        if (auto held = topic->second.find(r.public_key); held != topic->second.end()) {
            Held& h = held->second;
            if (r.seq <= h.record.seq) return Put::stale;
            const std::size_t before = cost(h.record), after = cost(r);
            if (after > before && bytes_ + after - before > limits_.bytes) return Put::store_full;
            drop_expiry(h.record.expires, r.topic, r.public_key);
            by_expiry_.emplace(r.expires, std::make_pair(r.topic, r.public_key));
            bytes_ = bytes_ - before + after;
            if (!h.in_dht) --unsent_;
            h = Held{std::move(r), in_dht};
            if (!in_dht) ++unsent_;
            return Put::replaced;
        }
        if (topic->second.size() >= limits_.per_topic) return Put::topic_full;
    }
    if (bytes_ + cost(r) > limits_.bytes) return Put::store_full;
    if (topic == topics_.end()) topic = topics_.emplace(r.topic, Publishers{}).first;
    by_expiry_.emplace(r.expires, std::make_pair(r.topic, r.public_key));
    bytes_ += cost(r);
    ++count_;
    if (!in_dht) ++unsent_;
    std::string key = r.public_key;
    topic->second.emplace(std::move(key), Held{std::move(r), in_dht});
    return Put::stored;
}

std::vector<Record> RecordStore::find(std::string_view topic, std::int64_t now_ms) const {
    std::vector<Record> out;
    auto it = topics_.find(topic);
    if (it == topics_.end()) return out;
    for (const auto& [key, h] : it->second)
        if (h.record.expires > static_cast<std::uint64_t>(now_ms)) out.push_back(h.record);
    std::sort(out.begin(), out.end(), [](const Record& a, const Record& b) {
        return a.published != b.published ? a.published > b.published : a.seq > b.seq;
    });
    return out;
}

void RecordStore::drop_expiry(std::uint64_t expires, const std::string& topic, const std::string& key) {
    auto [lo, hi] = by_expiry_.equal_range(expires);
    for (auto it = lo; it != hi; ++it)
        if (it->second.first == topic && it->second.second == key) {
            by_expiry_.erase(it);
            return;
        }
}

std::size_t RecordStore::expire(std::int64_t now_ms) {
    std::size_t n = 0;
    while (!by_expiry_.empty() && by_expiry_.begin()->first <= static_cast<std::uint64_t>(now_ms)) {
        auto [topic, key] = by_expiry_.begin()->second;
        by_expiry_.erase(by_expiry_.begin());
        auto t = topics_.find(topic);
        if (t == topics_.end()) continue;
        auto h = t->second.find(key);
        if (h == t->second.end()) continue;
        bytes_ -= cost(h->second.record);
        if (!h->second.in_dht) --unsent_;
        --count_;
        ++n;
        t->second.erase(h);
        if (t->second.empty()) topics_.erase(t);
    }
    return n;
}

std::vector<Record> RecordStore::unsent(std::size_t max) const {
    std::vector<Record> out;
    if (unsent_ == 0) return out;
    for (const auto& [topic, publishers] : topics_)
        for (const auto& [key, h] : publishers) {
            if (out.size() >= max) return out;
            if (!h.in_dht) out.push_back(h.record);
        }
    return out;
}

void RecordStore::mark_in_dht(std::string_view topic, std::string_view public_key, std::uint64_t seq) {
    auto t = topics_.find(topic);
    if (t == topics_.end()) return;
    auto h = t->second.find(public_key);
    if (h == t->second.end() || h->second.record.seq != seq || h->second.in_dht) return;
    h->second.in_dht = true;
    --unsent_;
}

void RecordStore::for_each(const std::function<void(const Record&)>& fn) const {
    for (const auto& [topic, publishers] : topics_)
        for (const auto& [key, h] : publishers) fn(h.record);
}

}  // namespace pigeonhub::data
