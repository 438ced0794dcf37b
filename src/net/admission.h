// Per-address admission (issue 15): what one client address (net/client_address.h: an IPv4 address or an IPv6
// /64) may hold and open, so that one address cannot take every slot of MAX_CONNECTIONS or MAX_HTTP_CONNECTIONS.
// Per address it keeps: WebSocket connections open (MAX_CONNECTIONS_PER_ADDRESS), plain HTTP connections open
// (MAX_HTTP_PER_ADDRESS), a token bucket for new connections (NEW_CONNECTION_RATE, bursts of
// NEW_CONNECTION_BURST) and one for the rate-limited REST routes (REST_RATE, bursts of REST_BURST). A cap or rate
// of 0 is no limit.
//
// Bound: at most MAX_TRACKED_ADDRESSES entries. An entry is freed once its address has nothing open and its
// buckets are full again (it then says nothing a new entry would not). At the bound the entry idle longest (nothing
// open) is forgotten, losing only its rate history (counted: evicted); when every entry has something open, a new
// address is refused (counted: table_full). With the bound above MAX_CONNECTIONS + MAX_HTTP_CONNECTIONS the latter
// cannot happen.
//
// Pure: the caller passes the time. Threading: one thread (the io thread).
#pragma once

#include <cstdint>
#include <list>
#include <unordered_map>

#include "api/admission_stats.h"
#include "net/client_address.h"
#include "pigeonhub/config.h"

namespace pigeonhub {

class AdmissionTable {
public:
    enum class Verdict : std::uint8_t { ok, rate, cap, table_full };

    // Counts refusals into `stats` (which may be null, and may be set later).
    AdmissionTable(const AdmissionOptions& options, AdmissionStats* stats);

    // A new TCP connection (or, behind a trusted proxy, a new WebSocket upgrade) from `key`: takes a token of the
    // new-connection bucket.
    Verdict new_connection(const AddressKey& key, std::int64_t now_ms);
    // A plain HTTP connection opens / ends. acquire_http takes no token.
    Verdict acquire_http(const AddressKey& key, std::int64_t now_ms);
    void release_http(const AddressKey& key, std::int64_t now_ms);
    // A WebSocket connection opens / ends.
    Verdict acquire_ws(const AddressKey& key, std::int64_t now_ms);
    void release_ws(const AddressKey& key, std::int64_t now_ms);
    // A request to a rate-limited REST route. On `rate`, `*retry_after_s` is when a token is back (whole seconds,
    // at least 1).
    Verdict rest_request(const AddressKey& key, std::int64_t now_ms, std::uint32_t* retry_after_s);

    // Frees the entries with nothing open whose buckets are full again. Call about once a second.
    void sweep(std::int64_t now_ms);

    std::size_t size() const noexcept { return entries_.size(); }
    // What is open from `key` (tests).
    std::uint32_t ws_open(const AddressKey& key) const;
    std::uint32_t http_open(const AddressKey& key) const;
    void set_stats(AdmissionStats* stats) noexcept { stats_ = stats; }

private:
    struct Bucket {
        double tokens = -1;  // < 0: full (never used)
        std::int64_t at_ms = 0;
        // Takes a token; false if none.
        bool take(double rate, double burst, std::int64_t now);
        bool full(double rate, double burst, std::int64_t now) const;
        double seconds_to_token(double rate) const;
    };
    struct Entry {
        std::uint32_t ws = 0;
        std::uint32_t http = 0;
        Bucket connections;
        Bucket rest;
        std::list<AddressKey>::iterator idle;  // in idle_ while nothing is open
        bool in_idle = false;
    };
    using Map = std::unordered_map<AddressKey, Entry, AddressKeyHash>;

    // The entry of `key`, made if needed (evicting at the bound); nullptr when the table is full.
    Entry* find_or_make(const AddressKey& key, std::int64_t now_ms);
    // After a change to what `e` has open: into or out of the idle list, or freed.
    void settle(Map::iterator it, std::int64_t now_ms);
    bool reclaimable(const Entry& e, std::int64_t now_ms) const;
    void count(Verdict v, std::uint64_t AdmissionStats::*counter);
    Verdict acquire(const AddressKey& key, std::int64_t now_ms, std::uint32_t Entry::*held, std::uint32_t cap,
                    std::uint64_t AdmissionStats::*counter);
    void release(const AddressKey& key, std::int64_t now_ms, std::uint32_t Entry::*held);

    AdmissionOptions options_;
    AdmissionStats* stats_;
    Map entries_;
    std::list<AddressKey> idle_;  // entries with nothing open, the longest idle first
};

}  // namespace pigeonhub
