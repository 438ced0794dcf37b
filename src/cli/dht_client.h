// The CLI's own DHT node: a dht::DhtRunner with a fresh identity (EC, in memory: nothing written to disk), joined
// through --bootstrap. The only CLI file that includes OpenDHT (dht_client.cpp).
//
// Threading: OpenDHT runs its own threads; every method here blocks the caller until OpenDHT answers or the
// deadline passes, except listen(), whose callback runs on OpenDHT's thread (keep it short; the listen command
// hands values to the main thread through a queue). Not for use from two threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_format.h"
#include "cli/cli_parse.h"

namespace pigeonhub::cli {

struct DhtClientConfig {
    std::string bind = "127.0.0.1";       // IPv4 address of the UDP socket
    std::uint16_t port = 0;               // 0: any free port
    std::vector<std::string> bootstrap;   // host:port (port 4222 when absent)
    std::uint32_t network = 0;            // OpenDHT network id (must match the hubs' DHT_NETWORK)
};

struct DhtInfo {
    std::string node_id;          // the DHT node id
    std::string public_key_id;    // this identity's id (owner of what `put --signed` stores)
    std::uint16_t port = 0;
    unsigned good = 0, dubious = 0, cached = 0, incoming = 0;
    unsigned table_depth = 0;     // depth of the IPv4 routing table
    unsigned searches = 0;
    std::size_t stored_values = 0, stored_bytes = 0;
    bool connected = false;
};

class DhtClient {
public:
    // Starts the node and bootstraps. Throws std::runtime_error with a readable reason.
    explicit DhtClient(DhtClientConfig config);
    ~DhtClient();
    DhtClient(const DhtClient&) = delete;
    DhtClient& operator=(const DhtClient&) = delete;

    // Waits until the node is connected to the DHT; false after `deadline`.
    bool wait_connected(std::chrono::milliseconds deadline);
    // The values under `key` now (one lookup); what came before `deadline` if it passes.
    std::vector<RawValue> get(const DhtKey& key, std::chrono::milliseconds deadline);
    // Puts `data` under `key` (signed by this node's identity when `sign`) with value type `type` (0: OpenDHT's
    // default, 10 min; a data::kLifetimeClasses type, as hubs put data records). True once stored on at least one node.
    bool put(const DhtKey& key, std::string data, bool sign, std::uint16_t type, std::chrono::milliseconds deadline);
    // Values under `key` now and later; `on_value` runs on OpenDHT's thread. Returns a token for cancel_listen.
    std::uint64_t listen(const DhtKey& key, std::function<void(const RawValue&)> on_value);
    void cancel_listen(std::uint64_t token);
    DhtInfo info() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pigeonhub::cli
