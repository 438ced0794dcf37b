// What the data API counts (/stats "data"). Plain values.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pigeonhub {

struct DataStats {
    std::uint64_t published = 0;          // records stored by /api/publish (hub- or client-signed)
    std::uint64_t publish_refused = 0;    // publishes answered 4xx/5xx
    std::uint64_t replicated_in = 0;      // records stored from /api/replicate
    std::uint64_t replicate_refused = 0;  // /api/replicate requests refused (bad record or signature)
    std::uint64_t finds = 0;
    std::uint64_t find_timeouts = 0;      // finds answered before the DHT lookup was done
    std::uint64_t bad_signatures = 0;     // records whose signature failed (never returned)
    std::uint64_t dht_invalid = 0;        // DHT values under a topic's key that are no record, or another topic's
    std::uint64_t dht_puts = 0;
    std::uint64_t dht_put_failures = 0;
    std::uint64_t http_replications = 0;  // records handed to the Replicator (each to every known hub)
    std::uint64_t store_full = 0;         // records refused at the store's bounds
    std::uint64_t store_saves = 0;
    std::uint64_t store_save_errors = 0;
    std::size_t records = 0;              // held now
    std::size_t bytes = 0;
    std::size_t unsent = 0;               // not yet in the DHT
};

}  // namespace pigeonhub
