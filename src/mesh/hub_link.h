// Sealed signal channels between hubs.
//
// A signal for a peer on another hub used to travel as a DHT value signed by the sending hub and encrypted to
// the receiving one: an RSA-2048 private-key operation on each side, about 1 ms of CPU each here and most of
// the cross-hub latency. Now each sending hub draws a random AES-256 key per receiving hub and sends it once
// that way (signed, encrypted); the signals themselves travel as unsigned DHT values sealed with AES-256-GCM:
//
//   key message    "PHK1" key_id(8) key(32)       signed by the sender, encrypted to the receiver (RSA)
//   key request    "PHN1" key_id(8)               signed by the receiver, encrypted to the sender (RSA)
//   sealed signal  "PHS1" from_hub(40 hex) key_id(8) counter(8) ciphertext tag(16)
//                  nonce = counter(8) || 0(4); authenticated data = the 60-byte header and to_hub (40 hex)
//
// Keys live in one process only and counters start at 1, so a nonce never repeats under a key. The receiver
// asks for a key it does not know (after its own restart, or when a key message is late or lost) and refuses
// replays with a window of the last 1024 counters per key. Pure logic on nettle; no I/O.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pigeonhub::hub_link {

struct LinkKey {
    std::uint64_t id = 0;
    std::array<std::uint8_t, 32> bytes{};

    static LinkKey random();
};

std::string encode_key_message(const LinkKey& key);
std::optional<LinkKey> decode_key_message(std::string_view data);
std::string encode_key_request(std::uint64_t key_id);
std::optional<std::uint64_t> decode_key_request(std::string_view data);

struct SealedHeader {
    std::string_view from_hub;  // 40 hex
    std::uint64_t key_id = 0;
    std::uint64_t counter = 0;
};
// The header of a sealed signal; nullopt if `data` is not one (wrong magic, too short, bad hub id).
std::optional<SealedHeader> parse_sealed(std::string_view data);

// Sender side: seals the signals from one hub to another under one key.
class Sealer {
public:
    Sealer(std::string from_hub, std::string to_hub, LinkKey key)
        : from_(std::move(from_hub)), to_(std::move(to_hub)), key_(key) {}
    std::string seal(std::string_view plaintext);
    const LinkKey& key() const noexcept { return key_; }

private:
    std::string from_, to_;
    LinkKey key_;
    std::uint64_t counter_ = 0;
};

// Receiver side: the keys other hubs sent to this one, at most keys_per_hub per hub and max_hubs hubs (at the
// bound, the hub whose keys came first is forgotten; its next signal makes this hub ask for its key again).
class Keyring {
public:
    explicit Keyring(std::string self_hub, std::size_t max_hubs = 4096, std::size_t keys_per_hub = 2)
        : self_(std::move(self_hub)), max_hubs_(max_hubs), keys_per_hub_(keys_per_hub) {}

    void add(std::string_view from_hub, const LinkKey& key);
    bool has(std::string_view from_hub, std::uint64_t key_id) const;
    // Forgets every key of `from_hub` (it no longer counts as a hub).
    void forget(std::string_view from_hub);

    enum class Opened { ok, unknown_key, forged, replayed };
    // Authenticates and decrypts a sealed signal addressed to this hub.
    Opened open(std::string_view data, const SealedHeader& header, std::string& plaintext);
    std::size_t hubs() const noexcept { return by_hub_.size(); }

private:
    struct Entry {
        LinkKey key;
        std::uint64_t highest = 0;   // highest counter accepted
        std::bitset<1024> window;    // bit i: counter highest - i was accepted
    };
    std::string self_;
    std::size_t max_hubs_, keys_per_hub_;
    std::map<std::string, std::vector<Entry>, std::less<>> by_hub_;
    std::deque<std::string> order_;  // hubs in the order they were first added, for eviction
};

}  // namespace pigeonhub::hub_link
