// An in-memory DHT for mesh tests: several FakeDht nodes (one per hub) share one FakeDhtNet, which stores the
// values, delivers them to listeners and lookups, and expires them, on a clock the test moves by hand.
//
// It keeps DhtPort's contract (dht_port.h) and the behaviours of OpenDHT the mesh must cope with:
// - every edit of a record is a new value; the values it replaces stay stored one lease (kRecordLease) after
//   they stop being announced, and listeners hear of their expiry;
// - a killed node stops announcing: its records expire one lease later;
// - values encrypted to a hub reach only that hub's listeners;
// - deliveries can be late (`delay_ms`), reordered (`jitter_ms`, seeded), and listen pushes lost (`loss`);
//   lookups and a listen's first batch are never lost (OpenDHT retries those).
// Callbacks are posted to the io_context at their due time: a test moves the clock with advance() and then
// runs io.poll() (settle() does both until nothing is due).
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "mesh/dht_port.h"

namespace pigeonhub::testing {

class FakeDht;

class FakeDhtNet {
public:
    explicit FakeDhtNet(asio::io_context& io) : io_(io) {}

    // A node for hub `hub_id` (its records are signed as that hub).
    std::unique_ptr<FakeDht> node(std::string hub_id);

    std::int64_t now_ms() const noexcept { return now_; }
    // Moves the clock by `ms`, delivering and expiring what falls due on the way (posted to the io_context).
    void advance(std::int64_t ms);
    // advance() in small steps and io.poll() until nothing is due within `horizon_ms` (leased values are not
    // waited for) or `max_ms` passed. Returns the fake time spent.
    std::int64_t settle(std::int64_t max_ms = 10000, std::int64_t horizon_ms = 1000);

    // Stops every announce of `hub_id` (its process died): its records expire one lease from now.
    void kill(const std::string& hub_id);
    // Delivers `value` again under `key` as a new value (a replay by anyone on the DHT).
    void replay(const std::string& key, const DhtValue& value);
    // The values stored under `key` now.
    std::vector<DhtValue> stored(const std::string& key) const;
    // Listens `hub_id`'s node has open on keys that start with `key_prefix`.
    std::size_t listens(const std::string& hub_id, const std::string& key_prefix) const;

    std::int64_t delay_ms = 1;   // every delivery at least this late
    std::int64_t jitter_ms = 0;  // plus 0..jitter_ms (reorders deliveries)
    double loss = 0;             // fraction of listen pushes lost
    std::uint64_t seed = 1;

private:
    friend class FakeDht;
    struct Stored {
        std::uint64_t id = 0;
        std::string owner;   // signer, empty if unsigned
        std::string publisher;  // the node that put it (whose death or next edit retires it)
        std::string to;      // encrypted to this hub, empty if readable by all
        std::string data;
        std::uint64_t record = 0;  // the publisher's logical record (0: one-off value)
        bool announced = false;    // re-announced by its publisher: does not expire
        std::int64_t expires_ms = 0;
    };
    struct Listener {
        FakeDht* node;
        std::string key;
        DhtPort::ListenCallback cb;
    };
    struct Event {
        std::int64_t due;
        std::uint64_t order;
        std::function<void()> fire;
    };

    void store(const std::string& key, Stored v);
    void retire(const std::string& key, const std::string& owner, std::uint64_t record, std::uint64_t keep_id);
    void schedule(std::int64_t due, std::function<void()> fire);
    std::int64_t latency();
    void push(std::uint64_t token, std::vector<DhtValue> values, bool expired, bool may_lose);
    static bool visible(const Stored& v, const std::string& hub) { return v.to.empty() || v.to == hub; }
    static DhtValue view(const Stored& v) { return DhtValue{v.id, v.owner, v.data}; }
    void expire_due();
    // What `hub` can read under `key` now (values encrypted to other hubs left out).
    std::vector<DhtValue> visible_values(const std::string& key, const std::string& hub) const;
    bool alive(std::uint64_t token) const { return listeners_.count(token) != 0; }

    asio::io_context& io_;
    std::int64_t now_ = 0;
    std::uint64_t next_value_id_ = 1;
    std::uint64_t next_token_ = 1;
    std::uint64_t next_order_ = 0;
    std::mt19937_64 rng_{1};
    std::uint64_t seeded_with_ = 0;
    std::map<std::string, std::vector<Stored>> store_;
    std::map<std::uint64_t, Listener> listeners_;
    std::multimap<std::pair<std::int64_t, std::uint64_t>, std::function<void()>> events_;
    std::set<std::string> dead_;
};

class FakeDht final : public DhtPort {
public:
    FakeDht(FakeDhtNet& net, std::string hub_id) : net_(net), hub_id_(std::move(hub_id)) {}
    ~FakeDht() override;

    std::string hub_id() const override { return hub_id_; }
    // "cert:" + hub id unless a test sets another (see the verifier in hub_mesh_test.cpp).
    std::string certificate() const override { return certificate_.empty() ? "cert:" + hub_id_ : certificate_; }
    bool ready() const override { return ready_; }
    unsigned good_nodes() const override { return good_nodes_; }
    void publish(const std::string& key, std::uint64_t record_id, std::string data,
                 RecordSigning signing = RecordSigning::dht) override;
    void withdraw(const std::string& key, std::uint64_t record_id, std::string tombstone,
                  RecordSigning signing = RecordSigning::dht) override;
    std::size_t records_signing() const override { return 0; }
    void send_encrypted(const std::string& key, const std::string& to_hub_id, std::string data) override;
    void send_plain(const std::string& key, std::string data) override;
    void bootstrap(const std::string& host, const std::string& port) override { bootstraps.push_back(host + ":" + port); }
    // Stored when the node has good nodes (a put with none fails, as OpenDHT's does).
    void put_data(const std::string& key, std::string data, std::chrono::milliseconds remaining,
                  std::function<void(bool)> done) override;
    std::uint64_t listen(const std::string& key, ListenCallback cb) override;
    void cancel_listen(std::uint64_t token) override;
    void get(const std::string& key, GetCallback cb) override;

    bool ready_ = true;
    std::vector<std::string> bootstraps;  // what bootstrap() was asked to join
    unsigned good_nodes_ = 1;
    std::string certificate_;

private:
    void put(const std::string& key, std::string owner, std::string to, std::string data, std::uint64_t record,
             bool announced, std::int64_t lifetime_ms = 0);

    FakeDhtNet& net_;
    std::string hub_id_;
    std::set<std::pair<std::string, std::uint64_t>> published_;  // (key, record) live
    std::set<std::uint64_t> tokens_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // lookups answer only a living node
};

}  // namespace pigeonhub::testing
