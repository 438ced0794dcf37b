#include "mesh/record_signer.h"

#include <algorithm>

namespace pigeonhub {

std::size_t RecordSigner::announced() const {
    std::lock_guard<std::mutex> lock(announced_m_);
    return announced_count_;
}

void RecordSigner::submit(Job job) {
    const RecordKey id{job.key, job.record};
    std::lock_guard<std::mutex> lock(m_);
    auto [it, fresh] = jobs_.try_emplace(id, job);
    if (fresh) {
        order_.push_back(id);
        busy_.fetch_add(1, std::memory_order_relaxed);
    } else {
        it->second = std::move(job);  // the queued edit was never put: the newer one takes its place
    }
    cv_.notify_one();
}

void RecordSigner::stop() {
    {
        std::lock_guard<std::mutex> lock(m_);
        if (stopping_) return;
        stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void RecordSigner::run() {
    std::unique_lock<std::mutex> lock(m_);
    for (;;) {
        // At most kMaxPutsInFlight puts not done yet (or none done for kPutWait): meanwhile edits of one record
        // replace each other here instead of all reaching OpenDHT (docs/SCALING.md, "Why 6+ hubs fail").
        const auto may_put = [this] { return stopping_ || (!order_.empty() && in_flight_ < kMaxPutsInFlight); };
        if (!cv_.wait_for(lock, kPutWait, may_put)) {
            if (order_.empty()) continue;
            in_flight_ = 0;  // puts whose done never came: do not stall for ever
        }
        if (order_.empty()) return;  // stopping, nothing left
        auto id = order_.front();
        order_.pop_front();
        Job job = std::move(jobs_.at(id));
        jobs_.erase(id);
        lock.unlock();
        if (job.sign) job.value->sign(*key_);
        const dht::Value::Id vid = job.value->id;
        if (job.permanent) {
            std::lock_guard<std::mutex> a(announced_m_);
            announced_[id].push_back(vid);
            ++announced_count_;
        }
        lock.lock();
        ++in_flight_;
        lock.unlock();
        runner_.put(job.key, job.value,
                    [this, id, vid](bool) {
                        retire_before(id, vid);
                        std::lock_guard<std::mutex> l(m_);
                        if (in_flight_ > 0) --in_flight_;
                        cv_.notify_one();
                    },
                    dht::time_point::max(), job.permanent);
        busy_.fetch_sub(1, std::memory_order_relaxed);
        lock.lock();
    }
}

void RecordSigner::retire_before(const RecordKey& id, dht::Value::Id vid) {
    std::lock_guard<std::mutex> a(announced_m_);
    auto it = announced_.find(id);
    if (it == announced_.end()) return;
    auto& ids = it->second;
    auto upto = std::find(ids.begin(), ids.end(), vid);
    for (auto i = ids.begin(); i != upto; ++i) runner_.cancelPut(id.first, *i);
    announced_count_ -= static_cast<std::size_t>(upto - ids.begin());
    ids.erase(ids.begin(), upto);
    if (ids.empty()) announced_.erase(it);
}

}  // namespace pigeonhub
