// Signed data on the mesh (issue 11; docs/DATA.md): what POST /api/publish, GET /api/find/:topic and
// POST /api/replicate do.
//
// - publish: checks the body (data_record.h), signs the record with the hub's Ed25519 key unless the publisher
//   signed it, stores it (RecordStore) and answers 201 at once; then puts it into the DHT under
//   h("pigeonhub/<app>/data/<topic>") (DhtPort::put_data). When the DHT has no good nodes or the put fails, the
//   record is replicated over HTTP to every hub known (Replicator: PUBLIC_URLs of /hubs and REPLICATION_PEERS).
// - find: the topic's records from the DHT (one lookup, at most kFindWaitMs) merged with the local store (each
//   verified; what the DHT brings is kept locally too), newest first.
// - replicate: records from other hubs (or anyone), verified, stored, and put into the DHT when it has nodes.
// Records not yet in the DHT (published while it was away, replicated, loaded at start) are put into it once it
// has good nodes again, a batch a second. The store is saved to STATE_DIR a second after a change and at stop.
//
// Threading: io thread only (DhtPort and Replicator callbacks run there).
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "data/data_record.h"
#include "data/data_stats.h"
#include "data/record_store.h"
#include "mesh/dht_port.h"
#include "util/clock_fn.h"

namespace pigeonhub {

class Replicator;

struct DataReply {
    int status = 200;
    std::string body;  // JSON
};


class DataService {
public:
    static constexpr std::int64_t kFindWaitMs = 1500;
    static constexpr std::size_t kMaxBodyBytes = 64 * 1024;  // larger publish or replicate bodies: 413

    struct Options {
        std::string app_id;
        std::string state_dir;
        std::vector<std::string> replication_peers;  // REPLICATION_PEERS: hub base URLs
        data::RecordStore::Limits limits;
    };
    // `hub_urls()` lists the PUBLIC_URLs other hubs publish (replication targets besides the configured ones).
    DataService(asio::io_context& io, Options options, DhtPort& dht, Replicator& replicator,
                std::function<std::vector<std::string>()> hub_urls, Clock clock = system_clock_ms());
    ~DataService();

    // Loads (or creates) the key and the stored records (what was skipped goes to the log), and starts the
    // one-second timer (tick). Throws std::runtime_error when the key cannot be read or created.
    void start();
    // Saves the store. Idempotent.
    void stop();

    using Respond = std::function<void(DataReply)>;
    void publish(std::string_view body, const Respond& respond);
    void replicate(std::string_view body, const Respond& respond);
    void find(std::string topic, Respond respond);

    // What the timer does once a second: expiry, DHT catch-up, saving. Public for tests.
    void tick();
    DataStats stats() const;
    const data::Ed25519Key& key() const noexcept { return key_; }

private:
    std::string dht_key(std::string_view topic) const;
    // Puts `r` into the DHT (once at a time); on failure, over HTTP if `replicate_on_failure` (publishes only:
    // replicated and caught-up records are not passed on).
    void to_dht(const data::Record& r, bool replicate_on_failure);
    void replicate_over_http(const data::Record& r);
    std::vector<std::string> replication_targets() const;
    // Verified records from a DHT lookup into the store.
    void absorb(const std::vector<DhtValue>& values, std::string_view topic);
    bool store(data::Record r, bool in_dht);
    void save();
    void arm_timer();

    asio::io_context& io_;
    Options options_;
    DhtPort& dht_;
    Replicator& replicator_;
    std::function<std::vector<std::string>()> hub_urls_;
    Clock clock_;
    asio::steady_timer timer_;
    data::Ed25519Key key_;
    data::RecordStore store_;
    DataStats stats_;
    std::set<std::string> in_flight_;  // DHT puts under way (topic, key, seq); bounded by the store
    std::uint64_t last_seq_ = 0;
    bool dirty_ = false;
    bool started_ = false;
    std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace pigeonhub
