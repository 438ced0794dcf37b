// What the hub mesh needs from a DHT, and nothing else: the seam between the mesh's logic and OpenDHT.
//
// Implemented by DhtNode over OpenDHT (dht_node.h, the only code that includes OpenDHT) and, for tests, by an
// in-memory fake (tests/unit/fake_dht.h). Parts above the port talk to the port only.
//
// Contract (both implementations):
// - Threading: every method is called on the owner's io thread; every callback runs on that io thread, never
//   inside the call that registered it.
// - Records: publish() puts a record (signed by the node, or plain when its data carries its own signature) and
//   keeps it alive (lease: kRecordLease) until the next edit or the
//   withdrawal; every edit is a new value with a new value id (docs/MESH.md), so the data must carry its own
//   order. withdraw() replaces the record by a tombstone that lives one lease.
// - Values seen by listen()/get() carry the signer's id (`owner`, empty for unsigned values); values encrypted
//   to another hub are never seen. A listener also hears of values that expire (`expired` = true).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pigeonhub {

// How long a record lives without being re-announced, and so how long a dead hub's records outlive it.
inline constexpr std::chrono::seconds kRecordLease{30};

// Who signs a record: the DHT node (OpenDHT's RSA signature; listeners see its id as the value's owner), or nobody
// (a plain value whose data carries its own signature, as presence pages do: page_signature.h).
enum class RecordSigning : std::uint8_t { dht, in_data };

// One value seen on a key: who signed it (40-hex public key id, empty if unsigned) and its bytes.
struct DhtValue {
    std::uint64_t id = 0;
    std::string owner;
    std::string data;
};

class DhtPort {
public:
    virtual ~DhtPort() = default;

    // This hub's id on the DHT (the public key id of its identity, 40 hex).
    virtual std::string hub_id() const = 0;
    // This hub's identity certificate (PEM), shown to other hubs in its hub record (Membership checks it).
    virtual std::string certificate() const = 0;
    // Connected to at least one other node, or running alone by configuration.
    virtual bool ready() const = 0;
    // Other DHT nodes this one can reach now (0 when alone, by configuration or not).
    virtual unsigned good_nodes() const = 0;

    // Joins the DHT through the node at host:port as well (bootstrap candidates found after start).
    virtual void bootstrap(const std::string& host, const std::string& port) = 0;

    // A value under `key` for the record `record_id` (each call is a new edit of it), signed as `signing` says.
    virtual void publish(const std::string& key, std::uint64_t record_id, std::string data,
                         RecordSigning signing = RecordSigning::dht) = 0;
    // Replaces the record by a tombstone (signed as `signing` says). A record never published is left alone.
    virtual void withdraw(const std::string& key, std::uint64_t record_id, std::string tombstone,
                          RecordSigning signing = RecordSigning::dht) = 0;
    // Records published or withdrawn that are not yet handed to the network (being signed).
    virtual std::size_t records_signing() const = 0;

    // A one-off value under `key`, signed by this hub and encrypted to the hub `to_hub_id`.
    virtual void send_encrypted(const std::string& key, const std::string& to_hub_id, std::string data) = 0;
    // A one-off value under `key`, neither signed nor encrypted (the caller seals it).
    virtual void send_plain(const std::string& key, std::string data) = 0;

    // A one-off value under `key` (it is never re-announced), neither signed nor encrypted (data records carry their
    // own signature), that storage nodes keep for the shortest lifetime class covering `remaining`
    // (data/data_lifetime.h). `done(ok)` runs on the io thread once the put is done.
    virtual void put_data(const std::string& key, std::string data, std::chrono::milliseconds remaining,
                          std::function<void(bool ok)> done) = 0;

    using ListenCallback = std::function<void(const std::vector<DhtValue>& values, bool expired)>;
    // Values on `key` now and later. Returns a token for cancel_listen.
    virtual std::uint64_t listen(const std::string& key, ListenCallback cb) = 0;
    virtual void cancel_listen(std::uint64_t token) = 0;
    using GetCallback = std::function<void(const std::vector<DhtValue>& values)>;
    // The values on `key` now (one lookup).
    virtual void get(const std::string& key, GetCallback cb) = 0;
};

}  // namespace pigeonhub
