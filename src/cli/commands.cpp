#include "cli/commands.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

#include "cli/cli_format.h"
#include "cli/cli_parse.h"
#include "cli/monitor_table.h"
#include "data/data_lifetime.h"
#include "data/data_record.h"
#include "pigeonhub/peer_id.h"
#include "protocol/json_writer.h"
#include "util/clock.h"

namespace pigeonhub::cli {
namespace {

using std::chrono::milliseconds;

void out(const std::string& s) {
    std::fputs(s.c_str(), stdout);
    std::fflush(stdout);
}

int fail(int code, const std::string& why) {
    std::fprintf(stderr, "pigeonhub: %s\n", why.c_str());
    return code;
}

std::int64_t steady_ms() {
    return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

milliseconds wait_of(const Session& s) { return milliseconds(static_cast<long>(s.global().wait_seconds * 1000)); }

// The hub base URL of --hub, or nullopt (and a message) when it is malformed.
std::optional<std::string> hub_url(const Session& s) {
    auto url = hub_base_url(s.global().hub);
    if (!url) std::fprintf(stderr, "pigeonhub: --hub must be http://host:port, got \"%s\"\n", s.global().hub.c_str());
    return url;
}

struct Context {
    Session& s;
    const Args& a;
    bool json;
};

std::optional<DhtKey> key_of(const Context& c) {
    std::string error;
    auto k = parse_key(c.s.global().app_id, c.s.global().namespace_buckets, c.a.key, &error);
    if (!k) fail(kExitUsage, "bad key: " + error);
    return k;
}

int cmd_get(Context c) {
    auto key = key_of(c);
    if (!key) return kExitUsage;
    auto* dht = c.s.dht();
    if (!dht) return c.s.dht_error();
    const auto values = dht->get(*key, wait_of(c.s));
    for (const auto& v : values) out(format_value(v, c.json));
    return values.empty() ? fail(kExitNotFound, "no value") : kExitOk;
}

int cmd_put(Context c) {
    auto key = key_of(c);
    if (!key) return kExitUsage;
    auto* dht = c.s.dht();
    if (!dht) return c.s.dht_error();
    if (!dht->put(*key, c.a.value, c.a.sign, 0, wait_of(c.s))) return fail(kExitNotFound, "put failed");
    out(c.json ? "{\"stored\":true}\n" : "stored\n");
    return kExitOk;
}

// Values reach the main thread through this queue (the listen callback runs on OpenDHT's thread).
struct ValueQueue {
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<RawValue> values;
};

int cmd_listen(Context c) {
    auto key = key_of(c);
    if (!key) return kExitUsage;
    auto* dht = c.s.dht();
    if (!dht) return c.s.dht_error();
    auto queue = std::make_shared<ValueQueue>();
    const auto token = dht->listen(*key, [queue](const RawValue& v) {
        {
            std::lock_guard<std::mutex> lock(queue->mutex);
            queue->values.push_back(v);
        }
        queue->cv.notify_one();
    });
    const auto start = std::chrono::steady_clock::now();
    const auto until = start + milliseconds(static_cast<long>(c.a.timeout * 1000));
    unsigned seen = 0;
    while (!c.s.interrupted() && (c.a.count == 0 || seen < c.a.count)) {
        if (c.a.timeout > 0 && std::chrono::steady_clock::now() >= until) break;
        std::unique_lock<std::mutex> lock(queue->mutex);
        queue->cv.wait_for(lock, milliseconds(100), [&] { return !queue->values.empty(); });
        while (!queue->values.empty() && (c.a.count == 0 || seen < c.a.count)) {
            const RawValue v = std::move(queue->values.front());
            queue->values.pop_front();
            out(format_value(v, c.json));
            if (!v.expired) ++seen;
        }
    }
    dht->cancel_listen(token);
    if (c.a.count > 0 && seen < c.a.count)
        return fail(kExitNotFound, std::to_string(seen) + " of " + std::to_string(c.a.count) + " values came");
    return kExitOk;
}

int cmd_info(Context c) {
    auto* dht = c.s.dht();
    if (!dht) return c.s.dht_error();
    const auto i = dht->info();
    if (c.json) {
        JsonWriter w;
        w.begin_object()
            .field("nodeId", i.node_id)
            .field("publicKeyId", i.public_key_id)
            .field("port", static_cast<unsigned>(i.port))
            .field("connected", i.connected)
            .field("goodNodes", i.good)
            .field("totalNodes", i.good + i.dubious)
            .field("dubiousNodes", i.dubious)
            .field("cachedNodes", i.cached)
            .field("incomingNodes", i.incoming)
            .field("tableDepth", i.table_depth)
            .field("searches", i.searches)
            .field("storedValues", static_cast<std::uint64_t>(i.stored_values))
            .field("storedBytes", static_cast<std::uint64_t>(i.stored_bytes))
            .end_object();
        out(w.take() + '\n');
        return kExitOk;
    }
    char buf[1024];
    std::snprintf(buf, sizeof buf,
                  "node id        %s\npublic key id  %s\nport           %u (IPv4)\nconnected      %s\n"
                  "nodes          %u good, %u total (%u dubious), %u cached, %u incoming\n"
                  "routing table  depth %u, %u searches\nstored values  %zu (%zu bytes)\n",
                  i.node_id.c_str(), i.public_key_id.c_str(), i.port, i.connected ? "yes" : "no", i.good,
                  i.good + i.dubious, i.dubious, i.cached, i.incoming, i.table_depth, i.searches, i.stored_values,
                  i.stored_bytes);
    out(buf);
    return kExitOk;
}

int cmd_peers(Context c) {
    std::vector<PresencePeer> peers;
    if (!c.s.global().hub.empty()) {
        auto base = hub_url(c.s);
        if (!base) return kExitUsage;
        auto r = c.s.http().get(*base + "/peers?network=" + encode_path_segment(c.a.name) + "&limit=1000", wait_of(c.s));
        if (r.status != 200) return fail(kExitNotFound, "GET /peers: " + (r.status ? "HTTP " + std::to_string(r.status) : r.error));
        auto parsed = peers_from_http(r.body);
        if (!parsed) return fail(kExitNotFound, "GET /peers: unexpected answer");
        peers = std::move(*parsed);
    } else {
        auto* dht = c.s.dht();
        if (!dht) return c.s.dht_error();
        // Pages are checked with the page keys of the hubs' records, so those first.
        const auto hubs = hubs_from_values(dht->get(DhtKey{mesh::hubs_key(c.s.global().app_id)}, wait_of(c.s)));
        const std::string key = mesh::presence_key(c.s.global().app_id, c.a.name, c.s.global().namespace_buckets);
        peers = peers_from_pages(dht->get(DhtKey{key}, wait_of(c.s)), c.a.name, key, hubs);
    }
    out(format_peers(peers, c.a.name, c.json));
    return peers.empty() ? fail(kExitNotFound, "no peers in " + c.a.name) : kExitOk;
}

int cmd_hubs(Context c) {
    std::vector<mesh::HubRecord> hubs;
    if (!c.s.global().hub.empty()) {
        auto base = hub_url(c.s);
        if (!base) return kExitUsage;
        auto r = c.s.http().get(*base + "/hubs", wait_of(c.s));
        if (r.status != 200) return fail(kExitNotFound, "GET /hubs: " + (r.status ? "HTTP " + std::to_string(r.status) : r.error));
        auto parsed = hubs_from_http(r.body);
        if (!parsed) return fail(kExitNotFound, "GET /hubs: unexpected answer");
        hubs = std::move(*parsed);
    } else {
        auto* dht = c.s.dht();
        if (!dht) return c.s.dht_error();
        hubs = hubs_from_values(dht->get(DhtKey{mesh::hubs_key(c.s.global().app_id)}, wait_of(c.s)));
    }
    out(format_hubs(hubs, c.json));
    return hubs.empty() ? fail(kExitNotFound, "no hubs") : kExitOk;
}

int cmd_publish(Context c) {
    std::string problem;
    auto canonical = data::canonical_json(c.a.data, &problem);
    if (!canonical) return fail(kExitUsage, "the data is not acceptable JSON: " + problem);
    if (c.a.name.empty() || c.a.name.size() > data::kMaxTopicBytes) return fail(kExitUsage, "topic must be 1 to 256 bytes");
    if (!c.s.global().hub.empty()) {
        auto base = hub_url(c.s);
        if (!base) return kExitUsage;
        std::string body = "{\"topic\":";
        data::append_js_string(body, c.a.name);
        body += ",\"data\":" + *canonical + ",\"ttl\":" + std::to_string(c.a.ttl) + '}';
        auto r = c.s.http().post(*base + "/api/publish", std::move(body), wait_of(c.s));
        if (r.status != 201)
            return fail(kExitNotFound, "POST /api/publish: " + (r.status ? "HTTP " + std::to_string(r.status) + " " + r.body : r.error));
        out(c.json ? r.body + '\n' : "published " + json_string(r.body, "publicKey").value_or("") + '\n');
        return kExitOk;
    }
    // DHT side: the record is signed by a key made for this run, as a client-signed /api/publish would be.
    auto* dht = c.s.dht();
    if (!dht) return c.s.dht_error();
    const auto key = data::Ed25519Key::generate();
    data::Record r;
    r.topic = c.a.name;
    r.data = *canonical;
    r.seq = static_cast<std::uint64_t>(wall_clock_ms());
    r.published = r.seq;
    r.expires = r.seq + static_cast<std::uint64_t>(c.a.ttl) * 1000;
    data::sign(r, key);
    if (!dht->put(DhtKey{data_key(c.s.global().app_id, r.topic)}, data::encode(r), false,
                  data::lifetime_class(std::chrono::seconds(c.a.ttl)).value_type, wait_of(c.s)))
        return fail(kExitNotFound, "put failed");
    out(c.json ? data::encode(r) + '\n' : "published " + r.public_key + '\n');
    return kExitOk;
}

int cmd_find(Context c) {
    std::string body;
    if (!c.s.global().hub.empty()) {
        auto base = hub_url(c.s);
        if (!base) return kExitUsage;
        auto r = c.s.http().get(*base + "/api/find/" + encode_path_segment(c.a.name), wait_of(c.s));
        if (r.status != 200) return fail(kExitNotFound, "GET /api/find: " + (r.status ? "HTTP " + std::to_string(r.status) : r.error));
        body = std::move(r.body);
    } else {
        auto* dht = c.s.dht();
        if (!dht) return c.s.dht_error();
        body = find_body(dht->get(DhtKey{data_key(c.s.global().app_id, c.a.name)}, wait_of(c.s)), c.a.name,
                         wall_clock_ms());
    }
    std::size_t count = 0;
    auto text = format_find(body, c.json, &count);
    if (!text) return fail(kExitNotFound, "unexpected answer to find");
    out(*text);
    return count ? kExitOk : fail(kExitNotFound, "no records for " + c.a.name);
}

int cmd_gen_peer_id(Context c) {
    const auto id = generate_peer_id();
    out(c.json ? "{\"peerId\":\"" + id + "\"}\n" : id + '\n');
    return kExitOk;
}

// The base URLs of health/monitor: the arguments, else --hub.
std::optional<std::vector<std::string>> urls_of(const Context& c) {
    std::vector<std::string> in = c.a.urls;
    if (in.empty() && !c.s.global().hub.empty()) in.push_back(c.s.global().hub);
    if (in.empty()) {
        fail(kExitUsage, "give hub URLs (or --hub)");
        return std::nullopt;
    }
    std::vector<std::string> urls;
    for (const auto& u : in) {
        auto base = hub_base_url(u);
        if (!base) {
            fail(kExitUsage, "not a hub URL (http://host:port): " + u);
            return std::nullopt;
        }
        urls.push_back(*base);
    }
    return urls;
}

int cmd_health(Context c) {
    auto urls = urls_of(c);
    if (!urls) return kExitUsage;
    std::vector<std::string> targets;
    for (const auto& u : *urls) targets.push_back(u + "/health");
    const auto results = c.s.http().get_all(targets, wait_of(c.s));
    std::vector<Health> hubs;
    bool all = true;
    for (std::size_t i = 0; i < urls->size(); ++i) {
        hubs.push_back(Health{(*urls)[i], results[i].status, results[i].error, results[i].body});
        all = all && healthy(hubs.back());
    }
    out(format_health(hubs, c.json));
    return all ? kExitOk : kExitNotFound;
}

int cmd_monitor(Context c) {
    auto urls = urls_of(c);
    if (!urls) return kExitUsage;
    std::vector<std::string> targets;
    for (const auto& u : *urls) {
        targets.push_back(u + "/health");
        targets.push_back(u + "/stats");
    }
    std::vector<HubSample> before;
    const auto interval = milliseconds(static_cast<long>(c.a.interval * 1000));
    for (;;) {
        const auto results = c.s.http().get_all(targets, std::min(interval, milliseconds(2000)));
        const auto now = steady_ms();
        std::vector<HubSample> samples;
        for (std::size_t i = 0; i < urls->size(); ++i) {
            const auto& h = results[2 * i];
            const auto& st = results[2 * i + 1];
            samples.push_back(parse_sample((*urls)[i], h.status, h.body, st.status, st.body, now));
        }
        if (c.json) out(format_table_json(samples, before));
        else out((c.a.once ? std::string() : std::string("\x1b[H\x1b[2J")) + format_table(samples, before));
        if (c.a.once) return kExitOk;
        before = std::move(samples);
        const auto until = std::chrono::steady_clock::now() + interval;
        while (std::chrono::steady_clock::now() < until) {
            if (c.s.interrupted()) return kExitOk;
            std::this_thread::sleep_for(milliseconds(50));
        }
    }
}

using Runner = int (*)(Context);
struct Entry {
    Command command;
    Runner run;
};
const Entry kRunners[] = {
    {Command::get, cmd_get},       {Command::put, cmd_put},         {Command::listen, cmd_listen},
    {Command::info, cmd_info},     {Command::peers, cmd_peers},     {Command::hubs, cmd_hubs},
    {Command::publish, cmd_publish}, {Command::find, cmd_find},     {Command::gen_peer_id, cmd_gen_peer_id},
    {Command::health, cmd_health}, {Command::monitor, cmd_monitor},
};

}  // namespace

Session::Session(GlobalOptions global, const std::atomic<bool>& interrupted)
    : global_(std::move(global)), interrupted_(interrupted) {}

DhtClient* Session::dht() {
    if (dht_) return dht_.get();
    if (global_.bootstrap.empty()) {
        dht_error_ = fail(kExitUsage, "this needs the DHT: give --bootstrap host:port (a hub's DHT_PORT)");
        return nullptr;
    }
    try {
        dht_ = std::make_unique<DhtClient>(
            DhtClientConfig{global_.bind, global_.port, global_.bootstrap, global_.network});
    } catch (const std::exception& e) {
        dht_error_ = fail(kExitNotFound, e.what());
        return nullptr;
    }
    if (!dht_->wait_connected(wait_of(*this))) fail(kExitNotFound, "not connected to the DHT yet; trying anyway");
    return dht_.get();
}

int run_command(Session& session, Command command, const Args& args, bool json) {
    for (const auto& e : kRunners)
        if (e.command == command) return e.run(Context{session, args, json});
    return kExitUsage;
}

}  // namespace pigeonhub::cli
