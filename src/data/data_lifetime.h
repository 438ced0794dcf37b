// How long DHT storage nodes keep the value of a data record. OpenDHT 2.4.12 gives all values of one value type
// one lifetime, so a record is put with the type of the shortest lifetime class that covers what is left of its
// TTL: a record with a 2-minute TTL stays in storage for 10 minutes, not for a day. (With one type of 24 h, the
// soak's one publish a second grew every hub's DHT storage by ~1 KB a publish for a day: BENCHMARKS.md, soak.)
// Readers drop expired records themselves; storage only has to keep a record at least until its `expires`.
// Every hub and the CLI register all the classes; 0x504A is the type of the single class before them.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace pigeonhub::data {

struct LifetimeClass {
    std::uint16_t value_type;
    std::chrono::seconds lifetime;
    const char* name;
};

inline constexpr std::array<LifetimeClass, 4> kLifetimeClasses{{
    {0x504B, std::chrono::minutes(10), "pigeonhub.data.10m"},
    {0x504C, std::chrono::hours(1), "pigeonhub.data.1h"},
    {0x504D, std::chrono::hours(6), "pigeonhub.data.6h"},
    {0x504A, std::chrono::hours(24), "pigeonhub.data"},  // the longest TTL a record may have (kMaxTtlSeconds)
}};

// The class for a record with `remaining` left before it expires: the shortest lifetime at least that long (the
// longest class for anything longer).
constexpr const LifetimeClass& lifetime_class(std::chrono::milliseconds remaining) {
    for (const auto& c : kLifetimeClasses)
        if (remaining <= c.lifetime) return c;
    return kLifetimeClasses.back();
}

}  // namespace pigeonhub::data
