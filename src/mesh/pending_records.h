// Records signed by hubs whose membership is not known yet (Membership::Verdict::unknown: their hub record, which
// carries the certificate, has not arrived), held until it is: applied when the hub is admitted, dropped when it
// is refused or after max_age_ms. A member's hub record comes with the first values of the hubs key and again every
// 10 s, so only a signer that never shows a valid certificate waits out the whole age.
//
// Bounded by max_items and max_bytes: at either bound the oldest record is dropped. Every drop is reported to the
// caller (counted as refused: not a member). Pure bookkeeping; io thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace pigeonhub {

template <typename T>
class PendingRecords {
public:
    PendingRecords(std::size_t max_items, std::size_t max_bytes, std::int64_t max_age_ms)
        : max_items_(max_items), max_bytes_(max_bytes), max_age_ms_(max_age_ms) {}

    // Holds `item` (about `bytes` large) signed by `owner`. Returns how many records were dropped: older ones for
    // room, or 1 for `item` itself when it is larger than the whole buffer.
    std::size_t hold(std::string owner, T item, std::size_t bytes, std::int64_t now_ms) {
        if (bytes > max_bytes_) return 1;  // larger than the whole buffer: not held (the older ones stay)
        std::size_t dropped = 0;
        while (!items_.empty() && (items_.size() >= max_items_ || bytes_ + bytes > max_bytes_)) {
            pop_front();
            ++dropped;
        }
        bytes_ += bytes;
        items_.push_back(Item{std::move(owner), now_ms, bytes, std::move(item)});
        return dropped;
    }

    // The records of `owner`, oldest first, removed from the buffer.
    std::vector<T> take(std::string_view owner) {
        std::vector<T> out;
        remove_if([&](const std::string& o, const T&) { return o == owner; }, &out);
        return out;
    }
    // Removes the records for which pred(owner, item) holds; returns how many.
    template <typename Pred>
    std::size_t remove_if(Pred pred, std::vector<T>* removed = nullptr) {
        std::deque<Item> keep;
        std::size_t n = 0;
        for (auto& it : items_) {
            if (pred(it.owner, it.item)) {
                bytes_ -= it.bytes;
                ++n;
                if (removed) removed->push_back(std::move(it.item));
            } else {
                keep.push_back(std::move(it));
            }
        }
        items_.swap(keep);
        return n;
    }
    // Drops records older than max_age_ms; returns how many.
    std::size_t expire(std::int64_t now_ms) {
        std::size_t n = 0;
        while (!items_.empty() && now_ms - items_.front().since_ms >= max_age_ms_) {
            pop_front();
            ++n;
        }
        return n;
    }

    std::size_t size() const noexcept { return items_.size(); }
    std::size_t bytes() const noexcept { return bytes_; }

private:
    struct Item {
        std::string owner;
        std::int64_t since_ms;
        std::size_t bytes;
        T item;
    };
    void pop_front() {
        bytes_ -= items_.front().bytes;
        items_.pop_front();
    }

    std::size_t max_items_;
    std::size_t max_bytes_;
    std::int64_t max_age_ms_;
    std::deque<Item> items_;
    std::size_t bytes_ = 0;
};

}  // namespace pigeonhub
