#include "data/data_service.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "data/data_key.h"
#include "data/replicator.h"
#include "data/store_file.h"
#include "protocol/json.h"
#include "protocol/json_writer.h"
#include "util/log.h"
#include "util/utf8.h"

namespace pigeonhub {
namespace {

using data::Record;
using data::RecordStore;

// Records put into the DHT per tick while catching up (each is one put).
constexpr std::size_t kCatchUpBatch = 64;
// A client-signed record may expire at most this far beyond the longest TTL (clock skew between publisher and hub).
constexpr std::uint64_t kExpirySkewMs = 60'000;

DataReply error(int status, std::string_view message, std::string_view field = {}) {
    JsonWriter w;
    w.begin_object().field("error", message);
    if (!field.empty()) w.field("field", field);
    w.end_object();
    return {status, w.take()};
}

DataReply problem_reply(const data::Problem& p) { return error(p.too_large ? 413 : 400, p.error, p.field); }

}  // namespace

DataService::DataService(asio::io_context& io, Options options, DhtPort& dht, Replicator& replicator,
                         std::function<std::vector<std::string>()> hub_urls, Clock clock)
    : io_(io),
      options_(std::move(options)),
      dht_(dht),
      replicator_(replicator),
      hub_urls_(std::move(hub_urls)),
      clock_(std::move(clock)),
      timer_(io),
      store_(options_.limits) {}

DataService::~DataService() = default;

void DataService::start() {
    key_ = data::load_or_create_data_key(options_.state_dir);
    const auto report = data::load_store(data::store_path(options_.state_dir), store_, clock_());
    for (const auto& p : report.problems) log::error("data store {}: {} (skipped)", data::store_path(options_.state_dir), p);
    if (report.skipped > report.problems.size())
        log::error("data store: {} more lines skipped", report.skipped - report.problems.size());
    if (report.loaded || report.skipped)
        log::info("data store: {} records loaded, {} expired, {} skipped", report.loaded, report.expired, report.skipped);
    started_ = true;
    arm_timer();
}

void DataService::arm_timer() {
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([this](const asio::error_code& ec) {
        if (ec || !started_) return;
        tick();
        arm_timer();
    });
}

void DataService::stop() {
    if (!started_) return;
    started_ = false;
    timer_.cancel();
    if (dirty_) save();
}

std::string DataService::dht_key(std::string_view topic) const {
    return "pigeonhub/" + options_.app_id + "/data/" + std::string(topic);
}

bool DataService::store(Record r, bool in_dht) {
    switch (store_.put(std::move(r), clock_(), in_dht)) {
    case RecordStore::Put::stored:
    case RecordStore::Put::replaced: dirty_ = true; return true;
    case RecordStore::Put::topic_full:
    case RecordStore::Put::store_full: ++stats_.store_full; return false;
    case RecordStore::Put::stale:
    case RecordStore::Put::expired: return false;
    }
    return false;
}

void DataService::publish(std::string_view body, const Respond& respond) {
    if (body.size() > kMaxBodyBytes) {
        ++stats_.publish_refused;
        return respond(error(413, "the body is larger than 65536 bytes"));
    }
    auto parsed = data::parse_publish(body);
    if (!parsed.request) {
        if (parsed.problem.field == "signature") ++stats_.bad_signatures;
        ++stats_.publish_refused;
        return respond(problem_reply(parsed.problem));
    }
    const std::int64_t now = clock_();
    Record r = std::move(parsed.request->record);
    if (parsed.request->is_signed) {
        const auto max_expires = static_cast<std::uint64_t>(now) + data::kMaxTtlSeconds * 1000ull + kExpirySkewMs;
        if (r.expires <= static_cast<std::uint64_t>(now) || r.expires > max_expires) {
            ++stats_.publish_refused;
            return respond(error(400, "expires must be in the future and at most 86400 s away", "expires"));
        }
    } else {
        // The hub signs: seq is the time in ms, strictly increasing, so that a second publish replaces the first.
        last_seq_ = std::max(last_seq_ + 1, static_cast<std::uint64_t>(now));
        r.seq = last_seq_;
        r.expires = static_cast<std::uint64_t>(now) + static_cast<std::uint64_t>(parsed.request->ttl_seconds) * 1000;
        data::sign(r, key_);
    }
    r.published = static_cast<std::uint64_t>(now);
    switch (store_.put(r, now, /*in_dht=*/false)) {
    case RecordStore::Put::stored:
    case RecordStore::Put::replaced: break;
    case RecordStore::Put::stale:
        ++stats_.publish_refused;
        return respond(error(409, "this publisher already has a record on this topic with a seq at least as high", "seq"));
    case RecordStore::Put::expired:
        ++stats_.publish_refused;
        return respond(error(400, "the record has expired", "expires"));
    case RecordStore::Put::topic_full:
    case RecordStore::Put::store_full:
        ++stats_.store_full;
        ++stats_.publish_refused;
        return respond(error(507, "this hub's data store is full (docs/DATA.md: bounds)"));
    }
    dirty_ = true;
    ++stats_.published;
    respond(DataReply{201, data::encode(r, /*verified=*/true)});
    to_dht(r, /*replicate_on_failure=*/true);
}

void DataService::to_dht(const Record& r, bool replicate_on_failure) {
    if (dht_.good_nodes() == 0) {
        if (replicate_on_failure) replicate_over_http(r);
        return;
    }
    std::string id = r.topic + '\n' + r.public_key + '\n' + std::to_string(r.seq);
    if (!in_flight_.insert(id).second) return;  // already on its way
    ++stats_.dht_puts;
    const auto left = static_cast<std::int64_t>(r.expires) - clock_();
    dht_.put_data(dht_key(r.topic), data::encode(r), std::chrono::milliseconds(std::max<std::int64_t>(left, 0)),
                  [this, alive = std::weak_ptr<char>(alive_), r, id, replicate_on_failure](bool ok) {
                      if (alive.expired()) return;
                      in_flight_.erase(id);
                      if (ok) {
                          store_.mark_in_dht(r.topic, r.public_key, r.seq);
                          return;
                      }
                      ++stats_.dht_put_failures;
                      if (replicate_on_failure) replicate_over_http(r);
                  });
}

std::vector<std::string> DataService::replication_targets() const {
    std::set<std::string> urls(options_.replication_peers.begin(), options_.replication_peers.end());
    if (hub_urls_)
        for (auto& u : hub_urls_())
            if (!u.empty()) urls.insert(std::move(u));
    return {urls.begin(), urls.end()};
}

void DataService::replicate_over_http(const Record& r) {
    auto peers = replication_targets();
    if (peers.empty()) return;
    ++stats_.http_replications;
    replicator_.replicate(peers, data::encode(r));
}

void DataService::replicate(std::string_view body, const Respond& respond) {
    if (body.size() > kMaxBodyBytes) {
        ++stats_.replicate_refused;
        return respond(error(413, "the body is larger than 65536 bytes"));
    }
    auto parsed = data::parse_replicate(body);
    if (!parsed.problem.error.empty()) {
        if (parsed.problem.field == "signature") ++stats_.bad_signatures;
        ++stats_.replicate_refused;
        return respond(problem_reply(parsed.problem));
    }
    std::vector<Record> records = std::move(parsed.records);
    const std::int64_t now = clock_();
    std::uint64_t accepted = 0;
    const bool dht_up = dht_.good_nodes() > 0;
    for (auto& r : records) {
        if (r.published == 0) r.published = static_cast<std::uint64_t>(now);
        if (!store(r, false)) continue;  // expired, older than what is held, or over the bounds
        ++accepted;
        ++stats_.replicated_in;
        if (dht_up) to_dht(r, /*replicate_on_failure=*/false);  // replicated records are not passed on over HTTP
    }
    JsonWriter w;
    w.begin_object().field("accepted", accepted).field("received", static_cast<std::uint64_t>(records.size())).end_object();
    respond(DataReply{202, w.take()});
}

void DataService::absorb(const std::vector<DhtValue>& values, std::string_view topic) {
    for (const auto& v : values) {
        auto parsed = data::parse_record(v.data);
        if (!parsed.record) {
            if (parsed.problem.field == "signature") ++stats_.bad_signatures;
            else ++stats_.dht_invalid;
            continue;
        }
        if (parsed.record->topic != topic) {  // stored under another topic's key: not this one's
            ++stats_.dht_invalid;
            continue;
        }
        store(std::move(*parsed.record), /*in_dht=*/true);
    }
}

void DataService::find(std::string topic, Respond respond) {
    ++stats_.finds;
    auto answer = [this, topic](const Respond& respond) {
        respond(DataReply{200, data::encode_find(topic, store_.find(topic, clock_()))});
    };
    if (topic.empty() || topic.size() > data::kMaxTopicBytes || !is_valid_utf8(topic))
        return respond(error(400, "topic must be 1 to 256 bytes of UTF-8", "topic"));
    if (dht_.good_nodes() == 0) return answer(respond);
    // The lookup and a deadline race; whichever comes first answers, the other only stores what it brings.
    auto answered = std::make_shared<bool>(false);
    auto shared_respond = std::make_shared<Respond>(std::move(respond));
    auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(kFindWaitMs));
    timer->async_wait([this, alive = std::weak_ptr<char>(alive_), answered, shared_respond, answer, timer](const asio::error_code& ec) {
        if (ec || alive.expired() || *answered) return;
        *answered = true;
        ++stats_.find_timeouts;
        answer(*shared_respond);
    });
    dht_.get(dht_key(topic), [this, alive = std::weak_ptr<char>(alive_), answered, shared_respond, answer, timer,
                              topic](const std::vector<DhtValue>& values) {
        if (alive.expired()) return;
        absorb(values, topic);
        if (*answered) return;
        *answered = true;
        timer->cancel();
        answer(*shared_respond);
    });
}

void DataService::tick() {
    const std::int64_t now = clock_();
    if (store_.expire(now)) dirty_ = true;
    if (dht_.good_nodes() > 0)
        for (const auto& r : store_.unsent(kCatchUpBatch)) to_dht(r, /*replicate_on_failure=*/false);
    if (dirty_) save();
}

void DataService::save() {
    dirty_ = false;
    if (auto err = data::save_store(data::store_path(options_.state_dir), store_); !err.empty()) {
        ++stats_.store_save_errors;
        log::error("data store: {}", err);
        return;
    }
    ++stats_.store_saves;
}

DataStats DataService::stats() const {
    DataStats s = stats_;
    s.records = store_.size();
    s.bytes = store_.bytes();
    s.unsent = store_.unsent_count();
    return s;
}

}  // namespace pigeonhub
