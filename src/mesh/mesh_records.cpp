#include "mesh/mesh_records.h"

#include <charconv>

#include "pigeonhub/peer_id.h"
#include "pigeonhub/version.h"
#include "protocol/json.h"
#include "protocol/json_writer.h"
#include "util/siphash.h"

namespace pigeonhub::mesh {
namespace {

constexpr std::size_t kMaxRecord = 64 * 1024;

// Calls fn(key_decoded, value) for each member of a JSON object text; false if not a valid object.
template <typename Fn>
bool members(std::string_view text, Fn&& fn) {
    if (text.size() > kMaxRecord) return false;
    json::Value root;
    if (!json::validate(text, &root) || root.kind != json::Kind::object) return false;
    std::string key;
    json::for_each_member(root.raw, [&](std::string_view k, const json::Value& v) {
        json::decode_string(k, key);
        fn(key, v);
    });
    return true;
}

bool get_string(const json::Value& v, std::string& out) {
    if (v.kind != json::Kind::string) return false;
    json::decode_string(v.raw, out);
    return true;
}

std::uint64_t get_uint(const json::Value& v) {
    std::uint64_t n = 0;
    if (v.kind == json::Kind::number) std::from_chars(v.raw.data(), v.raw.data() + v.raw.size(), n);
    return n;
}

}  // namespace

std::string inbox_key(std::string_view app_id, std::string_view hub_id) {
    return "pigeonhub/" + std::string(app_id) + "/hub/" + std::string(hub_id);
}
std::string hubs_key(std::string_view app_id) { return "pigeonhub/" + std::string(app_id) + "/hubs"; }

namespace {
// A value id every hub computes alike: a fixed key, since it only has to be stable and distinct, not secret.
std::uint64_t record_id(std::string_view name) {
    std::uint64_t id = siphash24(0x7069676f6e687562ull, 0x7265636f72646964ull, name.data(), name.size());
    return id == 0 ? 1 : id;  // 0 is OpenDHT's "invalid id"
}
}  // namespace

std::uint32_t namespace_bucket(std::string_view ns, std::uint32_t buckets) {
    // A fixed key: every hub must compute the same bucket; spreading names is all it is for.
    return static_cast<std::uint32_t>(siphash24(0x7069676f6e687562ull, 0x6e616d6573706163ull, ns.data(), ns.size()) %
                                      buckets);
}

std::string presence_key(std::string_view app_id, std::string_view ns, std::uint32_t buckets) {
    if (buckets == 0) return "pigeonhub/" + std::string(app_id) + "/ns/" + std::string(ns);
    return "pigeonhub/" + std::string(app_id) + "/nsb/" + std::to_string(buckets) + "/" +
           std::to_string(namespace_bucket(ns, buckets));
}

std::uint64_t presence_page_id(std::string_view hub, std::string_view ns, std::size_t index) {
    return record_id("page/" + std::string(hub) + "/" + std::string(ns) + "/" + std::to_string(index));
}

std::uint64_t hub_record_id(std::string_view hub) { return record_id("hub/" + std::string(hub)); }

std::string encode_presence(const PresencePage& p) {
    std::string s = "{\"v\":4,\"hubId\":";
    json::append_quoted(s, p.hub_id);
    s += ",\"network\":";
    json::append_quoted(s, p.network);
    s += ",\"page\":" + std::to_string(p.page) + ",\"seq\":" + std::to_string(p.seq);
    s += ",\"peers\":[";
    for (std::size_t i = 0; i < p.peers.size(); ++i) {
        if (i) s += ',';
        s += "{\"peerId\":";
        json::append_quoted(s, p.peers[i].peer_id);
        s += ",\"data\":";
        s += p.peers[i].data;
        s += '}';
    }
    s += "]}";
    return s;
}

std::optional<PresencePage> decode_presence(std::string_view text) {
    PresencePage p;
    bool ok_hub = false, ok_net = false, ok_peers = false, ok_page = false, ok_seq = false;
    std::string_view peers_raw;
    bool valid = members(text, [&](const std::string& k, const json::Value& v) {
        if (k == "hubId") ok_hub = get_string(v, p.hub_id);
        else if (k == "network") ok_net = get_string(v, p.network);
        else if (k == "page" && v.kind == json::Kind::number) {
            const std::uint64_t page = get_uint(v);
            ok_page = page <= 0xFFFFFFFFu;
            p.page = static_cast<std::uint32_t>(page);
        } else if (k == "seq" && v.kind == json::Kind::number) {
            p.seq = get_uint(v);
            ok_seq = p.seq > 0;
        }
        else if (k == "peers" && v.kind == json::Kind::array) {
            ok_peers = true;
            peers_raw = v.raw;
        }
    });
    if (!valid || !ok_hub || !ok_net || !ok_peers || !ok_page || !ok_seq) return std::nullopt;
    // Walk the array of entries; each must be {"peerId":<valid id>,"data":{... "peerId":<the same id> ...}}.
    const char* q = peers_raw.data() + 1;
    const char* end = peers_raw.data() + peers_raw.size() - 1;
    while (q < end) {
        q = json::detail::skip_ws(q, end);
        if (q >= end || *q != '{') break;
        json::Kind kind;
        const char* e = json::detail::skip_value(q, end, &kind);
        std::string_view item(q, static_cast<std::size_t>(e - q));
        PresenceEntry entry;
        bool has_data = false;
        json::for_each_member(item, [&](std::string_view key, const json::Value& v) {
            if (json::string_equals(key, "peerId")) get_string(v, entry.peer_id);
            else if (json::string_equals(key, "data") && v.kind == json::Kind::object) {
                entry.data.assign(v.raw);
                has_data = true;
            }
        });
        bool matches = false;
        if (has_data && is_valid_peer_id(entry.peer_id)) {
            std::string data_peer;
            json::for_each_member(entry.data, [&](std::string_view key, const json::Value& v) {
                if (json::string_equals(key, "peerId")) matches = get_string(v, data_peer) && data_peer == entry.peer_id;
            });
        }
        if (matches) p.peers.push_back(std::move(entry));
        q = json::detail::skip_ws(e, end);
        if (q < end && *q == ',') ++q;
    }
    return p;
}

std::string encode_signal(const Signal& s) {
    std::string out = "{\"v\":1,\"from\":";
    json::append_quoted(out, s.from);
    out += ",\"epoch\":" + std::to_string(s.epoch) + ",\"seq\":" + std::to_string(s.seq) + ",\"to\":";
    json::append_quoted(out, s.to);
    out += ",\"network\":";
    json::append_quoted(out, s.network);
    out += ",\"msg\":";
    out += s.msg;
    out += '}';
    return out;
}

std::optional<Signal> decode_signal(std::string_view text) {
    Signal s;
    bool ok_to = false, ok_net = false, ok_msg = false;
    bool valid = members(text, [&](const std::string& k, const json::Value& v) {
        if (k == "to") ok_to = get_string(v, s.to);
        else if (k == "from") get_string(v, s.from);
        else if (k == "epoch") s.epoch = get_uint(v);
        else if (k == "seq") s.seq = static_cast<std::uint32_t>(get_uint(v));
        else if (k == "network") ok_net = get_string(v, s.network);
        else if (k == "msg" && v.kind == json::Kind::object) {
            s.msg.assign(v.raw);
            ok_msg = true;
        }
    });
    if (!valid || !ok_to || !ok_net || !ok_msg) return std::nullopt;
    return s;
}

HubRecord own_hub_record(std::string hub_id, std::string certificate, std::string page_key, const MeshOptions& options,
                         std::uint64_t capacity, std::uint64_t connections, std::uint64_t now_ms) {
    HubRecord h;
    h.hub_id = std::move(hub_id);
    h.certificate = std::move(certificate);
    h.page_key = std::move(page_key);
    h.url = options.public_url;
    h.region = options.region;
    h.version = version();
    h.connections = connections;
    h.capacity = capacity;
    h.updated_ms = now_ms;
    return h;
}

std::string encode_hub(const HubRecord& h) {
    JsonWriter w;
    w.begin_object()
        .field("v", 1)
        .field("hubId", std::string_view(h.hub_id))
        .field("url", std::string_view(h.url))
        .field("region", std::string_view(h.region))
        .field("version", std::string_view(h.version))
        .field("connections", h.connections)
        .field("capacity", h.capacity)
        .field("updated", h.updated_ms)
        .field("cert", std::string_view(h.certificate));
    if (!h.page_key.empty()) w.field("pageKey", std::string_view(h.page_key));
    if (h.withdrawn) w.field("withdrawn", true);
    w.end_object();
    return w.take();
}

std::optional<HubRecord> decode_hub(std::string_view text) {
    HubRecord h;
    bool ok = false;
    bool valid = members(text, [&](const std::string& k, const json::Value& v) {
        if (k == "hubId") ok = get_string(v, h.hub_id);
        else if (k == "url") get_string(v, h.url);
        else if (k == "region") get_string(v, h.region);
        else if (k == "version") get_string(v, h.version);
        else if (k == "connections") h.connections = get_uint(v);
        else if (k == "capacity") h.capacity = get_uint(v);
        else if (k == "updated") h.updated_ms = get_uint(v);
        else if (k == "cert") get_string(v, h.certificate);
        else if (k == "pageKey") get_string(v, h.page_key);
        else if (k == "withdrawn") h.withdrawn = v.kind == json::Kind::boolean_true;
    });
    if (!valid || !ok) return std::nullopt;
    return h;
}

}  // namespace pigeonhub::mesh
