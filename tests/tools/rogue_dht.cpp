// A hostile DHT participant for tests/integration/rogue_dht.test.mjs: an OpenDHT 2.4.12 node (DhtRunner) joined to
// a hub mesh on loopback that writes junk on every key the hubs read, replays their genuine values, floods presence
// pages as a member hub, and sends raw listen requests carrying filters OpenDHT 2.4.12 cannot encode. Test-only:
// built in tests/meson.build, never installed.
//
//   rogue_dht --bootstrap 127.0.0.1:PORT [--network N] [--app-id APP] [--buckets K] [--namespace NS]... [--hub HUBID]...
//             [--topic TOPIC] [--count N] [--replay-after-ms MS]
//             [--member CA_DIR STATE_DIR --flood N --flood-namespace NS]
//             [--raw-listen HOST:PORT]
//
// Junk (each key: presence of every --namespace, the inbox of every --hub, the hubs key, the data key of --topic,
// the bootstrap announcement key), `count` values per key, in turns: random bytes (no JSON, no msgpack), records of
// the right shape with wrong types, oversized values (60,000 bytes: under OpenDHT's 64 KiB value limit, over the
// hubs' 48 KB page budget), well-formed records signed by this node (no member), and on inboxes values encrypted to
// the hub (garbage, a link-key message and a key request from a non-member).
// Replays: every value seen on those keys in the first 3 s (listened, before any junk) is put again, same bytes and signature under a
// new value id, `replay-after-ms` after start (genuine pages and hub records the hubs have replaced by then).
// Member flood (--member): issues this node a member identity from the mesh CA in CA_DIR (as pigeonhubd
// --mesh-ca-issue), publishes a hub record with its certificate and an Ed25519 page key, then puts `flood` edits of
// its presence page in the flood namespace as fast as OpenDHT takes them, each listing one more fake peer.
// Raw listens (--raw-listen): UDP datagrams shaped as OpenDHT listen requests whose query holds a Where filter on
// `seq` (FieldValue f=4, which 2.4.12 can neither pack nor unpack), on an unknown field, with a wrongly typed value,
// and a Where that is no array.
//
// Prints one line "ready <public key id>" once joined, then one JSON line of counts at the end; exit 0, or 2 on
// bad arguments, 1 if the DHT could not be joined.
#include <opendht.h>
#include <msgpack.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <cstdio>
#include <cstring>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "data/data_record.h"
#include "mesh/identity_store.h"
#include "mesh/mesh_ca.h"
#include "mesh/mesh_records.h"
#include "mesh/page_signature.h"

using namespace std::chrono_literals;

namespace {

struct Args {
    std::string bootstrap;
    std::uint32_t network = 0;
    std::string app = "pigeonhub";
    std::uint32_t buckets = pigeonhub::MeshOptions{}.namespace_buckets;  // MESH_NAMESPACE_BUCKETS of the hubs
    std::vector<std::string> namespaces, hubs;
    std::string topic;
    int count = 1000;
    int replay_after_ms = -1;
    std::string ca_dir, state_dir, flood_ns;
    int flood = 0;
    std::string raw_listen;
    int oversized_every = 40;  // one junk value in this many is oversized (0: none)
    std::string bind = "127.0.0.2";  // another loopback address than the hubs' (see main)
};

bool parse(int argc, char** argv, Args& a) {
    for (int i = 1; i < argc; ++i) {
        std::string k = argv[i];
        auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        const char* v = nullptr;
        if (k == "--member") {
            const char* d = next();
            const char* s = next();
            if (!d || !s) return false;
            a.ca_dir = d;
            a.state_dir = s;
            continue;
        }
        if (!(v = next())) return false;
        if (k == "--bootstrap") a.bootstrap = v;
        else if (k == "--network") a.network = static_cast<std::uint32_t>(std::stoul(v));
        else if (k == "--app-id") a.app = v;
        else if (k == "--buckets") a.buckets = static_cast<std::uint32_t>(std::stoul(v));
        else if (k == "--namespace") a.namespaces.push_back(v);
        else if (k == "--hub") a.hubs.push_back(v);
        else if (k == "--topic") a.topic = v;
        else if (k == "--count") a.count = std::stoi(v);
        else if (k == "--replay-after-ms") a.replay_after_ms = std::stoi(v);
        else if (k == "--flood") a.flood = std::stoi(v);
        else if (k == "--flood-namespace") a.flood_ns = v;
        else if (k == "--raw-listen") a.raw_listen = v;
        else if (k == "--oversized-every") a.oversized_every = std::stoi(v);
        else if (k == "--bind") a.bind = v;
        else return false;
    }
    return !a.bootstrap.empty();
}

std::pair<std::string, std::string> host_port(const std::string& hp) {
    auto c = hp.rfind(':');
    return {hp.substr(0, c), hp.substr(c + 1)};
}

// Puts in flight are bounded so that the node's own queues stay small; counts what OpenDHT reports.
struct Puts {
    std::atomic<int> in_flight{0}, done{0}, failed{0};
    std::mutex m;
    std::condition_variable cv;
    dht::DoneCallbackSimple cb() {
        ++in_flight;
        return [this](bool ok) {
            ++done;
            if (!ok) ++failed;
            --in_flight;
            cv.notify_all();
        };
    }
    void wait_below(int n) {
        std::unique_lock<std::mutex> lock(m);
        cv.wait_for(lock, 30s, [&] { return in_flight.load() < n; });
    }
};

std::shared_ptr<dht::Value> value_of(const std::string& s) {
    return std::make_shared<dht::Value>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

// The junk value number `i` for a key of `kind`.
std::string junk(const std::string& kind, int i, std::mt19937_64& rng, int oversized_every) {
    switch (i % 4) {
    case 0: {  // bytes: neither JSON nor msgpack of anything the hubs read
        std::string s(1 + rng() % 300, '\0');
        for (auto& c : s) c = static_cast<char>(rng());
        return s;
    }
    case 1:  // the right shape, the wrong types
        if (kind == "presence")
            return R"({"v":4,"hubId":12,"network":["x"],"page":"zero","seq":-1,"peers":{"a":1},"sig":false})";
        if (kind == "hubs") return R"({"v":1,"hubId":null,"url":7,"updated":"now","cert":[],"pageKey":{}})";
        if (kind == "data") return R"({"topic":1,"seq":"x","expires":[],"data":null,"sig":2,"key":true})";
        if (kind == "bootstrap") return R"({"v":"1","hubId":[],"dht":"nope","sig":0})";
        return R"({"v":1,"from":0,"epoch":"e","seq":[],"to":{},"network":1,"msg":"text"})";
    case 2:
        if (oversized_every > 0 && i % oversized_every == 2) return std::string(60000, '{');  // oversized: 60 KB
        return "{\"v\":4,\"hubId\":\"" + std::string(40, 'e') + "\",\"network\":\"" + std::to_string(i) +
               "\",\"page\":0,\"seq\":" + std::to_string(i) + ",\"peers\":[],\"sig\":\"" + std::string(128, '0') + "\"}";
    default:  // deep nesting, past the hubs' 64 levels
        return std::string(200, '[') + std::string(200, ']');
    }
}

// An OpenDHT listen request (network_engine.cpp, sendListen) whose query carries `where`, packed by hand.
std::string raw_listen(const dht::InfoHash& id, const dht::InfoHash& key, std::uint32_t network,
                       const std::function<void(msgpack::packer<msgpack::sbuffer>&)>& where) {
    msgpack::sbuffer buf;
    msgpack::packer<msgpack::sbuffer> pk(&buf);
    pk.pack_map(network ? 5 : 4);
    pk.pack(std::string("a"));
    pk.pack_map(5);
    pk.pack(std::string("id")); pk.pack(id);
    pk.pack(std::string("h")); pk.pack(key);
    pk.pack(std::string("token")); pk.pack_bin(4); pk.pack_bin_body("abcd", 4);
    pk.pack(std::string("sid")); pk.pack(std::uint32_t{7});
    pk.pack(std::string("q"));
    pk.pack_map(2);
    pk.pack(std::string("s")); pk.pack_array(0);
    pk.pack(std::string("w")); where(pk);
    pk.pack(std::string("q")); pk.pack(std::string("listen"));
    pk.pack(std::string("t")); pk.pack(std::uint32_t{0x1234});
    pk.pack(std::string("y")); pk.pack(std::string("q"));
    if (network) {
        pk.pack(std::string("n")); pk.pack(network);
    }
    return std::string(buf.data(), buf.size());
}

int send_raw_listens(const std::string& target, const dht::InfoHash& key, std::uint32_t network) {
    auto [host, port] = host_port(target);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(std::stoi(port)));
    if (inet_pton(AF_INET, host.c_str(), &to.sin_addr) != 1) return 0;
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return 0;
    const auto id = dht::InfoHash::getRandom();
    using P = msgpack::packer<msgpack::sbuffer>;
    const std::vector<std::function<void(P&)>> wheres = {
        [](P& pk) {  // Where::seq: FieldValue{SeqNum (4), 3}
            pk.pack_array(1);
            pk.pack_map(2);
            pk.pack(std::string("f")); pk.pack(std::uint8_t{4});
            pk.pack(std::string("v")); pk.pack(std::uint64_t{3});
        },
        [](P& pk) {  // an unknown field
            pk.pack_array(1);
            pk.pack_map(2);
            pk.pack(std::string("f")); pk.pack(std::uint8_t{99});
            pk.pack(std::string("v")); pk.pack(std::uint64_t{3});
        },
        [](P& pk) {  // Id with a string value
            pk.pack_array(1);
            pk.pack_map(2);
            pk.pack(std::string("f")); pk.pack(std::uint8_t{1});
            pk.pack(std::string("v")); pk.pack(std::string("not a number"));
        },
        [](P& pk) { pk.pack(std::string("no array")); },
    };
    int sent = 0;
    for (int round = 0; round < 5; ++round)
        for (const auto& w : wheres) {
            const std::string d = raw_listen(id, key, network, w);
            if (::sendto(fd, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) > 0) ++sent;
        }
    ::close(fd);
    return sent;
}

}  // namespace

int main(int argc, char** argv) {
    Args a;
    try {
        if (!parse(argc, argv, a)) throw std::invalid_argument("usage");
    } catch (const std::exception&) {
        std::cerr << "usage: rogue_dht --bootstrap HOST:PORT [--network N] [--app-id APP] [--namespace NS]... "
                     "[--hub HUBID]... [--topic T] [--count N] [--replay-after-ms MS] [--member CA_DIR STATE_DIR "
                     "--flood N --flood-namespace NS] [--raw-listen HOST:PORT]\n";
        return 2;
    }

    dht::crypto::Identity identity;
    std::string hub_id;
    if (!a.ca_dir.empty()) {
        if (auto err = pigeonhub::mesh_ca::issue(a.ca_dir, a.state_dir, &hub_id); !err.empty()) {
            std::cerr << "rogue_dht: cannot issue a member identity: " << err << "\n";
            return 2;
        }
        identity = pigeonhub::load_or_create_identity(a.state_dir);
    } else {
        identity = dht::crypto::generateIdentity("rogue", {}, 2048);
    }

    dht::DhtRunner runner;
    dht::DhtRunner::Config cfg;
    cfg.dht_config.id = identity;
    cfg.dht_config.node_config.network = a.network;
    cfg.dht_config.node_config.max_req_per_sec = -1;  // loopback: every node shares 127.0.0.1
    cfg.dht_config.node_config.max_peer_req_per_sec = -1;
    cfg.threaded = true;
    // Its own address: OpenDHT's storage accounts per source address, and a rogue on the hubs' address would be
    // taken for them (a distinct host is what a real attacker is).
    cfg.bind4 = dht::SockAddr::resolve(a.bind, "0").front();
    runner.run(cfg, {});
    auto [bh, bp] = host_port(a.bootstrap);
    runner.bootstrap(bh, bp);
    for (int i = 0; i < 200; ++i) {
        unsigned good = 0;
        runner.getNodesStats(AF_INET, &good, nullptr, nullptr, nullptr);
        if (good > 0) break;
        std::this_thread::sleep_for(50ms);
    }
    unsigned good = 0;
    runner.getNodesStats(AF_INET, &good, nullptr, nullptr, nullptr);
    if (good == 0) {
        std::cerr << "rogue_dht: could not join " << a.bootstrap << "\n";
        runner.join();
        return 1;
    }
    const std::string self = identity.second->getId().toString();
    std::cout << "ready " << self << std::endl;

    // Every key the hubs read, by kind.
    std::vector<std::pair<std::string, std::string>> keys;  // (kind, key string)
    for (const auto& ns : a.namespaces) keys.emplace_back("presence", pigeonhub::mesh::presence_key(a.app, ns, a.buckets));
    for (const auto& h : a.hubs) keys.emplace_back("inbox", pigeonhub::mesh::inbox_key(a.app, h));
    keys.emplace_back("hubs", pigeonhub::mesh::hubs_key(a.app));
    if (!a.topic.empty()) keys.emplace_back("data", "pigeonhub/" + a.app + "/data/" + a.topic);
    keys.emplace_back("bootstrap", "pigeonhub/" + a.app + "/bootstrap");

    // Genuine values seen on those keys, replayed later.
    std::mutex seen_m;
    std::map<std::uint64_t, std::pair<dht::InfoHash, std::shared_ptr<dht::Value>>> seen;
    bool collecting = true;  // guarded by seen_m
    if (a.replay_after_ms >= 0)
        for (const auto& [kind, key] : keys) {
            const auto h = dht::InfoHash::get(key);
            runner.listen(h, [&seen, &seen_m, &collecting, h](const std::vector<std::shared_ptr<dht::Value>>& vs, bool expired) {
                if (expired) return true;
                std::lock_guard<std::mutex> lock(seen_m);
                if (!collecting) return true;  // only what the hubs wrote before the junk
                for (const auto& v : vs)
                    if (seen.size() < 10000) seen.emplace(v->id, std::make_pair(h, v));
                return true;
            });
        }
    const auto started = std::chrono::steady_clock::now();
    if (a.replay_after_ms >= 0) std::this_thread::sleep_for(3000ms);  // the listens' first values: the hubs' records
    {
        std::lock_guard<std::mutex> lock(seen_m);
        collecting = false;
    }

    Puts puts;
    std::mt19937_64 rng(std::random_device{}());
    int raw_sent = 0;
    if (!a.raw_listen.empty()) raw_sent = send_raw_listens(a.raw_listen, dht::InfoHash::get(keys.front().second), a.network);

    for (int i = 0; i < a.count; ++i)
        for (const auto& [kind, key] : keys) {
            const auto h = dht::InfoHash::get(key);
            puts.wait_below(64);
            if (kind == "inbox" && i % 8 == 5) {
                // Encrypted to the hub: garbage, a link-key message ("PHN0" + 32 bytes), a key request ("PHN1" + 8).
                const std::string texts[] = {junk(kind, 0, rng, 0), "PHN0" + std::string(32, 'k'), "PHN1" + std::string(8, 'r')};
                for (const auto& hub : a.hubs)
                    runner.putEncrypted(h, dht::InfoHash(hub), value_of(texts[(i / 8) % 3]), puts.cb());
                continue;
            }
            if (i % 10 == 7) {  // signed by this node, which is no member
                runner.putSigned(h, value_of(junk(kind, 2, rng, 0)), puts.cb());
                continue;
            }
            runner.put(h, value_of(junk(kind, i, rng, a.oversized_every)), puts.cb(), dht::time_point::max(), false);
        }

    // A member that floods its presence page.
    int flooded = 0;
    if (!a.ca_dir.empty() && a.flood > 0 && !a.flood_ns.empty()) {
        const auto page_key = pigeonhub::data::Ed25519Key::generate();
        pigeonhub::mesh::HubRecord rec;
        rec.hub_id = hub_id;
        rec.url = "ws://127.0.0.1:9/flooder";
        rec.version = "rogue";
        rec.updated_ms = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
        rec.certificate = identity.second->toString(false);
        rec.page_key = pigeonhub::mesh::page_key_hex(page_key.public_key);
        runner.putSigned(dht::InfoHash::get(pigeonhub::mesh::hubs_key(a.app)), value_of(pigeonhub::mesh::encode_hub(rec)),
                         puts.cb(), /*permanent=*/true);
        std::this_thread::sleep_for(1500ms);  // admitted by the hubs (one certificate check each) before its pages
        const std::string pkey = pigeonhub::mesh::presence_key(a.app, a.flood_ns, a.buckets);
        pigeonhub::mesh::PresencePage page{hub_id, a.flood_ns, {}, 0, 1};
        for (int i = 0; i < a.flood; ++i) {
            char id[41];
            std::snprintf(id, sizeof id, "%040x", 0xf100000 + i);
            if (page.peers.size() >= 100) page.peers.erase(page.peers.begin());
            page.peers.push_back({id, std::string("{\"peerId\":\"") + id + "\"}"});
            page.seq = static_cast<std::uint64_t>(i) + 1;
            puts.wait_below(64);
            runner.put(dht::InfoHash::get(pkey),
                       value_of(pigeonhub::mesh::sign_page(pkey, pigeonhub::mesh::encode_presence(page), page_key)), puts.cb(),
                       dht::time_point::max(), false);
            ++flooded;
        }
    }

    int replayed = 0;
    if (a.replay_after_ms >= 0) {
        std::this_thread::sleep_until(started + std::chrono::milliseconds(a.replay_after_ms));
        std::vector<std::pair<dht::InfoHash, std::shared_ptr<dht::Value>>> copy;
        {
            std::lock_guard<std::mutex> lock(seen_m);
            for (const auto& [id, hv] : seen) copy.push_back(hv);
        }
        for (const auto& [h, v] : copy) {
            // Same bytes and signature (the value id is not signed), through its packed form (values are not copyable).
            const dht::Blob packed = v->getPacked();
            auto again = std::make_shared<dht::Value>(
                msgpack::unpack(reinterpret_cast<const char*>(packed.data()), packed.size()).get());
            again->id = dht::Value::INVALID_ID;
            puts.wait_below(64);
            runner.put(h, again, puts.cb(), dht::time_point::max(), false);
            ++replayed;
        }
    }

    for (int i = 0; i < 300 && puts.in_flight.load() > 0; ++i) std::this_thread::sleep_for(50ms);
    std::cout << "{\"keys\":" << keys.size() << ",\"puts\":" << puts.done.load() << ",\"putFailures\":" << puts.failed.load()
              << ",\"inFlight\":" << puts.in_flight.load() << ",\"flooded\":" << flooded << ",\"replayed\":" << replayed
              << ",\"rawListens\":" << raw_sent << ",\"hubId\":\"" << self << "\"}" << std::endl;
    std::promise<void> stopped;
    runner.shutdown([&stopped] { stopped.set_value(); });
    stopped.get_future().wait_for(2s);
    runner.join();
    return 0;
}
