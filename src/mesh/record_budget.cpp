#include "mesh/record_budget.h"

#include <algorithm>

#include "mesh/mesh_limits.h"

namespace pigeonhub {

RecordBudget::RecordBudget(std::uint32_t rate_per_second)
    : rate_(rate_per_second), burst_(2 * kToken * static_cast<std::int64_t>(rate_per_second)) {}

std::int64_t RecordBudget::level(const Bucket& b, std::int64_t now_ms) const {
    if (now_ms <= b.at_ms) return b.milli;  // a clock that went back adds nothing
    const std::int64_t elapsed = now_ms - b.at_ms;
    return elapsed >= burst_ / std::max<std::int64_t>(rate_, 1) ? burst_ : std::min(burst_, b.milli + elapsed * rate_);
}

RecordBudget::Bucket& RecordBudget::refill(std::string_view hub, std::int64_t now_ms) {
    auto it = buckets_.find(std::string(hub));
    if (it == buckets_.end()) {
        if (buckets_.size() >= mesh::kMaxHubs) {
            // Full buckets carry no state worth keeping: drop those first, all if none is.
            for (auto b = buckets_.begin(); b != buckets_.end();)
                b = level(b->second, now_ms) >= burst_ ? buckets_.erase(b) : std::next(b);
            if (buckets_.size() >= mesh::kMaxHubs) buckets_.clear();
        }
        it = buckets_.emplace(std::string(hub), Bucket{burst_, now_ms}).first;
    }
    Bucket& b = it->second;
    b.milli = level(b, now_ms);
    b.at_ms = std::max(b.at_ms, now_ms);
    return b;
}

bool RecordBudget::take(std::string_view hub, std::int64_t now_ms) {
    if (rate_ == 0) return true;
    Bucket& b = refill(hub, now_ms);
    if (b.milli < kToken) return false;
    b.milli -= kToken;
    return true;
}

bool RecordBudget::has_token(std::string_view hub, std::int64_t now_ms) {
    return rate_ == 0 || refill(hub, now_ms).milli >= kToken;
}

std::size_t RecordBudget::throttled(std::int64_t now_ms) const {
    std::size_t n = 0;
    for (const auto& [hub, b] : buckets_) n += level(b, now_ms) < kToken;
    return n;
}

}  // namespace pigeonhub
