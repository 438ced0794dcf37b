#include "net/admission.h"

#include <algorithm>
#include <cmath>

namespace pigeonhub {

bool AdmissionTable::Bucket::take(double rate, double burst, std::int64_t now) {
    if (tokens < 0) tokens = burst;
    else tokens = std::min(burst, tokens + static_cast<double>(std::max<std::int64_t>(0, now - at_ms)) * rate / 1000.0);
    at_ms = std::max(at_ms, now);  // a wall clock stepped back neither refills nor drains
    if (tokens < 1.0) return false;
    tokens -= 1.0;
    return true;
}

bool AdmissionTable::Bucket::full(double rate, double burst, std::int64_t now) const {
    return tokens < 0 || tokens + static_cast<double>(std::max<std::int64_t>(0, now - at_ms)) * rate / 1000.0 >= burst;
}

double AdmissionTable::Bucket::seconds_to_token(double rate) const {
    return rate > 0 ? (1.0 - std::max(0.0, tokens)) / rate : 1.0;
}

AdmissionTable::AdmissionTable(const AdmissionOptions& options, AdmissionStats* stats)
    : options_(options), stats_(stats) {}

void AdmissionTable::count(Verdict v, std::uint64_t AdmissionStats::*counter) {
    if (!stats_ || v == Verdict::ok) return;
    if (v == Verdict::table_full) ++stats_->table_full;
    else ++(stats_->*counter);
}

bool AdmissionTable::reclaimable(const Entry& e, std::int64_t now_ms) const {
    return e.ws == 0 && e.http == 0 &&
           e.connections.full(options_.new_connection_rate, std::max(1u, options_.new_connection_burst), now_ms) &&
           e.rest.full(options_.rest_rate, std::max(1u, options_.rest_burst), now_ms);
}

AdmissionTable::Entry* AdmissionTable::find_or_make(const AddressKey& key, std::int64_t now_ms) {
    if (auto it = entries_.find(key); it != entries_.end()) return &it->second;
    if (entries_.size() >= std::max<std::uint32_t>(1, options_.max_tracked_addresses)) {
        sweep(now_ms);
        if (entries_.size() >= std::max<std::uint32_t>(1, options_.max_tracked_addresses)) {
            if (idle_.empty()) return nullptr;
            entries_.erase(idle_.front());
            idle_.pop_front();
            if (stats_) ++stats_->evicted;
        }
    }
    auto [it, inserted] = entries_.try_emplace(key);
    if (stats_) stats_->addresses = entries_.size();
    return &it->second;
}

void AdmissionTable::settle(Map::iterator it, std::int64_t now_ms) {
    Entry& e = it->second;
    const bool idle = e.ws == 0 && e.http == 0;
    if (idle && reclaimable(e, now_ms)) {
        if (e.in_idle) idle_.erase(e.idle);
        entries_.erase(it);
    } else if (idle && !e.in_idle) {
        e.idle = idle_.insert(idle_.end(), it->first);
        e.in_idle = true;
    } else if (!idle && e.in_idle) {
        idle_.erase(e.idle);
        e.in_idle = false;
    }
    if (stats_) stats_->addresses = entries_.size();
}

AdmissionTable::Verdict AdmissionTable::new_connection(const AddressKey& key, std::int64_t now_ms) {
    if (options_.new_connection_rate == 0) return Verdict::ok;
    Entry* e = find_or_make(key, now_ms);
    Verdict v = Verdict::ok;
    if (!e) v = Verdict::table_full;
    else if (!e->connections.take(options_.new_connection_rate, std::max(1u, options_.new_connection_burst), now_ms))
        v = Verdict::rate;
    if (e) settle(entries_.find(key), now_ms);
    count(v, &AdmissionStats::connection_rate);
    return v;
}

// One more connection of a kind (`held`: Entry::http or Entry::ws) for `key`, unless it holds `cap` (0 = no cap).
AdmissionTable::Verdict AdmissionTable::acquire(const AddressKey& key, std::int64_t now_ms, std::uint32_t Entry::*held,
                                                std::uint32_t cap, std::uint64_t AdmissionStats::*counter) {
    Entry* e = find_or_make(key, now_ms);
    Verdict v = Verdict::ok;
    if (!e) v = Verdict::table_full;
    else if (cap != 0 && e->*held >= cap) v = Verdict::cap;
    else ++(e->*held);
    if (e) settle(entries_.find(key), now_ms);
    count(v, counter);
    return v;
}

void AdmissionTable::release(const AddressKey& key, std::int64_t now_ms, std::uint32_t Entry::*held) {
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.*held == 0) return;
    --(it->second.*held);
    settle(it, now_ms);
}

AdmissionTable::Verdict AdmissionTable::acquire_http(const AddressKey& key, std::int64_t now_ms) {
    return acquire(key, now_ms, &Entry::http, options_.max_http_per_address, &AdmissionStats::http_cap);
}

void AdmissionTable::release_http(const AddressKey& key, std::int64_t now_ms) { release(key, now_ms, &Entry::http); }

AdmissionTable::Verdict AdmissionTable::acquire_ws(const AddressKey& key, std::int64_t now_ms) {
    return acquire(key, now_ms, &Entry::ws, options_.max_ws_per_address, &AdmissionStats::ws_cap);
}

void AdmissionTable::release_ws(const AddressKey& key, std::int64_t now_ms) { release(key, now_ms, &Entry::ws); }

AdmissionTable::Verdict AdmissionTable::rest_request(const AddressKey& key, std::int64_t now_ms,
                                                     std::uint32_t* retry_after_s) {
    if (options_.rest_rate == 0) return Verdict::ok;
    Entry* e = find_or_make(key, now_ms);
    Verdict v = Verdict::ok;
    if (!e) v = Verdict::table_full;
    else if (!e->rest.take(options_.rest_rate, std::max(1u, options_.rest_burst), now_ms)) {
        v = Verdict::rate;
        if (retry_after_s)
            *retry_after_s = static_cast<std::uint32_t>(std::max(1.0, std::ceil(e->rest.seconds_to_token(options_.rest_rate))));
    }
    if (e) settle(entries_.find(key), now_ms);
    count(v, &AdmissionStats::rest_rate);
    if (v == Verdict::table_full && retry_after_s) *retry_after_s = 1;
    return v;
}

void AdmissionTable::sweep(std::int64_t now_ms) {
    for (auto it = idle_.begin(); it != idle_.end();) {
        auto e = entries_.find(*it);
        if (e != entries_.end() && !reclaimable(e->second, now_ms)) {
            ++it;
            continue;
        }
        if (e != entries_.end()) entries_.erase(e);
        it = idle_.erase(it);
    }
    if (stats_) stats_->addresses = entries_.size();
}

std::uint32_t AdmissionTable::ws_open(const AddressKey& key) const {
    auto it = entries_.find(key);
    return it == entries_.end() ? 0 : it->second.ws;
}

std::uint32_t AdmissionTable::http_open(const AddressKey& key) const {
    auto it = entries_.find(key);
    return it == entries_.end() ? 0 : it->second.http;
}

}  // namespace pigeonhub
