// The hub's OpenDHT node: the DhtPort (dht_port.h) over OpenDHT, so that only dht_node.cpp includes OpenDHT.
//
// It owns a dht::DhtRunner (its own threads) bound to one UDP address, and the hub's RSA identity, kept in
// the state directory (identity.pem mode 0600, identity.crt) so that the hub id survives restarts.
// Every callback given here runs on the io_context passed to the constructor, never on a DHT thread.
// Methods may be called from the io thread only.
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mesh/dht_port.h"
#include "mesh/dht_traffic.h"

namespace pigeonhub {

struct DhtNodeConfig {
    std::string bind = "127.0.0.1";        // IPv4 address for the UDP socket
    std::uint16_t port = 4222;             // 0 = any free port
    std::vector<std::string> bootstrap;    // "host:port" of nodes to join at start
    bool joins = false;                    // other nodes are expected (bootstrap now or later); else a one-node DHT
    bool public_network = false;           // PUBLIC: OpenDHT's rate limits stay on; the routing table is kept in
                                           // state_dir (dht-nodes.bin) across restarts
    std::uint32_t network = 0;             // OpenDHT network id
    std::string state_dir;                 // where the identity lives
    std::size_t receive_buffer = 4 << 20;  // bytes asked for the UDP socket's receive buffer (0: the kernel's
                                           // default); udp_receive_buffer.h says why
};

class DhtNode final : public DhtPort {
public:
    DhtNode(asio::io_context& io, DhtNodeConfig config);
    ~DhtNode();

    // Loads or creates the identity, binds, joins the bootstrap nodes. Throws std::runtime_error with a clear
    // message on failure (unreadable state dir, port in use, ...).
    void start();
    // Leaves the DHT and joins its threads. Idempotent.
    void stop();

    std::string hub_id() const override;  // public key id of the identity (40 hex): this hub's id
    std::string certificate() const override;  // the identity's certificate (PEM, without its issuer)
    std::string node_id() const;    // DHT routing id (40 hex)
    std::uint16_t bound_port() const;
    // Connected to at least one other node, or running alone with no bootstrap configured.
    bool ready() const override;
    unsigned good_nodes() const override;
    // DHT messages sent and received since start (dht_traffic.h: requests by kind, datagrams sent).
    DhtTraffic traffic() const;
    // Operations asked of OpenDHT since start, for /metrics. Failures as OpenDHT reports them in its done callbacks
    // (the puts of records, re-announced by OpenDHT, report none here).
    struct OpStats {
        std::uint64_t puts = 0, put_failures = 0;
        std::uint64_t gets = 0, get_failures = 0;
        std::uint64_t listens = 0;        // listens started
        std::uint64_t listens_active = 0; // now
        std::uint64_t listen_keys = 0;    // keys with an OpenDHT listen (kept for the node's life: dht_node.cpp)
    };
    OpStats op_stats() const;

    void bootstrap(const std::string& host, const std::string& port) override;
    // Writes the routing table to state_dir/dht-nodes.bin (PUBLIC; also done at stop). "" or why not.
    std::string save_nodes() const;

    // A value under `key` for the record `record_id` (each call is a new edit of it), kept alive (re-put
    // by OpenDHT) until the next edit or the withdrawal. Each edit is a new value with a fresh value id, never
    // an in-place edit (docs/MESH.md): `data` must carry what orders the edits (mesh_records.h: seq). Signed with
    // the node's identity unless `signing` is in_data (then put plain, through the same ordered queue).
    void publish(const std::string& key, std::uint64_t record_id, std::string data, RecordSigning signing) override;
    // Replaces the record by a tombstone `tombstone` (a new value, not refreshed: it lives one expiry), so that
    // listeners learn at once instead of at expiry. A record never published is left alone.
    void withdraw(const std::string& key, std::uint64_t record_id, std::string tombstone, RecordSigning signing) override;
    // Records published or withdrawn that are still being signed (on the node's signing thread).
    std::size_t records_signing() const override;
    // Values still announced by this node, replaced ones whose successor's put is not done yet included.
    std::size_t values_announced() const;
    // A one-off value under `key`, signed by us and encrypted to the hub `to_hub_id`.
    void send_encrypted(const std::string& key, const std::string& to_hub_id, std::string data) override;
    // A one-off value under `key`, neither signed nor encrypted by OpenDHT (the caller seals it).
    void send_plain(const std::string& key, std::string data) override;

    void put_data(const std::string& key, std::string data, std::chrono::milliseconds remaining,
                  std::function<void(bool ok)> done) override;

    // Values on `key` now and later (signed and verified, or decrypted when addressed to us). Returns a
    // token for cancel_listen, which detaches it: the key's OpenDHT listen is kept for the node's life (OpenDHT
    // 2.4.12 cannot cancel one on an IPv4-only node), and the next listen on the key attaches to it again.
    std::uint64_t listen(const std::string& key, ListenCallback cb) override;
    void cancel_listen(std::uint64_t token) override;
    // The values on `key` now; cb runs on the io thread. On a key this node listens to, OpenDHT 2.4.12 answers
    // from the listen's own search without asking the network again (docs/MESH.md).
    void get(const std::string& key, GetCallback cb) override;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace pigeonhub
