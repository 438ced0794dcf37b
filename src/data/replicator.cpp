#include "data/replicator.h"

#include <algorithm>
#include <map>

#include "util/url.h"

namespace pigeonhub {
namespace {

using Clock = std::chrono::steady_clock;

struct Job {
    std::uint64_t age = 0;  // order of creation: the key in `waiting`, kept through retries
    std::string url;
    std::shared_ptr<const std::string> record;  // shared by the jobs of one replicate()
    int attempts = 0;                           // requests made so far
    Clock::time_point not_before{};
};

}  // namespace

std::string replication_url(std::string_view peer) {
    std::string url = ws_as_http(peer);
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url + "/api/replicate";
}

struct Replicator::Impl : std::enable_shared_from_this<Replicator::Impl> {
    Impl(asio::io_context& io, HttpClient& h, std::chrono::milliseconds b) : http(h), backoff(b), timer(io) {}

    // Starts the waiting jobs that are due, oldest first, while fewer than kMaxRunning run; then sets the timer for
    // the next one that is not due yet. O(waiting), which kMaxJobs bounds.
    void pump() {
        const auto now = Clock::now();
        auto next = Clock::time_point::max();
        for (auto it = waiting.begin(); it != waiting.end() && running < kMaxRunning;) {
            if (it->second.not_before <= now) {
                Job job = std::move(it->second);
                it = waiting.erase(it);
                send(std::move(job));
            } else {
                next = std::min(next, it->second.not_before);
                ++it;
            }
        }
        // When the loop stopped at kMaxRunning, the next reply pumps again.
        if (next == Clock::time_point::max() || (timer_armed && timer_at <= next)) return;
        timer_armed = true;
        timer_at = next;
        timer.expires_at(next);  // cancels an earlier wait, whose handler then sees operation_aborted
        timer.async_wait([weak = weak_from_this()](const asio::error_code& ec) {
            if (ec) return;
            if (auto self = weak.lock()) {
                self->timer_armed = false;
                self->pump();
            }
        });
    }

    void send(Job job) {
        ++running;
        ++job.attempts;
        const std::string url = job.url;
        std::string body = *job.record;
        http.post(url, std::move(body), kDeadline,
                  [weak = weak_from_this(), job = std::move(job)](HttpResult r) mutable {
                      if (auto self = weak.lock()) self->on_reply(std::move(job), r.status);
                  });
    }

    void on_reply(Job job, int status) {
        --running;
        if (status >= 200 && status < 300) {
            ++stats.sent;
        } else if (status != 0 && status < 500 && status != 429) {  // 429: the receiver's REST_RATE, retried
            ++stats.refused;
        } else if (job.attempts >= kAttempts) {
            ++stats.failed;
        } else {
            ++stats.retries;
            job.not_before = Clock::now() + backoff * (1 << (job.attempts - 1));
            // Back in its place by age: a retried job stays among the oldest, the first to drop at the bound.
            const std::uint64_t age = job.age;
            waiting.emplace(age, std::move(job));
        }
        pump();
    }

    void add(std::string url, const std::shared_ptr<const std::string>& record) {
        if (waiting.size() + running >= kMaxJobs && !waiting.empty()) {
            waiting.erase(waiting.begin());
            ++stats.dropped;
        }
        Job job;
        job.age = next_age++;
        job.url = std::move(url);
        job.record = record;
        job.not_before = Clock::now();
        waiting.emplace(job.age, std::move(job));
    }

    HttpClient& http;
    const std::chrono::milliseconds backoff;
    asio::steady_timer timer;
    bool timer_armed = false;
    Clock::time_point timer_at{};
    std::map<std::uint64_t, Job> waiting;  // by age, oldest first
    std::uint64_t next_age = 0;
    std::size_t running = 0;
    ReplicationStats stats;
};

Replicator::Replicator(asio::io_context& io, HttpClient& http, std::chrono::milliseconds first_backoff)
    : impl_(std::make_shared<Impl>(io, http, first_backoff)) {}

void Replicator::replicate(const std::vector<std::string>& peers, const std::string& record_json) {
    Impl& m = *impl_;
    auto record = std::make_shared<const std::string>(record_json);
    for (const auto& peer : peers) {
        std::string url = replication_url(peer);
        const auto parsed = parse_http_url(url);
        if (!parsed || parsed->https) {  // HttpClient would refuse it every time
            ++m.stats.failed;
            continue;
        }
        m.add(std::move(url), record);
    }
    m.pump();
}

const ReplicationStats& Replicator::stats() const noexcept {
    return impl_->stats;
}
std::size_t Replicator::pending() const noexcept {
    return impl_->waiting.size() + impl_->running;
}

}  // namespace pigeonhub
