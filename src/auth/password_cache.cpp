#include "auth/password_cache.h"

#include <string>

#include "util/siphash.h"

namespace pigeonhub::auth {

PasswordCache::PasswordCache(std::size_t capacity, std::uint64_t k0, std::uint64_t k1)
    : capacity_(capacity), k0_(k0), k1_(k1) {}

std::uint64_t PasswordCache::key(std::string_view pattern, std::string_view password) const noexcept {
    // The pattern's length first, so that ("ab", "c") and ("a", "bc") differ.
    std::string buf = std::to_string(pattern.size()) + ":";
    buf.append(pattern).append(password);
    const std::uint64_t h = siphash24(k0_, k1_, buf.data(), buf.size());
    std::fill(buf.begin(), buf.end(), '\0');
    return h;
}

std::optional<bool> PasswordCache::find(std::uint64_t key) const {
    auto it = results_.find(key);
    if (it == results_.end()) return std::nullopt;
    return it->second;
}

void PasswordCache::put(std::uint64_t key, bool ok) {
    if (capacity_ == 0) return;
    auto [it, inserted] = results_.insert_or_assign(key, ok);
    if (!inserted) return;
    order_.push_back(key);
    while (results_.size() > capacity_) {
        results_.erase(order_.front());
        order_.pop_front();
        ++evicted_;
    }
}

}  // namespace pigeonhub::auth
