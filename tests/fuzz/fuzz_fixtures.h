// What the fuzz targets and the seed generator (make_seeds.cpp) share: fixed keys and ids (the seeds are signed or
// sealed with these, so that a target fed its corpus reaches the verify and decrypt paths) and a checking Outbox.
#pragma once
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bootstrap/bootstrap_document.h"
#include "pigeonhub/config.h"
#include "data/data_record.h"
#include "mesh/hub_link.h"
#include "protocol/json.h"
#include "signaling/outbox.h"

namespace pigeonhub::fuzz {

inline constexpr std::string_view kHubA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";  // a sealed signal's sender
inline constexpr std::string_view kHubB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";  // its receiver
inline constexpr std::string_view kHubC = "cccccccccccccccccccccccccccccccccccccccc";  // a revoked hub
inline constexpr std::string_view kLocalPeer = "2222222222222222222222222222222222222222";  // a peer on kHubB
inline constexpr std::string_view kApp = "pigeonhub";
inline constexpr std::string_view kNamespace = "global";
// Presence keys as a hub with the default MESH_NAMESPACE_BUCKETS derives them (the seeds are signed under them).
inline const std::uint32_t kBuckets = MeshOptions{}.namespace_buckets;

// The page key presence pages are signed with.
inline const data::Ed25519Key& page_signing_key() {
    static const data::Ed25519Key key = [] {
        std::array<std::uint8_t, 32> seed;
        seed.fill(0x42);
        return data::Ed25519Key::from_seed(seed);
    }();
    return key;
}

// The link key kHubA seals its signals to kHubB with.
inline hub_link::LinkKey link_key() {
    hub_link::LinkKey k;
    k.id = 0x0102030405060708ull;
    k.bytes.fill(0x5a);
    return k;
}

// An Outbox that aborts on any frame that is not valid JSON (what a client would fail to parse).
class CheckingOutbox : public Outbox {
public:
    void send(Slot, OutFrame f) override {
        if (!json::validate(f.text())) std::abort();
        ++sent;
    }
    void probe(Slot) override {}
    std::size_t sent = 0;
};

// A bootstrap document of app "app" signed at time 1000 (bootstrap_document_fuzz checks it at 1000).
inline const std::string& signed_bootstrap_document() {
    static const std::string text = [] {
        std::array<std::uint8_t, 32> seed;
        seed.fill(7);
        bootstrap::BootstrapDocument d;
        d.app_id = "app";
        d.hub_id = std::string(40, 'a');
        d.url = "wss://h.example/";
        d.region = "r";
        d.dht = {"h.example:4222", "[::1]:1"};
        bootstrap::KnownHub h;
        h.u = "https://o.example";
        h.description = "d\xc3\xa9";
        d.hubs = {h, h};
        d.timestamp = 1000;
        return bootstrap::sign_document(d, data::Ed25519Key::from_seed(seed));
    }();
    return text;
}

}  // namespace pigeonhub::fuzz
