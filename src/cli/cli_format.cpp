#include "cli/cli_format.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "data/data_record.h"
#include "data/record_store.h"
#include "mesh/page_signature.h"
#include "protocol/json.h"
#include "protocol/json_writer.h"
#include "util/hex.h"
#include "util/utf8.h"

namespace pigeonhub::cli {

std::optional<std::string_view> json_raw(std::string_view object, std::string_view name) {
    json::Value top;
    if (!json::validate(object, &top) || top.kind != json::Kind::object) return std::nullopt;
    std::optional<std::string_view> found;
    json::for_each_member(top.raw, [&](std::string_view k, const json::Value& v) {
        if (!found && json::string_equals(k, name)) found = v.raw;
    });
    return found;
}

std::optional<std::string> json_string(std::string_view object, std::string_view name) {
    auto raw = json_raw(object, name);
    if (!raw || raw->empty() || raw->front() != '"') return std::nullopt;
    std::string out;
    json::decode_string(*raw, out);
    return out;
}

std::optional<std::uint64_t> json_uint(std::string_view object, std::string_view name) {
    auto raw = json_raw(object, name);
    if (!raw || raw->empty() || raw->front() == '"' || raw->front() == '{' || raw->front() == '[') return std::nullopt;
    std::uint64_t v = 0;
    for (char c : *raw) {
        if (c < '0' || c > '9') return std::uint64_t{0};
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
}

namespace {

std::string hex64(std::uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string to_hex(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += hex::kDigits[c >> 4];
        out += hex::kDigits[c & 15];
    }
    return out;
}

// The elements of the array member `name` of a JSON object; nullopt when absent or not an array.
std::optional<std::vector<std::string_view>> array_member(std::string_view object, std::string_view name) {
    auto raw = json_raw(object, name);
    if (!raw || raw->empty() || raw->front() != '[') return std::nullopt;
    std::vector<std::string_view> out;
    json::for_each_element(*raw, [&](const json::Value& v) { out.push_back(v.raw); });
    return out;
}

}  // namespace

std::string format_value(const RawValue& v, bool as_json) {
    const bool text = is_valid_utf8(v.data);
    if (!as_json) {
        std::string line = hex64(v.id) + ' ' + (v.owner.empty() ? "-" : v.owner) + ' ';
        line += text ? v.data : "<" + std::to_string(v.data.size()) + " bytes>";
        if (v.expired) line += " (expired)";
        return line + '\n';
    }
    JsonWriter w;
    w.begin_object().field("id", hex64(v.id));
    if (v.owner.empty()) w.key("owner").null();
    else w.field("owner", v.owner);
    if (text) w.field("data", v.data);
    else w.field("dataHex", to_hex(v.data));
    w.field("expired", v.expired).end_object();
    return w.take() + '\n';
}

std::vector<PresencePeer> peers_from_pages(const std::vector<RawValue>& values, std::string_view ns,
                                           std::string_view dht_key, const std::vector<mesh::HubRecord>& hubs) {
    std::map<std::string, mesh::PageKey, std::less<>> keys;
    for (const auto& h : hubs)
        if (auto k = mesh::page_key_from_hex(h.page_key)) keys.emplace(h.hub_id, *k);
    // (hub, page) -> newest page
    std::map<std::pair<std::string, std::uint32_t>, mesh::PresencePage> pages;
    for (const auto& v : values) {
        if (v.expired) continue;
        auto page = mesh::decode_presence(v.data);
        if (!page || page->network != ns) continue;
        auto signer = keys.find(page->hub_id);
        if (signer == keys.end() || !mesh::verify_page(dht_key, v.data, signer->second)) continue;
        auto key = std::make_pair(page->hub_id, page->page);
        auto it = pages.find(key);
        if (it == pages.end()) pages.emplace(key, std::move(*page));
        else if (page->seq > it->second.seq) it->second = std::move(*page);
    }
    std::map<std::string, std::pair<std::uint64_t, PresencePeer>> peers;  // by id: (seq of the page, peer)
    for (const auto& [key, page] : pages)
        for (const auto& e : page.peers) {
            auto it = peers.find(e.peer_id);
            if (it != peers.end() && it->second.first >= page.seq) continue;
            peers[e.peer_id] = {page.seq, PresencePeer{e.peer_id, page.hub_id, e.data}};
        }
    std::vector<PresencePeer> out;
    out.reserve(peers.size());
    for (auto& [id, p] : peers) out.push_back(std::move(p.second));
    return out;
}

std::optional<std::vector<PresencePeer>> peers_from_http(std::string_view body) {
    auto list = array_member(body, "peers");
    if (!list) return std::nullopt;
    std::vector<PresencePeer> out;
    for (auto item : *list) {
        PresencePeer p;
        p.peer_id = json_string(item, "peerId").value_or("");
        p.hub_id = json_string(item, "hubId").value_or("");
        if (auto d = json_raw(item, "data")) p.data = std::string(*d);
        if (!p.peer_id.empty()) out.push_back(std::move(p));
    }
    return out;
}

std::string format_peers(const std::vector<PresencePeer>& peers, std::string_view ns, bool as_json) {
    if (as_json) {
        std::string s = "{\"network\":";
        json::append_quoted(s, ns);
        s += ",\"total\":" + std::to_string(peers.size()) + ",\"peers\":[";
        for (std::size_t i = 0; i < peers.size(); ++i) {
            if (i) s += ',';
            s += "{\"peerId\":";
            json::append_quoted(s, peers[i].peer_id);
            if (!peers[i].hub_id.empty()) {
                s += ",\"hubId\":";
                json::append_quoted(s, peers[i].hub_id);
            }
            s += ",\"data\":" + (peers[i].data.empty() ? std::string("null") : peers[i].data) + '}';
        }
        return s + "]}\n";
    }
    std::string s;
    for (const auto& p : peers) s += p.peer_id + (p.hub_id.empty() ? "" : "  hub " + p.hub_id) + '\n';
    return s;
}

std::vector<mesh::HubRecord> hubs_from_values(const std::vector<RawValue>& values) {
    std::map<std::string, mesh::HubRecord> hubs;
    for (const auto& v : values) {
        if (v.expired) continue;
        auto h = mesh::decode_hub(v.data);
        if (!h || h->hub_id != v.owner) continue;
        auto it = hubs.find(h->hub_id);
        if (it == hubs.end() || h->updated_ms > it->second.updated_ms) hubs[h->hub_id] = std::move(*h);
    }
    std::vector<mesh::HubRecord> out;
    for (auto& [id, h] : hubs)
        if (!h.withdrawn) out.push_back(std::move(h));  // its newest record says it left (as /hubs leaves it out)
    return out;
}

std::optional<std::vector<mesh::HubRecord>> hubs_from_http(std::string_view body) {
    auto list = array_member(body, "hubs");
    if (!list) return std::nullopt;
    std::vector<mesh::HubRecord> out;
    for (auto item : *list) {
        mesh::HubRecord h;
        h.hub_id = json_string(item, "hubId").value_or("");
        h.url = json_string(item, "url").value_or("");
        h.region = json_string(item, "region").value_or("");
        h.version = json_string(item, "version").value_or("");
        h.connections = json_uint(item, "connections").value_or(0);
        h.capacity = json_uint(item, "capacity").value_or(0);
        out.push_back(std::move(h));
    }
    return out;
}

std::string format_hubs(const std::vector<mesh::HubRecord>& hubs, bool as_json) {
    if (as_json) {
        JsonWriter w;
        w.begin_object().field("totalHubs", static_cast<std::uint64_t>(hubs.size())).key("hubs").begin_array();
        for (const auto& h : hubs)
            w.begin_object()
                .field("hubId", h.hub_id)
                .field("url", h.url)
                .field("region", h.region)
                .field("version", h.version)
                .field("connections", h.connections)
                .field("capacity", h.capacity)
                .end_object();
        w.end_array().end_object();
        return w.take() + '\n';
    }
    std::string s;
    char line[512];
    std::snprintf(line, sizeof line, "%-40s  %-30s  %-10s  %8s  %8s\n", "hub", "url", "region", "conns", "capacity");
    s += line;
    for (const auto& h : hubs) {
        std::snprintf(line, sizeof line, "%-40s  %-30s  %-10s  %8llu  %8llu\n", h.hub_id.c_str(),
                      h.url.empty() ? "-" : h.url.c_str(), h.region.empty() ? "-" : h.region.c_str(),
                      static_cast<unsigned long long>(h.connections), static_cast<unsigned long long>(h.capacity));
        s += line;
    }
    return s;
}

std::string find_body(const std::vector<RawValue>& values, std::string_view topic, std::int64_t now_ms,
                      std::size_t* count) {
    data::RecordStore store;
    for (const auto& v : values) {
        if (v.expired) continue;
        auto parsed = data::parse_record(v.data);
        if (!parsed.record || parsed.record->topic != topic) continue;
        if (parsed.record->published == 0) parsed.record->published = static_cast<std::uint64_t>(now_ms);
        store.put(std::move(*parsed.record), now_ms, true);
    }
    const auto records = store.find(topic, now_ms);
    if (count) *count = records.size();
    return data::encode_find(topic, records);
}

std::optional<std::string> format_find(std::string_view body, bool as_json, std::size_t* count) {
    auto list = array_member(body, "records");
    if (!list) return std::nullopt;
    if (count) *count = list->size();
    if (as_json) return std::string(body) + '\n';
    std::string s;
    for (auto item : *list) {
        auto parsed = data::parse_record(item);
        if (!parsed.record) continue;
        s += parsed.record->public_key + " seq=" + std::to_string(parsed.record->seq) + ' ' + parsed.record->data + '\n';
    }
    return s;
}

bool healthy(const Health& h) {
    return h.http_status == 200 && json_string(h.body, "status").value_or("") == "healthy";
}

std::string format_health(const std::vector<Health>& hubs, bool as_json) {
    if (as_json) {
        JsonWriter w;
        w.begin_array();
        for (const auto& h : hubs) {
            w.begin_object().field("url", h.url).field("healthy", healthy(h)).field("httpStatus", h.http_status);
            if (h.http_status) w.field("status", json_string(h.body, "status").value_or(""));
            if (auto r = json_string(h.body, "reason")) w.field("reason", *r);
            if (!h.error.empty()) w.field("error", h.error);
            w.end_object();
        }
        w.end_array();
        return w.take() + '\n';
    }
    std::string s;
    for (const auto& h : hubs) {
        s += h.url + ' ';
        if (h.http_status == 0) s += "unreachable " + h.error;
        else if (healthy(h)) s += "healthy";
        else s += "unhealthy " + json_string(h.body, "reason").value_or("HTTP " + std::to_string(h.http_status));
        s += '\n';
    }
    return s;
}

}  // namespace pigeonhub::cli
