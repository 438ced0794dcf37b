// The mesh's fixed bounds and periods, in one place, each with the reason for its value. (Settings an operator
// may change live in Config; these are design constants.)
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace pigeonhub::mesh {

// Presence pages: bytes of peer entries per page. OpenDHT refuses values over 64 KiB; 48 KB leaves room for the
// JSON around the entries and the RSA signature.
inline constexpr std::size_t kPageBudget = 48 * 1024;
// While the signing thread is busy, changes within this window share one signature per page (about 1 ms of CPU
// each); 20 ms keeps a burst of joins to a few signatures without a visible delay.
inline constexpr auto kFlushDelay = std::chrono::milliseconds(20);

// Remote presence: peers and pages of other hubs held for this hub's namespaces. At the bound, further peers
// and pages are ignored and counted (/stats mesh.recordsRefused and the directory's rejections); 200,000 is
// far above what one hub's namespaces see (each page lists up to a few hundred peers) and costs ~60 MB at most.
inline constexpr std::size_t kMaxRemotePeers = 200000;
inline constexpr std::size_t kMaxRemotePages = 200000;
// An expiry notice is confirmed by a lookup; a value still found is looked up again this often, this many times
// (storage nodes expire a value at slightly different times).
inline constexpr auto kExpiryRecheck = std::chrono::seconds(5);
inline constexpr int kExpiryLookups = 3;

// Membership (membership.h): records signed by a hub whose hub record (with its certificate) has not arrived yet
// wait this long at most, then count as refused (a member's record comes with the first values of the hubs key and
// again every kHubRecordPeriod; 15 s is one period and a half). Held pages and link keys are bounded by count and
// bytes (the oldest dropped and counted): a DHT node that is no hub can fill these, and nothing else.
inline constexpr std::int64_t kPendingMs = 15000;
inline constexpr std::size_t kMaxPendingPages = 1024;
inline constexpr std::size_t kMaxPendingBytes = 4 << 20;
inline constexpr std::size_t kMaxPendingKeys = 256;
// Certificate chain checks per second (~0.2-0.35 ms of CPU each, tools/bench/membership_cost.cpp): at most ~2% of a
// core, while a mesh of hundreds of hubs is admitted within seconds (each hub is checked once).
inline constexpr std::uint64_t kMaxVerificationsPerSecond = 50;

// Record budgets (record_budget.h): pages of member hubs over their budget wait, the newest edit of each page kept,
// until the hub has tokens again (checked every second by the mesh's tick and at its next page); at most this many
// pages wait in all (beyond: the page is dropped and counted, mesh.refused.rateLimited). 4096 pages of a few KB.
inline constexpr std::size_t kMaxDeferredPages = 4096;

// Hub records: re-published this often so that /hubs shows current load; the lease (kRecordLease) is 3 periods.
inline constexpr auto kHubRecordPeriod = std::chrono::seconds(10);
// Hubs listed at most (a mesh far larger than this is not what one DHT key can serve anyway).
inline constexpr std::size_t kMaxHubs = 10000;

// Signals: inbox value ids remembered to deliver each signal once (a listen may hand a value over again when it
// is refreshed; 8192 covers many seconds of a busy hub's inbox).
inline constexpr std::size_t kSeenSignals = 8192;
// Sealed links: receiving hubs this hub keeps a key for (the oldest is dropped at the bound: a new key is sent if
// that hub comes back); sealed signals held for a key not yet here, and for how long (a key travels in ms; 2 s
// covers a restarted hub asking for it again); key requests per hub and in all (each costs an RSA signature and
// encryption, and sealed values are unsigned: anyone can put one).
inline constexpr std::size_t kMaxLinks = 4096;
inline constexpr std::size_t kMaxHeld = 1024;
inline constexpr std::int64_t kHoldMs = 2000;
inline constexpr std::int64_t kKeyAskIntervalMs = 1000;
inline constexpr int kKeyAsksPerSecond = 20;
// While signals wait for a missing predecessor, they are released this often once their wait (signal_order.h) is over.
inline constexpr auto kOrderTick = std::chrono::milliseconds(50);
// Signal order (signal_order.cpp): (sender, target) pairs numbered or tracked at most (beyond: idle pairs are
// forgotten, then all, and a new epoch tells receivers to start over), signals held per pair waiting for a
// predecessor (a burst of ICE candidates is a few dozen), and how long a pair is remembered unused.
inline constexpr std::size_t kMaxSignalPairs = 100000;
inline constexpr std::size_t kMaxHeldPerPair = 64;
inline constexpr std::int64_t kIdlePairMs = 60000;

// Public keys of signed values the DHT node remembers (to encrypt to a hub by its id); cleared at the bound and
// learned again from the next value (OpenDHT adapter).
inline constexpr std::size_t kMaxKnownKeys = 100000;

}  // namespace pigeonhub::mesh
