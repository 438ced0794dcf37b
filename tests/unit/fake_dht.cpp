#include "fake_dht.h"

#include "data/data_lifetime.h"

#include <algorithm>

namespace pigeonhub::testing {
namespace {
constexpr std::int64_t kLeaseMs = std::chrono::duration_cast<std::chrono::milliseconds>(kRecordLease).count();
}

std::unique_ptr<FakeDht> FakeDhtNet::node(std::string hub_id) {
    dead_.erase(hub_id);
    return std::make_unique<FakeDht>(*this, std::move(hub_id));
}

std::int64_t FakeDhtNet::latency() {
    if (seeded_with_ != seed) {
        rng_.seed(seed);
        seeded_with_ = seed;
    }
    std::int64_t extra = 0;
    if (jitter_ms > 0) extra = static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(jitter_ms + 1));
    return std::max<std::int64_t>(delay_ms, 0) + extra;
}

void FakeDhtNet::schedule(std::int64_t due, std::function<void()> fire) {
    events_.emplace(std::make_pair(due, next_order_++), std::move(fire));
}

void FakeDhtNet::push(std::uint64_t token, std::vector<DhtValue> values, bool expired, bool may_lose) {
    if (values.empty()) return;
    if (may_lose && loss > 0) {
        latency();  // seeds the generator
        if (std::uniform_real_distribution<double>(0, 1)(rng_) < loss) return;
    }
    schedule(now_ + latency(), [this, token, values = std::move(values), expired] {
        auto it = listeners_.find(token);
        if (it == listeners_.end()) return;
        auto cb = it->second.cb;
        asio::post(io_, [this, token, cb, values, expired] {
            if (alive(token)) cb(values, expired);
        });
    });
}

void FakeDhtNet::store(const std::string& key, Stored v) {
    auto& values = store_[key];
    values.push_back(v);
    for (const auto& [token, l] : listeners_)
        if (l.key == key && visible(v, l.node->hub_id())) push(token, {view(v)}, false, true);
}

// The values `owner` announced for `record` before `keep_id` stop being announced: they expire one lease later.
void FakeDhtNet::retire(const std::string& key, const std::string& owner, std::uint64_t record, std::uint64_t keep_id) {
    for (auto& v : store_[key])
        if (v.publisher == owner && v.record == record && v.id != keep_id && v.announced) {
            v.announced = false;
            v.expires_ms = now_ + kLeaseMs;
        }
}

void FakeDhtNet::kill(const std::string& hub_id) {
    dead_.insert(hub_id);
    for (auto& [key, values] : store_)
        for (auto& v : values)
            if (v.publisher == hub_id && v.announced) {
                v.announced = false;
                v.expires_ms = now_ + kLeaseMs;
            }
}

void FakeDhtNet::replay(const std::string& key, const DhtValue& value) {
    Stored v;
    v.id = next_value_id_++;
    v.owner = value.owner;
    v.data = value.data;
    v.expires_ms = now_ + kLeaseMs;
    store(key, std::move(v));
}

std::vector<DhtValue> FakeDhtNet::visible_values(const std::string& key, const std::string& hub) const {
    std::vector<DhtValue> out;
    auto it = store_.find(key);
    if (it != store_.end())
        for (const auto& v : it->second)
            if (visible(v, hub)) out.push_back(view(v));
    return out;
}

std::vector<DhtValue> FakeDhtNet::stored(const std::string& key) const {
    std::vector<DhtValue> out;
    auto it = store_.find(key);
    if (it != store_.end())
        for (const auto& v : it->second) out.push_back(view(v));
    return out;
}

void FakeDhtNet::expire_due() {
    for (auto& [key, values] : store_) {
        std::vector<Stored> gone;
        auto keep = std::stable_partition(values.begin(), values.end(),
                                          [this](const Stored& v) { return v.announced || v.expires_ms > now_; });
        gone.assign(keep, values.end());
        values.erase(keep, values.end());
        for (const auto& [token, l] : listeners_) {
            if (l.key != key) continue;
            std::vector<DhtValue> seen;
            for (const auto& v : gone)
                if (visible(v, l.node->hub_id())) seen.push_back(view(v));
            push(token, std::move(seen), true, false);
        }
    }
}

void FakeDhtNet::advance(std::int64_t ms) {
    const std::int64_t end = now_ + ms;
    for (;;) {
        // Next due: an event, or a value's expiry.
        std::int64_t next = end;
        if (!events_.empty()) next = std::min(next, events_.begin()->first.first);
        for (const auto& [key, values] : store_)
            for (const auto& v : values)
                if (!v.announced) next = std::min(next, std::max(v.expires_ms, now_));
        now_ = std::max(now_, next);
        expire_due();
        bool fired = false;
        while (!events_.empty() && events_.begin()->first.first <= now_) {
            auto fire = std::move(events_.begin()->second);
            events_.erase(events_.begin());
            fire();
            fired = true;
        }
        if (now_ >= end && !fired) break;
    }
}

std::int64_t FakeDhtNet::settle(std::int64_t max_ms, std::int64_t horizon_ms) {
    const std::int64_t start = now_;
    for (;;) {
        const bool ran = io_.poll() > 0;
        io_.restart();
        const bool due = !events_.empty() && events_.begin()->first.first <= now_ + horizon_ms;
        if ((!ran && !due) || now_ - start >= max_ms) break;
        if (due) advance(std::max<std::int64_t>(0, events_.begin()->first.first - now_));
    }
    return now_ - start;
}

FakeDht::~FakeDht() {
    for (auto t : tokens_) net_.listeners_.erase(t);
    alive_.reset();
}

// Every value a node puts: a new id; a record's edit replaces (retires) the record's earlier values; a value not
// re-announced lives one lease. Nothing leaves a killed node.
void FakeDht::put(const std::string& key, std::string owner, std::string to, std::string data, std::uint64_t record,
                  bool announced, std::int64_t lifetime_ms) {
    if (net_.dead_.count(hub_id_)) return;
    FakeDhtNet::Stored v;
    v.id = net_.next_value_id_++;
    v.owner = std::move(owner);
    v.publisher = hub_id_;
    v.to = std::move(to);
    v.data = std::move(data);
    v.record = record;
    v.announced = announced;
    v.expires_ms = announced ? 0 : net_.now_ + (lifetime_ms ? lifetime_ms : kLeaseMs);
    const std::uint64_t id = v.id;
    net_.store(key, std::move(v));
    if (record) net_.retire(key, hub_id_, record, id);
}

void FakeDht::publish(const std::string& key, std::uint64_t record_id, std::string data, RecordSigning signing) {
    if (net_.dead_.count(hub_id_)) return;
    published_.insert({key, record_id});
    put(key, signing == RecordSigning::dht ? hub_id_ : std::string(), {}, std::move(data), record_id, /*announced=*/true);
}

void FakeDht::withdraw(const std::string& key, std::uint64_t record_id, std::string tombstone, RecordSigning signing) {
    if (net_.dead_.count(hub_id_) || !published_.erase({key, record_id})) return;
    put(key, signing == RecordSigning::dht ? hub_id_ : std::string(), {}, std::move(tombstone), record_id,
        /*announced=*/false);
}

void FakeDht::send_encrypted(const std::string& key, const std::string& to_hub_id, std::string data) {
    put(key, hub_id_, to_hub_id, std::move(data), 0, false);
}

void FakeDht::send_plain(const std::string& key, std::string data) { put(key, {}, {}, std::move(data), 0, false); }

void FakeDht::put_data(const std::string& key, std::string data, std::chrono::milliseconds remaining,
                       std::function<void(bool)> done) {
    const bool ok = !net_.dead_.count(hub_id_) && good_nodes_ > 0;
    if (ok)
        put(key, {}, {}, std::move(data), 0, false,
            std::chrono::duration_cast<std::chrono::milliseconds>(data::lifetime_class(remaining).lifetime).count());
    net_.schedule(net_.now_ + net_.delay_ms, [alive = std::weak_ptr<bool>(alive_), done = std::move(done), ok] {
        if (!alive.expired() && done) done(ok);
    });
}

std::size_t FakeDhtNet::listens(const std::string& hub_id, const std::string& key_prefix) const {
    std::size_t n = 0;
    for (const auto& [token, l] : listeners_)
        n += l.node->hub_id() == hub_id && l.key.compare(0, key_prefix.size(), key_prefix) == 0;
    return n;
}

std::uint64_t FakeDht::listen(const std::string& key, ListenCallback cb) {
    const std::uint64_t token = net_.next_token_++;
    tokens_.insert(token);
    net_.listeners_.emplace(token, FakeDhtNet::Listener{this, key, std::move(cb)});
    net_.push(token, net_.visible_values(key, hub_id_), false, false);
    return token;
}

void FakeDht::cancel_listen(std::uint64_t token) {
    tokens_.erase(token);
    net_.listeners_.erase(token);
}

void FakeDht::get(const std::string& key, GetCallback cb) {
    std::vector<DhtValue> now = net_.visible_values(key, hub_id_);
    asio::io_context& io = net_.io_;
    net_.schedule(net_.now_ + net_.latency(), [&io, alive = std::weak_ptr<bool>(alive_), cb = std::move(cb), now = std::move(now)] {
        asio::post(io, [alive, cb, now] {
            if (!alive.expired()) cb(now);
        });
    });
}

}  // namespace pigeonhub::testing
