// Bootstrap peers (include/pigeonhub/bootstrap.h): comma lists, tier names, and the merged order of every tier.
#include <algorithm>
#include <array>
#include <tuple>
#include <unordered_set>

#include "bootstrap/peer_address.h"
#include "pigeonhub/bootstrap.h"
#include "util/text.h"

namespace pigeonhub::bootstrap {
namespace {

constexpr std::array<std::string_view, 6> kTierNames = {"custom",   "local",     "production",
                                                        "regional", "community", "discovered"};

// The order regions rank in after the hub's own.
constexpr std::array<std::string_view, 5> kRegions = {"global", "us-east", "us-west", "eu-west", "asia-pacific"};

// 0 for the hub's own region, then 1 + the index in kRegions, then one past them for any other or empty region.
std::size_t region_rank(std::string_view region, std::string_view own) {
    if (!own.empty() && region == own) return 0;
    const auto it = std::find(kRegions.begin(), kRegions.end(), region);
    return 1 + static_cast<std::size_t>(it - kRegions.begin());
}

}  // namespace

std::string_view tier_name(Tier tier) noexcept {
    return kTierNames[static_cast<std::size_t>(tier)];
}

std::optional<Tier> parse_tier(std::string_view name) noexcept {
    for (std::size_t i = 0; i < kTierNames.size(); ++i)
        if (kTierNames[i] == name) return static_cast<Tier>(i);
    return std::nullopt;
}

bool is_known_region(std::string_view region) noexcept {
    return std::find(kRegions.begin(), kRegions.end(), region) != kRegions.end();
}

ParsedPeers parse_peer_list(std::string_view list, std::string_view name, Tier tier, std::string_view source) {
    ParsedPeers out;
    int position = 0;
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t comma = list.find(',', start);
        if (comma == std::string_view::npos) comma = list.size();
        const std::string_view entry = trim(list.substr(start, comma - start));
        start = comma + 1;
        ++position;
        if (entry.empty()) continue;
        const std::string where = std::string(name) + " entry " + std::to_string(position);
        if (out.peers.size() == kMaxListPeers) {
            return {{}, std::string(name) + " has more than " + std::to_string(kMaxListPeers) + " entries"};
        }
        const AddressKind kind = classify_address(entry);
        if (kind != AddressKind::hub && kind != AddressKind::dht)
            return {{}, where + " " + address_problem(kind, entry)};
        Peer p;
        p.t = kind == AddressKind::hub ? "hub" : "dht";
        p.u = std::string(entry);
        p.priority = position;
        p.description = where;
        p.tier = tier;
        p.source = std::string(source);
        out.peers.push_back(std::move(p));
    }
    return out;
}

ParsedPeers parse_bootstrap_peers_from_env(std::string_view list) {
    return parse_peer_list(list, "BOOTSTRAP_PEERS", Tier::custom, "env");
}

ParsedPeers compiled_in_peers() {
    return parse_peer_list(compiled_in_bootstrap(), "the meson option production_bootstrap", Tier::production,
                           "compiled-in");
}

std::vector<Peer> get_bootstrap_peers(const Options& o) {
    std::vector<Peer> all;
    auto add = [&all](const std::vector<Peer>& list, Tier tier) {
        for (const Peer& p : list) {
            all.push_back(p);
            all.back().tier = tier;
        }
    };
    add(o.custom_peers, Tier::custom);
    const bool local = o.include_local.value_or(o.environment == "local" || o.environment == "development");
    if (local) {
        for (unsigned port = o.local_base_port; port < o.local_base_port + 3u && port <= 65535; ++port) {
            if (port == 0) continue;
            Peer p;
            p.t = "hub";
            p.u = "ws://127.0.0.1:" + std::to_string(port);
            p.description = "local hub on port " + std::to_string(port);
            p.tier = Tier::local;
            p.source = "local";
            all.push_back(std::move(p));
        }
    }
    add(o.production, Tier::production);
    add(o.regional, Tier::regional);
    add(o.community, Tier::community);
    add(o.discovered, Tier::discovered);

    // Stable: peers equal in every key (the same u twice in one list) keep the order they were given in.
    std::stable_sort(all.begin(), all.end(), [&o](const Peer& a, const Peer& b) {
        return std::forward_as_tuple(a.tier, region_rank(a.region, o.region), a.priority, a.u) <
               std::forward_as_tuple(b.tier, region_rank(b.region, o.region), b.priority, b.u);
    });
    // Sorted first, so the copy kept of a repeated u is the one that ranks first.
    std::vector<Peer> out;
    out.reserve(all.size());
    std::unordered_set<std::string> seen;
    for (Peer& p : all)
        if (seen.insert(p.u).second) out.push_back(std::move(p));
    return out;
}

}  // namespace pigeonhub::bootstrap
