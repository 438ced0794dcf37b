#include "mesh/dht_node.h"

#include <opendht.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>
#include <iterator>
#include <map>
#include <mutex>
#include <stdexcept>

#include "data/data_lifetime.h"
#include "mesh/identity_store.h"
#include "mesh/mesh_limits.h"
#include "mesh/record_signer.h"
#include "mesh/udp_receive_buffer.h"
#include "util/log.h"
#include "util/random.h"

namespace pigeonhub {
namespace {

// Presence and hub records live 30 s and are re-put by OpenDHT 10 s before they expire (build notes: an
// expiration of 10 s or less would make that refresh time lie in the past: a re-announce storm).
const dht::ValueType kRecordType(0x5048, "pigeonhub.record", kRecordLease);
// One-off signals: link keys (signed, encrypted) and sealed signals (see hub_link.h).
const dht::ValueType kSignalType(0x5049, "pigeonhub.signal", kRecordLease);

std::string nodes_path(const std::string& state_dir) { return state_dir + "/dht-nodes.bin"; }

bool is_loopback(const std::string& addr) { return addr.rfind("127.", 0) == 0 || addr == "::1" || addr == "localhost"; }

// Two kinds of trouble OpenDHT 2.4.12 reports only in its error log, counted for /stats and /metrics:
// - "Dropped N packets with high delay": received datagrams its thread read only after 650 ms (RX_QUEUE_MAX_DELAY)
//   and threw away unread; a request dropped that way three times marks its sender expired.
// - "'update' request without socket": a value pushed by a storage node to a listen this node no longer has a
//   socket for. Node::setExpired closes every listen socket opened on a node, but the search keeps the socket id
//   and refreshes the listen with it when the node answers again, so from then on every value pushed on that
//   key is lost, for as long as the listen lives (docs/SCALING.md; fixed upstream in ae44ac98, v3.7.4).
constexpr char kLostListenLog[] = "request without socket for ";
constexpr char kDroppedLateLog[] = "packets with high delay";
// And one it reports as a warning:
// - "Dropping expired partial message": a reply too big for one datagram (50 values or more, or over 600 bytes of
//   values) comes as a header and one datagram per value part; if any part is missing 3 s after the last one (or
//   10 s after the header), the whole reply is dropped (NetworkEngine::maintainRxBuffer), every value in it.
constexpr char kIncompleteReplyLog[] = "expired partial message";

struct DhtLogCounters {
    std::atomic<std::uint64_t> dropped_late{0}, lost_listen_updates{0}, incomplete_replies{0};
};

struct DatagramCounter {
    std::atomic<std::uint64_t> datagrams{0}, bytes{0};
};

// OpenDHT's socket, counting what it sends: getNodeMessageStats counts requests only, not the replies nor the
// values pushed to listeners, which are most of a mesh's traffic. sendTo runs on OpenDHT's threads.
class CountingUdpSocket final : public dht::net::UdpSocket {
public:
    CountingUdpSocket(const dht::SockAddr& bind4, const std::shared_ptr<dht::Logger>& logger,
                      std::shared_ptr<DatagramCounter> out)
        : UdpSocket(bind4, dht::SockAddr{}, logger), out_(std::move(out)) {}

    int sendTo(const dht::SockAddr& dest, const std::uint8_t* data, std::size_t size, bool replied) override {
        const int err = UdpSocket::sendTo(dest, data, size, replied);
        if (err == 0) {
            out_->datagrams.fetch_add(1, std::memory_order_relaxed);
            out_->bytes.fetch_add(size, std::memory_order_relaxed);
        }
        return err;
    }

private:
    std::shared_ptr<DatagramCounter> out_;
};

// Adds OpenDHT's counters since the last call (ping, find, get, listen, put: network_engine.h's order).
void accumulate(DhtMessageCounts& into, const std::vector<unsigned>& v) {
    std::uint64_t* const slots[] = {&into.ping, &into.find, &into.get, &into.listen, &into.put};
    for (std::size_t i = 0; i < v.size() && i < std::size(slots); ++i) *slots[i] += v[i];
}

}  // namespace

struct DhtNode::Impl : std::enable_shared_from_this<DhtNode::Impl> {
    asio::io_context& io;
    DhtNodeConfig config;
    dht::DhtRunner runner;
    dht::crypto::Identity identity;
    std::atomic<dht::NodeStatus> status{dht::NodeStatus::Disconnected};
    bool running = false;
    std::uint64_t next_token = 1;
    // One OpenDHT listen per key, kept for the node's life: OpenDHT 2.4.12 cannot cancel a listen on a node
    // without IPv6 (Dht::listen returns token 0 and leaves its IPv4 search listener behind:
    // tests/dht/opendht_cancel_listen_test.cpp), so a listen/cancel pair per use would leave one listener and
    // callback per use behind. The port's listens attach to their key's listen and detach (io thread only).
    // Key -> the port listens attached to its OpenDHT listen now (none: its values are dropped).
    std::map<std::string, std::map<std::uint64_t, std::shared_ptr<ListenCallback>>> key_listens;
    std::map<std::uint64_t, std::string> listens;  // port listen token -> its key
    std::mutex keys_mutex;  // public keys seen on signed values (filled on DHT threads)
    std::map<std::string, std::shared_ptr<dht::crypto::PublicKey>> keys;
    // The records we publish (by the caller's logical id) and the value id of each one's latest edit. Every edit
    // gets a fresh value id, mixed from a salt drawn per process and a counter, so no two values of this hub
    // (of this life or an earlier one whose values storage nodes still hold) share an id. Only live records are
    // kept (bounded by what the hub publishes: its namespaces' pages and its hub record).
    std::map<std::uint64_t, std::uint64_t> records;
    std::uint64_t salt = 0;
    std::uint64_t edits = 0;

    static std::uint64_t mix(std::uint64_t x) {  // splitmix64's finalizer
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9ull;
        x ^= x >> 27;
        x *= 0x94d049bb133111ebull;
        return x ^ (x >> 31);
    }
    std::uint64_t fresh_value_id(std::uint64_t logical) {
        const std::uint64_t id = mix(salt ^ mix(logical + ++edits));
        return id == dht::Value::INVALID_ID ? 1 : id;
    }
    std::unique_ptr<RecordSigner> signer;  // after runner and identity: destroyed first
    // OpenDHT hands out its request counters since its last call and resets them, so they are summed here.
    DhtMessageCounts requests_out, requests_in;
    std::shared_ptr<DatagramCounter> datagrams_out = std::make_shared<DatagramCounter>();
    std::shared_ptr<DhtLogCounters> log_counters = std::make_shared<DhtLogCounters>();
    // Counted on the io thread, except the failures (OpenDHT's threads).
    std::uint64_t puts = 0, gets = 0, listens_started = 0;
    std::atomic<std::uint64_t> put_failures{0}, get_failures{0};
    std::size_t receive_buffer = 0;  // of the UDP socket, as the kernel reports it (0: not known)
    void raise_receive_buffer(const dht::SockAddr& bound);

    Impl(asio::io_context& i, DhtNodeConfig c) : io(i), config(std::move(c)) {}

    void remember_key(const std::shared_ptr<dht::Value>& v) {
        if (!v->owner) return;
        std::lock_guard<std::mutex> lock(keys_mutex);
        if (keys.size() > mesh::kMaxKnownKeys) keys.clear();  // bounded; keys are re-learned from the next value
        keys.emplace(v->owner->getId().toString(), v->owner);
    }
};

// Raises the receive buffer of OpenDHT's socket, bound to `bound`, to the configured size (udp_receive_buffer.h).
void DhtNode::Impl::raise_receive_buffer(const dht::SockAddr& bound) {
    if (bound.getFamily() != AF_INET) return;
    const int fd = find_udp_socket(*reinterpret_cast<const sockaddr_in*>(bound.get()));
    if (fd < 0) {
        log::write(log::Level::warn, "dht: cannot find the DHT socket to raise its receive buffer");
        return;
    }
    receive_buffer = set_receive_buffer(fd, config.receive_buffer);
    // Linux reports twice the size set; less than asked means net.core.rmem_max capped it.
    if (receive_buffer < 2 * config.receive_buffer)
        log::write(log::Level::warn, "dht: receive buffer " + std::to_string(receive_buffer / 2) + " bytes, asked " +
                                         std::to_string(config.receive_buffer) +
                                         " (DHT_RECEIVE_BUFFER): raise net.core.rmem_max (README, \"Installing as a service\")");
}

DhtNode::DhtNode(asio::io_context& io, DhtNodeConfig config) : impl_(std::make_shared<Impl>(io, std::move(config))) {}

DhtNode::~DhtNode() { stop(); }

void DhtNode::start() {
    Impl& m = *impl_;
    m.identity = load_or_create_identity(m.config.state_dir);

    dht::DhtRunner::Config cfg;
    cfg.dht_config.id = m.identity;
    cfg.dht_config.node_config.network = m.config.network;
    if (is_loopback(m.config.bind) && !m.config.public_network) {
        // Every node on loopback shares one IP, and the per-IP limiter would throttle a local mesh.
        cfg.dht_config.node_config.max_req_per_sec = -1;
        cfg.dht_config.node_config.max_peer_req_per_sec = -1;
    }
    cfg.threaded = true;
    auto addrs = dht::SockAddr::resolve(m.config.bind, std::to_string(m.config.port));
    if (addrs.empty()) throw std::runtime_error("cannot resolve DHT_BIND " + m.config.bind);
    cfg.bind4 = addrs.front();  // run(cfg, ctx), not run(port, ...): that would also bind [::]

    dht::DhtRunner::Context ctx;
    auto weak = std::weak_ptr<Impl>(impl_);
    ctx.statusChangedCallback = [weak](dht::NodeStatus v4, dht::NodeStatus) {
        if (auto s = weak.lock()) s->status = v4;
    };
    auto err = [counters = m.log_counters](char const* fmt, va_list ap) {
        if (std::strstr(fmt, kLostListenLog)) ++counters->lost_listen_updates;
        const bool late = std::strstr(fmt, kDroppedLateLog) != nullptr;
        if (!late && !log::enabled(log::Level::debug)) return;
        char buf[512];
        std::vsnprintf(buf, sizeof buf, fmt, ap);
        if (late)
            if (const char* n = std::strstr(buf, "Dropped ")) counters->dropped_late += std::strtoull(n + 8, nullptr, 10);
        if (!log::enabled(log::Level::debug)) return;
        // OpenDHT reports routine search events at this level; keep them for debugging only.
        log::write(log::Level::debug, std::string("dht: ") + buf);
    };
    auto warn = [counters = m.log_counters](char const* fmt, va_list ap) {
        if (std::strstr(fmt, kIncompleteReplyLog)) ++counters->incomplete_replies;
        if (!log::enabled(log::Level::debug)) return;
        char buf[512];
        std::vsnprintf(buf, sizeof buf, fmt, ap);
        log::write(log::Level::debug, std::string("dht: ") + buf);
    };
    ctx.logger = std::make_shared<dht::Logger>(err, warn, dht::LogMethod{});
    try {
        ctx.sock = std::make_unique<CountingUdpSocket>(cfg.bind4, ctx.logger, m.datagrams_out);
        if (m.config.receive_buffer > 0) m.raise_receive_buffer(ctx.sock->getBoundRef(AF_INET));
        m.runner.run(cfg, std::move(ctx));
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot start the DHT node on " + m.config.bind + ":" + std::to_string(m.config.port) +
                                 ": " + e.what());
    }
    m.running = true;
    m.signer = std::make_unique<RecordSigner>(m.runner, m.identity.first);
    random_bytes(&m.salt, sizeof m.salt);
    m.runner.registerType(kRecordType);
    m.runner.registerType(kSignalType);
    // Data records (/api/publish): one type per lifetime class; readers drop expired records themselves.
    for (const auto& c : data::kLifetimeClasses) m.runner.registerType(dht::ValueType(c.value_type, c.name, c.lifetime));
    if (m.config.public_network) {
        // The routing table of the last run first: the public network is then joined without its bootstrap.
        try {
            const auto blob = read_file(nodes_path(m.config.state_dir));
            auto nodes = msgpack::unpack(reinterpret_cast<const char*>(blob.data()), blob.size()).get()
                             .as<std::vector<dht::NodeExport>>();
            m.runner.bootstrap(std::move(nodes));
        } catch (const std::exception&) {
            // none yet, or unreadable: the configured bootstrap will do
        }
    }
    for (const auto& b : m.config.bootstrap) {
        auto colon = b.rfind(':');
        if (colon == std::string::npos) m.runner.bootstrap(b, "4222");
        else m.runner.bootstrap(b.substr(0, colon), b.substr(colon + 1));
    }
}

void DhtNode::bootstrap(const std::string& host, const std::string& port) {
    if (impl_->running) impl_->runner.bootstrap(host, port);
}

std::string DhtNode::save_nodes() const {
    if (!impl_->running) return "not running";
    try {
        msgpack::sbuffer buf;
        msgpack::pack(buf, impl_->runner.exportNodes());
        write_private_file(nodes_path(impl_->config.state_dir), dht::Blob(buf.data(), buf.data() + buf.size()));
        return {};
    } catch (const std::exception& e) {
        return e.what();
    }
}

void DhtNode::stop() {
    if (!impl_ || !impl_->running) return;
    if (impl_->config.public_network)
        if (auto err = save_nodes(); !err.empty()) log::warn("cannot save the DHT routing table: {}", err);
    impl_->running = false;
    if (impl_->signer) impl_->signer->stop();  // queued records (withdrawals at shutdown) go to OpenDHT first
    // Give pending puts (withdrawals) a moment to leave, then stop the threads.
    auto done = std::make_shared<std::promise<void>>();
    auto fut = done->get_future();
    impl_->runner.shutdown([done] { done->set_value(); });
    fut.wait_for(std::chrono::seconds(1));
    impl_->runner.join();
}

std::string DhtNode::hub_id() const { return impl_->identity.second ? impl_->identity.second->getId().toString() : ""; }
std::string DhtNode::certificate() const {
    return impl_->identity.second ? impl_->identity.second->toString(/*chain=*/false) : "";
}
std::string DhtNode::node_id() const { return impl_->runner.getNodeId().toString(); }
std::uint16_t DhtNode::bound_port() const { return impl_->runner.getBoundPort(AF_INET); }

bool DhtNode::ready() const {
    if (!impl_->config.joins) return impl_->running;
    return impl_->status.load() == dht::NodeStatus::Connected;
}

DhtTraffic DhtNode::traffic() const {
    Impl& m = *impl_;
    if (m.running) {
        accumulate(m.requests_out, m.runner.getNodeMessageStats(false));
        accumulate(m.requests_in, m.runner.getNodeMessageStats(true));
    }
    DhtTraffic t;
    t.requests_out = m.requests_out;
    t.requests_in = m.requests_in;
    t.datagrams_out = m.datagrams_out->datagrams.load(std::memory_order_relaxed);
    t.bytes_out = m.datagrams_out->bytes.load(std::memory_order_relaxed);
    t.packets_dropped_late = m.log_counters->dropped_late.load();
    t.updates_to_lost_listens = m.log_counters->lost_listen_updates.load();
    t.incomplete_replies = m.log_counters->incomplete_replies.load();
    t.receive_buffer = m.receive_buffer;
    return t;
}

DhtNode::OpStats DhtNode::op_stats() const {
    OpStats s;
    s.puts = impl_->puts;
    s.put_failures = impl_->put_failures.load();
    s.gets = impl_->gets;
    s.get_failures = impl_->get_failures.load();
    s.listens = impl_->listens_started;
    s.listens_active = impl_->listens.size();
    s.listen_keys = impl_->key_listens.size();
    return s;
}

unsigned DhtNode::good_nodes() const {
    unsigned good = 0, dubious = 0, cached = 0, incoming = 0;
    impl_->runner.getNodesStats(AF_INET, &good, &dubious, &cached, &incoming);
    return good;
}

void DhtNode::publish(const std::string& key, std::uint64_t record_id, std::string data, RecordSigning signing) {
    auto v = std::make_shared<dht::Value>(kRecordType.id, reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
    v->id = impl_->fresh_value_id(record_id);
    v->user_type = "application/json";
    impl_->records[record_id] = v->id;
    ++impl_->puts;
    impl_->signer->submit({dht::InfoHash::get(key), record_id, std::move(v), /*permanent=*/true,
                           /*sign=*/signing == RecordSigning::dht});
}

void DhtNode::withdraw(const std::string& key, std::uint64_t record_id, std::string tombstone, RecordSigning signing) {
    auto it = impl_->records.find(record_id);
    if (it == impl_->records.end()) return;  // never published (or already withdrawn): nothing to replace
    impl_->records.erase(it);
    auto v = std::make_shared<dht::Value>(kRecordType.id, reinterpret_cast<const std::uint8_t*>(tombstone.data()),
                                          tombstone.size());
    v->id = impl_->fresh_value_id(record_id);
    v->user_type = "application/json";
    ++impl_->puts;
    impl_->signer->submit({dht::InfoHash::get(key), record_id, std::move(v), /*permanent=*/false,
                           /*sign=*/signing == RecordSigning::dht});
}

std::size_t DhtNode::records_signing() const { return impl_->signer ? impl_->signer->busy() : 0; }
std::size_t DhtNode::values_announced() const { return impl_->signer ? impl_->signer->announced() : 0; }

void DhtNode::send_encrypted(const std::string& key, const std::string& to_hub_id, std::string data) {
    auto v = std::make_shared<dht::Value>(kSignalType.id, reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
    v->id = dht::Value::INVALID_ID;  // a random id
    std::shared_ptr<dht::crypto::PublicKey> pk;
    {
        std::lock_guard<std::mutex> lock(impl_->keys_mutex);
        if (auto it = impl_->keys.find(to_hub_id); it != impl_->keys.end()) pk = it->second;
    }
    auto h = dht::InfoHash::get(key);
    ++impl_->puts;
    auto counted = [weak = std::weak_ptr<Impl>(impl_)](bool ok) {
        if (auto self = weak.lock(); self && !ok) ++self->put_failures;
    };
    if (pk) impl_->runner.putEncrypted(h, pk, v, counted);
    else impl_->runner.putEncrypted(h, dht::InfoHash(to_hub_id), v, counted);
}

void DhtNode::send_plain(const std::string& key, std::string data) {
    auto v = std::make_shared<dht::Value>(kSignalType.id, reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
    v->id = dht::Value::INVALID_ID;  // a random id
    ++impl_->puts;
    impl_->runner.put(dht::InfoHash::get(key), v, [weak = std::weak_ptr<Impl>(impl_)](bool ok) {
        if (auto self = weak.lock(); self && !ok) ++self->put_failures;
    });
}

void DhtNode::put_data(const std::string& key, std::string data, std::chrono::milliseconds remaining,
                       std::function<void(bool ok)> done) {
    auto v = std::make_shared<dht::Value>(data::lifetime_class(remaining).value_type, reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
    v->id = dht::Value::INVALID_ID;  // a random id
    v->user_type = "application/json";
    std::weak_ptr<Impl> weak = impl_;
    ++impl_->puts;
    impl_->runner.put(dht::InfoHash::get(key), v, [weak, done = std::move(done)](bool ok) {
        if (auto self = weak.lock(); self && !ok) ++self->put_failures;
        if (auto self = weak.lock()) asio::post(self->io, [weak, done, ok] {
            if (weak.lock() && done) done(ok);
        });
    });
}

std::uint64_t DhtNode::listen(const std::string& key, ListenCallback cb) {
    const std::uint64_t token = impl_->next_token++;
    ++impl_->listens_started;
    impl_->listens.emplace(token, key);
    auto [it, fresh] = impl_->key_listens.try_emplace(key);
    it->second.emplace(token, std::make_shared<ListenCallback>(std::move(cb)));
    if (!fresh) {
        // The key's OpenDHT listen delivered its values to whoever was attached before (or to nobody): the new
        // listener gets what the key holds now first, by a lookup (answered from that listen's own values).
        get(key, [weak = std::weak_ptr<Impl>(impl_), key, token](const std::vector<DhtValue>& values) {
            auto self = weak.lock();
            if (!self) return;
            auto at = self->key_listens.find(key);
            if (at == self->key_listens.end() || values.empty()) return;
            auto attached = at->second.find(token);
            if (attached == at->second.end()) return;
            auto cb = attached->second;  // the callback may cancel its own listen
            (*cb)(values, false);
        });
        return token;
    }
    std::weak_ptr<Impl> weak = impl_;
    impl_->runner.listen(dht::InfoHash::get(key), [weak, key](const std::vector<std::shared_ptr<dht::Value>>& values, bool expired) {
        auto self = weak.lock();
        if (!self) return false;
        std::vector<DhtValue> out;
        out.reserve(values.size());
        for (const auto& v : values) {
            self->remember_key(v);
            DhtValue d;
            d.id = v->id;
            if (v->owner) d.owner = v->owner->getId().toString();
            d.data.assign(v->data.begin(), v->data.end());
            out.push_back(std::move(d));
        }
        // Hand over to the io thread; never do work on the DHT thread. There, to the listener attached then.
        asio::post(self->io, [weak, key, out = std::move(out), expired] {
            auto self = weak.lock();
            if (!self) return;
            auto at = self->key_listens.find(key);
            if (at == self->key_listens.end()) return;
            std::vector<std::uint64_t> tokens;  // a callback may cancel a listen: each is looked up before its call
            for (const auto& [t, cb] : at->second) tokens.push_back(t);
            for (auto t : tokens) {
                auto attached = at->second.find(t);
                if (attached == at->second.end()) continue;
                auto cb = attached->second;
                (*cb)(out, expired);
            }
        });
        return true;
    });
    return token;
}

void DhtNode::get(const std::string& key, GetCallback cb) {
    std::weak_ptr<Impl> weak = impl_;
    auto found = std::make_shared<std::vector<DhtValue>>();
    auto shared_cb = std::make_shared<GetCallback>(std::move(cb));
    ++impl_->gets;
    impl_->runner.get(
        dht::InfoHash::get(key),
        [found](const std::vector<std::shared_ptr<dht::Value>>& values) {
            for (const auto& v : values) {
                DhtValue d;
                d.id = v->id;
                if (v->owner) d.owner = v->owner->getId().toString();
                d.data.assign(v->data.begin(), v->data.end());
                found->push_back(std::move(d));
            }
            return true;
        },
        [weak, found, shared_cb](bool ok) {
            auto self = weak.lock();
            if (!self) return;
            if (!ok) ++self->get_failures;
            asio::post(self->io, [weak, found, shared_cb] {
                if (weak.lock()) (*shared_cb)(*found);
            });
        });
}

void DhtNode::cancel_listen(std::uint64_t token) {
    auto it = impl_->listens.find(token);
    if (it == impl_->listens.end()) return;
    // Detached only: the key's OpenDHT listen stays (see Impl::key_listens), its values are dropped until the next
    // listen on the key.
    auto at = impl_->key_listens.find(it->second);
    if (at != impl_->key_listens.end()) at->second.erase(token);
    impl_->listens.erase(it);
}

}  // namespace pigeonhub
