// Fuzz target: arbitrary bytes into the bootstrap list parsers (include/pigeonhub/bootstrap.h), as a BOOTSTRAP_PEERS
// string (as given, and mapped onto an alphabet of address characters so random bytes make addresses often) and as
// a BOOTSTRAP_FILE. Asserts: a result is peers or an error, never both; every peer is a "hub" or "dht" whose u parses
// alone to the same type; a parsed file writes back (peers_to_json) to the same peers; the merged order has no
// repeated u, tiers in order, and no more peers than went in plus the three local ones.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "pigeonhub/bootstrap.h"

namespace {

using namespace pigeonhub::bootstrap;

void check(const ParsedPeers& r) {
    if (!r.error.empty() && !r.peers.empty()) std::abort();
    for (const Peer& p : r.peers) {
        if (p.t != "hub" && p.t != "dht") std::abort();
        const ParsedPeers alone = parse_bootstrap_peers_from_env(p.u);
        if (alone.peers.size() != 1 || alone.peers[0].t != p.t) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    static constexpr std::string_view kAlphabet = "ws:/h1[]:.,a9 t0:p/2:f";
    std::string mapped;
    for (unsigned char c : in) mapped += kAlphabet[c % kAlphabet.size()];

    Options o;
    o.environment = size % 2 ? "development" : "production";
    o.region = size % 3 ? "us-east" : "";
    for (std::string_view list : {in, std::string_view(mapped)}) {
        const ParsedPeers env = parse_bootstrap_peers_from_env(list);
        check(env);
        if (!env.peers.empty()) o.custom_peers = env.peers;
    }
    const ParsedPeers file = parse_peers_json(in, Tier::community, "file:fuzz");
    check(file);
    if (!file.peers.empty()) {
        if (parse_peers_json(peers_to_json(file.peers), Tier::community, "file:fuzz").peers != file.peers) std::abort();
        o.community = file.peers;
        o.discovered = file.peers;
    }

    const auto out = get_bootstrap_peers(o);
    if (out.size() > o.custom_peers.size() + 3 + o.community.size() + o.discovered.size()) std::abort();
    std::set<std::string> seen;
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (!seen.insert(out[i].u).second) std::abort();
        if (i > 0 && out[i].tier < out[i - 1].tier) std::abort();
    }
    return 0;
}
