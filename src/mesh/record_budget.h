// A budget per member hub on the records this hub takes from it (issue 15): a token bucket per hub id, so that one
// member (a valid certificate, a buggy or hostile operator) that floods presence pages or sealed signals costs this
// hub a bounded amount of work, and the other hubs' records are not slowed by it.
//
// `rate` records a second per hub, bursts of 2 x rate (as MESSAGE_RATE); 0 = no limit. A record is charged only
// once it is known to be the hub's and new (a page after its Ed25519 signature is checked and its seq is newer than
// the page's current edit, a signal after it opened with the hub's link key, past the replay window): a rogue that
// forges records naming an honest hub, or replays its genuine ones, cannot spend that hub's budget.
// What happens over the budget is the caller's choice (RemotePresence defers the newest edit of each page until the
// hub has tokens again; SignalRelay drops the signal); both count it.
// Bounded: at most mesh::kMaxHubs buckets (a hub not seen for a while is forgotten first; beyond: all are reset).
// Pure logic, no I/O; io thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace pigeonhub {

class RecordBudget {
public:
    explicit RecordBudget(std::uint32_t rate_per_second);

    // Takes one token of `hub`'s bucket at `now_ms`: true if it had one (the record may be taken), false if the hub
    // is over its budget (nothing taken).
    bool take(std::string_view hub, std::int64_t now_ms);
    // True if `hub` has a token at `now_ms` (nothing taken).
    bool has_token(std::string_view hub, std::int64_t now_ms);
    void forget(std::string_view hub) { buckets_.erase(std::string(hub)); }

    bool limited() const noexcept { return rate_ != 0; }
    // Hubs whose bucket is empty now (throttled).
    std::size_t throttled(std::int64_t now_ms) const;

private:
    // Tokens in thousandths (a second's refill is rate * 1000, one record costs 1000): exact integer arithmetic.
    static constexpr std::int64_t kToken = 1000;
    struct Bucket {
        std::int64_t milli = 0;
        std::int64_t at_ms = 0;
    };
    std::int64_t level(const Bucket& b, std::int64_t now_ms) const;
    Bucket& refill(std::string_view hub, std::int64_t now_ms);

    std::int64_t rate_;   // thousandths of a token per ms = records per second
    std::int64_t burst_;  // in thousandths
    std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace pigeonhub
