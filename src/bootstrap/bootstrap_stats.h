// What the bootstrap counts (/stats "bootstrap"). Plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pigeonhub {

struct BootstrapStats {
    std::uint64_t attempts = 0;            // candidate attempts (documents fetched, DHT nodes dialled)
    std::uint64_t failures = 0;            // attempts that failed
    std::uint64_t documents_refused = 0;   // bootstrap documents (well-known) with a bad signature, stale, for another app
    std::uint64_t announcements_accepted = 0;
    std::uint64_t announcements_refused = 0;  // DHT announcements: not a member, wrongly keyed, forged, stale
    std::uint64_t dns_records = 0;         // peers from DNS TXT records
    std::uint64_t dns_errors = 0;
    std::uint64_t health_checks = 0;
    std::size_t candidates = 0;
    std::size_t dead = 0;                  // out of rotation after a failed health check
    std::size_t cached = 0;                // peers loaded from the cache at start
    bool joined = false;
    std::vector<std::string> candidate_urls;  // in the order they are tried
};

}  // namespace pigeonhub
