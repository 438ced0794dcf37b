#include "mesh/dht_node.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <opendht.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <algorithm>
#include <tuple>

#include "util/log.h"
#include "util/random.h"

namespace pigeonhub {
namespace {

using namespace std::chrono_literals;

// Presence and hub records live 30 s and are re-put by OpenDHT 10 s before they expire (build notes: an
// expiration of 10 s or less would make that refresh time lie in the past: a re-announce storm).
const dht::ValueType kRecordType(0x5048, "pigeonhub.record", kRecordLease);
// One-off signals: link keys (signed, encrypted) and sealed signals (see hub_link.h).
const dht::ValueType kSignalType(0x5049, "pigeonhub.signal", 30s);

dht::Blob read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot read " + path);
    return dht::Blob(std::istreambuf_iterator<char>(f), {});
}

void write_private_file(const std::string& path, const dht::Blob& data) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
    ::fchmod(fd, 0600);
    std::size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            ::close(fd);
            throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
        }
        off += static_cast<std::size_t>(n);
    }
    ::close(fd);
}

void make_dirs(const std::string& dir) {
    std::string cur;
    for (std::size_t i = 0; i <= dir.size(); ++i) {
        if (i == dir.size() || (dir[i] == '/' && i > 0)) {
            cur = dir.substr(0, i);
            if (::mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST)
                throw std::runtime_error("cannot create state directory " + cur + ": " + std::strerror(errno));
        }
    }
}

// The identity of this hub: loaded from the state directory, or created (RSA-2048: EC identities cannot sign
// values in OpenDHT 2.4.12) and saved there on the first start.
dht::crypto::Identity load_or_create_identity(const std::string& dir) {
    make_dirs(dir);
    const std::string key_path = dir + "/identity.pem", crt_path = dir + "/identity.crt";
    if (::access(key_path.c_str(), F_OK) == 0) {
        auto key = std::make_shared<dht::crypto::PrivateKey>(read_file(key_path));
        auto crt = std::make_shared<dht::crypto::Certificate>(read_file(crt_path));
        return {key, crt};
    }
    auto id = dht::crypto::generateIdentity("pigeonhub", {}, 2048);
    write_private_file(key_path, id.first->serialize());
    write_private_file(crt_path, id.second->getPacked());
    log::info("created hub identity in {}", dir);
    return id;
}

bool is_loopback(const std::string& addr) { return addr.rfind("127.", 0) == 0 || addr == "::1" || addr == "localhost"; }

// Signs records on its own thread (RSA-2048: about a millisecond each, not for the io thread) and hands them to
// OpenDHT with a plain put, in the order they were published. Not SecureDht::putSigned: that first looks the
// value up on the network and signs when the lookup ends, so two quick edits of one record could reach
// OpenDHT in the wrong order (seen when a storage node had just died: the older edit won). An edit of a
// record whose previous edit is still waiting here replaces it, so at most one job per record is queued.
//
// Every edit is a new value (docs/MESH.md: OpenDHT 2.4.12's listeners lose in-place edits at 6+ nodes). The
// values a record leaves behind stop being announced once the edit that replaces them is announced (its put
// done): cancelled before, their expiry notice could reach listeners ahead of the new value. They stay on
// storage nodes until they expire (the type's 30 s); receivers tell them apart by the record's own seq.
class RecordSigner {
public:
    struct Job {
        dht::InfoHash key;
        std::uint64_t record = 0;  // the caller's logical id: edits of one record replace each other here
        std::shared_ptr<dht::Value> value;
        bool permanent = true;     // false: a tombstone (lives one expiry, then the record is gone)
    };

    RecordSigner(dht::DhtRunner& runner, std::shared_ptr<dht::crypto::PrivateKey> key)
        : runner_(runner), key_(std::move(key)), thread_([this] { run(); }) {}
    ~RecordSigner() { stop(); }

    // Records queued or being signed right now.
    std::size_t busy() const { return busy_.load(std::memory_order_relaxed); }
    // Values still announced (re-put) that a newer edit of their record replaces, and those records.
    std::size_t announced() const {
        std::lock_guard<std::mutex> lock(announced_m_);
        return announced_count_;
    }

    void submit(Job job) {
        const RecordKey id{job.key, job.record};
        std::lock_guard<std::mutex> lock(m_);
        auto [it, fresh] = jobs_.try_emplace(id, job);
        if (fresh) {
            order_.push_back(id);
            busy_.fetch_add(1, std::memory_order_relaxed);
        } else {
            it->second = std::move(job);  // the queued edit was never put: the newer one takes its place
        }
        cv_.notify_one();
    }
    // Signs and puts what is queued, then ends the thread.
    void stop() {
        {
            std::lock_guard<std::mutex> lock(m_);
            if (stopping_) return;
            stopping_ = true;
        }
        cv_.notify_one();
        if (thread_.joinable()) thread_.join();
    }

private:
    using RecordKey = std::pair<dht::InfoHash, std::uint64_t>;

    void run() {
        std::unique_lock<std::mutex> lock(m_);
        for (;;) {
            cv_.wait(lock, [this] { return stopping_ || !order_.empty(); });
            if (order_.empty()) return;  // stopping, nothing left
            auto id = order_.front();
            order_.pop_front();
            Job job = std::move(jobs_.at(id));
            jobs_.erase(id);
            lock.unlock();
            job.value->sign(*key_);
            const dht::Value::Id vid = job.value->id;
            if (job.permanent) {
                std::lock_guard<std::mutex> a(announced_m_);
                announced_[id].push_back(vid);
                ++announced_count_;
            }
            runner_.put(job.key, job.value, [this, id, vid](bool) { retire_before(id, vid); }, dht::time_point::max(),
                        job.permanent);
            busy_.fetch_sub(1, std::memory_order_relaxed);
            lock.lock();
        }
    }

    // Runs on a DHT thread when the put of `vid` is done: stops announcing the record's values put before it
    // (all of them if `vid` is a tombstone). A put whose done never comes is retired by the next edit's.
    void retire_before(const RecordKey& id, dht::Value::Id vid) {
        std::lock_guard<std::mutex> a(announced_m_);
        auto it = announced_.find(id);
        if (it == announced_.end()) return;
        auto& ids = it->second;
        auto upto = std::find(ids.begin(), ids.end(), vid);
        for (auto i = ids.begin(); i != upto; ++i) runner_.cancelPut(id.first, *i);
        announced_count_ -= static_cast<std::size_t>(upto - ids.begin());
        ids.erase(ids.begin(), upto);
        if (ids.empty()) announced_.erase(it);
    }

    dht::DhtRunner& runner_;
    std::shared_ptr<dht::crypto::PrivateKey> key_;
    std::mutex m_;
    std::condition_variable cv_;
    bool stopping_ = false;
    std::atomic<std::size_t> busy_{0};
    std::deque<RecordKey> order_;
    std::map<RecordKey, Job> jobs_;
    // Values announced per record, oldest first (the last is the current edit). Bounded by the live records
    // times the edits whose put is not done yet.
    mutable std::mutex announced_m_;
    std::map<RecordKey, std::vector<dht::Value::Id>> announced_;
    std::size_t announced_count_ = 0;
    std::thread thread_;
};

}  // namespace

struct DhtNode::Impl : std::enable_shared_from_this<DhtNode::Impl> {
    asio::io_context& io;
    DhtNodeConfig config;
    dht::DhtRunner runner;
    dht::crypto::Identity identity;
    std::atomic<dht::NodeStatus> status{dht::NodeStatus::Disconnected};
    bool running = false;
    std::uint64_t next_token = 1;
    std::map<std::uint64_t, std::pair<dht::InfoHash, std::shared_future<std::size_t>>> listens;
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
    std::uint64_t msgs_out = 0, msgs_in = 0;

    Impl(asio::io_context& i, DhtNodeConfig c) : io(i), config(std::move(c)) {}

    void remember_key(const std::shared_ptr<dht::Value>& v) {
        if (!v->owner) return;
        std::lock_guard<std::mutex> lock(keys_mutex);
        if (keys.size() > 100000) keys.clear();  // bounded; keys are re-learned from the next value
        keys.emplace(v->owner->getId().toString(), v->owner);
    }
};

DhtNode::DhtNode(asio::io_context& io, DhtNodeConfig config) : impl_(std::make_shared<Impl>(io, std::move(config))) {}

DhtNode::~DhtNode() { stop(); }

void DhtNode::start() {
    Impl& m = *impl_;
    m.identity = load_or_create_identity(m.config.state_dir);

    dht::DhtRunner::Config cfg;
    cfg.dht_config.id = m.identity;
    cfg.dht_config.node_config.network = m.config.network;
    if (is_loopback(m.config.bind)) {
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
    auto err = [](char const* fmt, va_list ap) {
        if (!log::enabled(log::Level::debug)) return;
        char buf[512];
        std::vsnprintf(buf, sizeof buf, fmt, ap);
        // OpenDHT reports routine search events at this level; keep them for debugging only.
        log::write(log::Level::debug, std::string("dht: ") + buf);
    };
    ctx.logger = std::make_shared<dht::Logger>(err, dht::LogMethod{}, dht::LogMethod{});
    try {
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
    for (const auto& b : m.config.bootstrap) {
        auto colon = b.rfind(':');
        if (colon == std::string::npos) m.runner.bootstrap(b, "4222");
        else m.runner.bootstrap(b.substr(0, colon), b.substr(colon + 1));
    }
}

void DhtNode::stop() {
    if (!impl_ || !impl_->running) return;
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
std::string DhtNode::node_id() const { return impl_->runner.getNodeId().toString(); }
std::uint16_t DhtNode::bound_port() const { return impl_->runner.getBoundPort(AF_INET); }

bool DhtNode::ready() const {
    if (impl_->config.bootstrap.empty()) return impl_->running;
    return impl_->status.load() == dht::NodeStatus::Connected;
}

namespace {
std::uint64_t sum(const std::vector<unsigned>& v) {
    std::uint64_t s = 0;
    for (unsigned x : v) s += x;
    return s;
}
}  // namespace

// OpenDHT hands out counters since its last call and resets them, so they are accumulated here.
std::uint64_t DhtNode::messages_out() const {
    if (impl_->running) impl_->msgs_out += sum(impl_->runner.getNodeMessageStats(false));
    return impl_->msgs_out;
}

std::uint64_t DhtNode::messages_in() const {
    if (impl_->running) impl_->msgs_in += sum(impl_->runner.getNodeMessageStats(true));
    return impl_->msgs_in;
}

unsigned DhtNode::good_nodes() const {
    unsigned good = 0, dubious = 0, cached = 0, incoming = 0;
    impl_->runner.getNodesStats(AF_INET, &good, &dubious, &cached, &incoming);
    return good;
}

void DhtNode::publish(const std::string& key, std::uint64_t record_id, std::string data) {
    auto v = std::make_shared<dht::Value>(kRecordType.id, reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
    v->id = impl_->fresh_value_id(record_id);
    v->user_type = "application/json";
    impl_->records[record_id] = v->id;
    impl_->signer->submit({dht::InfoHash::get(key), record_id, std::move(v), /*permanent=*/true});
}

void DhtNode::withdraw(const std::string& key, std::uint64_t record_id, std::string tombstone) {
    auto it = impl_->records.find(record_id);
    if (it == impl_->records.end()) return;  // never published (or already withdrawn): nothing to replace
    impl_->records.erase(it);
    auto v = std::make_shared<dht::Value>(kRecordType.id, reinterpret_cast<const std::uint8_t*>(tombstone.data()),
                                          tombstone.size());
    v->id = impl_->fresh_value_id(record_id);
    v->user_type = "application/json";
    impl_->signer->submit({dht::InfoHash::get(key), record_id, std::move(v), /*permanent=*/false});
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
    if (pk) impl_->runner.putEncrypted(h, pk, v, [](bool) {});
    else impl_->runner.putEncrypted(h, dht::InfoHash(to_hub_id), v, [](bool) {});
}

void DhtNode::send_plain(const std::string& key, std::string data) {
    auto v = std::make_shared<dht::Value>(kSignalType.id, reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
    v->id = dht::Value::INVALID_ID;  // a random id
    impl_->runner.put(dht::InfoHash::get(key), v, [](bool) {});
}

std::uint64_t DhtNode::listen(const std::string& key, ListenCallback cb) {
    auto h = dht::InfoHash::get(key);
    std::weak_ptr<Impl> weak = impl_;
    auto shared_cb = std::make_shared<ListenCallback>(std::move(cb));
    auto fut = impl_->runner.listen(h, [weak, shared_cb](const std::vector<std::shared_ptr<dht::Value>>& values, bool expired) {
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
        // Hand over to the io thread; never do work on the DHT thread.
        asio::post(self->io, [weak, shared_cb, out = std::move(out), expired] {
            if (weak.lock()) (*shared_cb)(out, expired);
        });
        return true;
    });
    const std::uint64_t token = impl_->next_token++;
    impl_->listens.emplace(token, std::make_pair(h, fut.share()));
    return token;
}

void DhtNode::get(const std::string& key, GetCallback cb) {
    std::weak_ptr<Impl> weak = impl_;
    auto found = std::make_shared<std::vector<DhtValue>>();
    auto shared_cb = std::make_shared<GetCallback>(std::move(cb));
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
        [weak, found, shared_cb](bool) {
            auto self = weak.lock();
            if (!self) return;
            asio::post(self->io, [weak, found, shared_cb] {
                if (weak.lock()) (*shared_cb)(*found);
            });
        });
}

void DhtNode::cancel_listen(std::uint64_t token) {
    auto it = impl_->listens.find(token);
    if (it == impl_->listens.end()) return;
    impl_->runner.cancelListen(it->second.first, it->second.second);
    impl_->listens.erase(it);
}

}  // namespace pigeonhub
