// Bootstrap peers as JSON (include/pigeonhub/bootstrap.h): the BOOTSTRAP_FILE format in, any list out.
#include <array>
#include <string_view>

#include "bootstrap/peer_address.h"
#include "pigeonhub/bootstrap.h"
#include "protocol/json.h"
#include "protocol/json_writer.h"

namespace pigeonhub::bootstrap {
namespace {

constexpr std::uint64_t kMaxPriority = 2147483647;
constexpr std::uint64_t kMaxTimestamp = (1ull << 53) - 1;  // a JavaScript safe integer

// A JSON number that is a plain non-negative integer no larger than `max` ("1.0", "1e3", "-1" are not).
std::optional<std::uint64_t> integer(const json::Value& v, std::uint64_t max) {
    if (v.kind != json::Kind::number || v.raw.empty() || v.raw.size() > 16) return std::nullopt;
    std::uint64_t n = 0;
    for (char c : v.raw) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (n > max) return std::nullopt;
    return n;
}

// The members a peer object may carry; each may appear once.
constexpr std::array<std::string_view, 8> kMembers = {"t",           "u",         "region",    "priority",
                                                      "description", "publicKey", "signature", "timestamp"};

// One peer object, or the problem ("u is missing"), without the "peers[i]." prefix.
std::string parse_peer(const json::Value& v, Peer& p) {
    if (v.kind != json::Kind::object) return "is not an object";
    std::array<bool, kMembers.size()> seen{};
    std::string problem, t, name;
    bool has_u = false;
    json::for_each_member(v.raw, [&](std::string_view key, const json::Value& m) {
        if (!problem.empty()) return;
        json::decode_string(key, name);
        std::size_t i = 0;
        while (i < kMembers.size() && kMembers[i] != name) ++i;
        if (i == kMembers.size()) return;  // tier, source and anything else: ignored
        if (seen[i]) {
            problem = name + " appears twice";
            return;
        }
        seen[i] = true;
        if (name == "priority" || name == "timestamp") {
            const bool is_priority = name == "priority";
            const auto n = integer(m, is_priority ? kMaxPriority : kMaxTimestamp);
            if (!n)
                problem = name + " must be an integer 0.." + std::to_string(is_priority ? kMaxPriority : kMaxTimestamp);
            else if (is_priority)
                p.priority = static_cast<int>(*n);
            else
                p.timestamp = *n;
            return;
        }
        if (m.kind != json::Kind::string) {
            problem = name + " must be a string";
            return;
        }
        // In kMembers' order; priority and timestamp were taken above.
        std::string* const strings[] = {&t, &p.u, &p.region, nullptr, &p.description, &p.public_key, &p.signature};
        json::decode_string(m.raw, *strings[i]);
        has_u = has_u || name == "u";
    });
    if (!problem.empty()) return problem;
    if (!has_u) return "u is missing";
    const AddressKind kind = classify_address(p.u);
    if (kind != AddressKind::hub && kind != AddressKind::dht) return "u " + address_problem(kind, p.u);
    p.t = kind == AddressKind::hub ? "hub" : "dht";
    if (seen[0]) {
        // The seed wrote the URL's scheme as the type.
        const bool hub_type = t == "hub" || t == "ws" || t == "wss" || t == "http" || t == "https";
        if (t != p.t && !(hub_type && kind == AddressKind::hub)) {
            return "t '" + t + "' does not match u '" + p.u + "' (a " +
                   (kind == AddressKind::hub ? "hub URL: t is hub" : "DHT node: t is dht") + ")";
        }
    }
    return {};
}

}  // namespace

std::string peers_to_json(const std::vector<Peer>& peers) {
    JsonWriter w;
    w.begin_array();
    for (const Peer& p : peers) {
        w.begin_object()
            .field("t", std::string_view(p.t))
            .field("u", std::string_view(p.u))
            .field("region", std::string_view(p.region))
            .field("priority", p.priority)
            .field("description", std::string_view(p.description));
        if (!p.public_key.empty()) w.field("publicKey", std::string_view(p.public_key));
        if (!p.signature.empty()) w.field("signature", std::string_view(p.signature));
        if (p.timestamp != 0) w.field("timestamp", p.timestamp);
        w.field("tier", tier_name(p.tier)).field("source", std::string_view(p.source)).end_object();
    }
    w.end_array();
    return w.take();
}

ParsedPeers parse_peers_json(std::string_view text, Tier tier, std::string source) {
    auto fail = [&source](const std::string& what) { return ParsedPeers{{}, source + ": " + what}; };
    if (text.size() > kMaxJsonBytes) return fail("longer than " + std::to_string(kMaxJsonBytes) + " bytes");
    json::Value root;
    if (!json::validate(text, &root)) return fail("not valid JSON");
    json::Value list = root;
    if (root.kind == json::Kind::object) {
        list = {};
        json::for_each_member(root.raw, [&list](std::string_view key, const json::Value& v) {
            if (json::string_equals(key, "peers")) list = v;
        });
    }
    if (list.kind != json::Kind::array) return fail("not a JSON array of peers, nor an object with a \"peers\" array");

    ParsedPeers out;
    std::string problem;
    json::for_each_element(list.raw, [&](const json::Value& v) {
        if (!problem.empty()) return;
        const std::string where = "peers[" + std::to_string(out.peers.size()) + "]";
        if (out.peers.size() == kMaxListPeers) {
            problem = "more than " + std::to_string(kMaxListPeers) + " peers";
            return;
        }
        Peer p;
        if (std::string why = parse_peer(v, p); !why.empty()) {
            problem = where + (why.starts_with("is ") ? " " : ".") + why;
            return;
        }
        p.tier = tier;
        p.source = source;
        out.peers.push_back(std::move(p));
    });
    if (!problem.empty()) return fail(problem);
    return out;
}

}  // namespace pigeonhub::bootstrap
