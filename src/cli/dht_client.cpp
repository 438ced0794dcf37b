#include "cli/dht_client.h"

#include <opendht.h>

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "data/data_lifetime.h"

namespace pigeonhub::cli {
namespace {

dht::InfoHash hash_of(const DhtKey& key) {
    return key.is_hash ? dht::InfoHash(key.text) : dht::InfoHash::get(key.text);
}

RawValue raw_of(const dht::Value& v, bool expired) {
    RawValue r;
    r.id = v.id;
    if (v.owner) r.owner = v.owner->getId().toString();
    r.data.assign(v.data.begin(), v.data.end());
    r.expired = expired;
    return r;
}

}  // namespace

struct DhtClient::Impl {
    dht::DhtRunner runner;
    dht::crypto::Identity identity;
    std::map<std::uint64_t, std::pair<dht::InfoHash, std::shared_future<std::size_t>>> listens;
    std::uint64_t next_token = 1;
    std::atomic<dht::NodeStatus> status{dht::NodeStatus::Disconnected};  // IPv4, set on OpenDHT's thread
};

DhtClient::DhtClient(DhtClientConfig config) : impl_(std::make_unique<Impl>()) {
    impl_->identity = dht::crypto::generateEcIdentity("pigeonhub-cli");
    dht::DhtRunner::Config cfg;
    cfg.dht_config.id = impl_->identity;
    cfg.dht_config.node_config.network = config.network;
    // Every node on loopback shares one IP: the per-IP limiter would throttle a local mesh (as in dht_node.cpp).
    if (config.bind.rfind("127.", 0) == 0) {
        cfg.dht_config.node_config.max_req_per_sec = -1;
        cfg.dht_config.node_config.max_peer_req_per_sec = -1;
    }
    cfg.threaded = true;
    auto addrs = dht::SockAddr::resolve(config.bind, std::to_string(config.port));
    if (addrs.empty()) throw std::runtime_error("cannot resolve --bind " + config.bind);
    cfg.bind4 = addrs.front();  // IPv4 only: run(port) would also bind [::]
    dht::DhtRunner::Context ctx;  // no logger: OpenDHT stays quiet
    ctx.statusChangedCallback = [impl = impl_.get()](dht::NodeStatus v4, dht::NodeStatus) { impl->status = v4; };
    try {
        impl_->runner.run(cfg, std::move(ctx));
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot start the DHT node on " + config.bind + ":" + std::to_string(config.port) +
                                 ": " + e.what());
    }
    // As hubs register them (src/mesh/dht_node.cpp): one data type per lifetime class.
    for (const auto& c : data::kLifetimeClasses)
        impl_->runner.registerType(dht::ValueType(c.value_type, c.name, c.lifetime));
    for (const auto& b : config.bootstrap) {
        const auto colon = b.rfind(':');
        if (colon == std::string::npos) impl_->runner.bootstrap(b, "4222");
        else impl_->runner.bootstrap(b.substr(0, colon), b.substr(colon + 1));
    }
}

DhtClient::~DhtClient() {
    for (auto& [token, l] : impl_->listens) impl_->runner.cancelListen(l.first, l.second);
    auto done = std::make_shared<std::promise<void>>();
    auto fut = done->get_future();
    impl_->runner.shutdown([done] { done->set_value(); });
    fut.wait_for(std::chrono::seconds(1));
    impl_->runner.join();
}

bool DhtClient::wait_connected(std::chrono::milliseconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    for (;;) {
        if (impl_->status.load() == dht::NodeStatus::Connected) return true;
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

std::vector<RawValue> DhtClient::get(const DhtKey& key, std::chrono::milliseconds deadline) {
    struct Shared {
        std::mutex mutex;
        std::vector<RawValue> found;
        std::promise<void> done;
    };
    auto shared = std::make_shared<Shared>();
    auto fut = shared->done.get_future();
    impl_->runner.get(
        hash_of(key),
        [shared](const std::vector<std::shared_ptr<dht::Value>>& values) {
            std::lock_guard<std::mutex> lock(shared->mutex);
            for (const auto& v : values) shared->found.push_back(raw_of(*v, false));
            return true;
        },
        [shared](bool) { shared->done.set_value(); });
    fut.wait_for(deadline);
    std::lock_guard<std::mutex> lock(shared->mutex);
    return shared->found;
}

bool DhtClient::put(const DhtKey& key, std::string data, bool sign, std::uint16_t type,
                    std::chrono::milliseconds deadline) {
    auto v = std::make_shared<dht::Value>(type, reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
    auto done = std::make_shared<std::promise<bool>>();
    auto fut = done->get_future();
    auto cb = [done](bool ok) { done->set_value(ok); };
    if (sign) impl_->runner.putSigned(hash_of(key), v, cb);
    else impl_->runner.put(hash_of(key), v, cb);
    return fut.wait_for(deadline) == std::future_status::ready && fut.get();
}

std::uint64_t DhtClient::listen(const DhtKey& key, std::function<void(const RawValue&)> on_value) {
    const auto h = hash_of(key);
    auto fut = impl_->runner.listen(h, [on_value = std::move(on_value)](
                                           const std::vector<std::shared_ptr<dht::Value>>& values, bool expired) {
        for (const auto& v : values) on_value(raw_of(*v, expired));
        return true;
    });
    const auto token = impl_->next_token++;
    impl_->listens.emplace(token, std::make_pair(h, fut.share()));
    return token;
}

void DhtClient::cancel_listen(std::uint64_t token) {
    auto it = impl_->listens.find(token);
    if (it == impl_->listens.end()) return;
    impl_->runner.cancelListen(it->second.first, it->second.second);
    impl_->listens.erase(it);
}

DhtInfo DhtClient::info() const {
    DhtInfo i;
    auto& r = impl_->runner;
    i.node_id = r.getNodeId().toString();
    i.public_key_id = impl_->identity.second ? impl_->identity.second->getId().toString() : "";
    i.port = r.getBoundPort(AF_INET);
    const auto stats = r.getNodesStats(AF_INET);
    i.good = stats.good_nodes;
    i.dubious = stats.dubious_nodes;
    i.cached = stats.cached_nodes;
    i.incoming = stats.incoming_nodes;
    i.table_depth = stats.table_depth;
    i.searches = stats.searches;
    const auto store = r.getStoreSize();
    i.stored_values = store.first;
    i.stored_bytes = store.second;
    i.connected = impl_->status.load() == dht::NodeStatus::Connected;
    return i;
}

}  // namespace pigeonhub::cli
