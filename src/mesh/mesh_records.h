// The JSON records hubs exchange through the DHT, and the keys they live under. Pure functions.
//
//   presence  key h(app, "nsb", K, b) with b = bucket of N among K (presence_key; K = 0: h(app, "ns", N))
//                                   {"v":4,"hubId":H,"network":N,"page":I,"seq":S,"peers":[{"peerId":P,"data":{...}},...],
//                                    "sig":G}   a plain DHT value; G: H's Ed25519 signature (page_signature.h)
//             one page of up to ~48 KB per (hub, namespace, page index I); an empty list withdraws the page.
//             Every edit of a page is a new DHT value (docs/MESH.md); S orders the edits: of two values of one
//             page, the one with the higher S is the page.
//   inbox     key h(app, "hub", H)  {"v":1,"from":F,"epoch":E,"seq":S,"to":T,"network":N,"msg":{...}} (encrypted to H)
//   hubs      key h(app, "hubs")    {"v":1,"hubId":H,"url":U,"region":R,"version":V,"connections":C,"capacity":M,"updated":T,
//                                    "cert":PEM,"pageKey":K}   (the hub's member certificate, checked against the mesh
//                                    CA; K: the Ed25519 public key its presence pages are signed with, 64 hex)
//             a hub leaving (drain) replaces its record by {"v":1,"hubId":H,...,"updated":T,"withdrawn":true}: the
//             other hubs drop it from /hubs at once instead of at lease expiry
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pigeonhub/config.h"

namespace pigeonhub::mesh {

// The DHT key that holds the presence pages of namespace `ns`: with `buckets` K > 0, the key of ns's bucket among K
// (a fixed hash of ns, modulo K), shared by every namespace of that bucket, so a hub never has more than K presence
// keys whatever names clients pick (OpenDHT 2.4.12 keeps a key's search an hour after its last use: docs/MESH.md);
// with K = 0, one key per namespace. Every hub of a mesh must use the same K (MESH_NAMESPACE_BUCKETS).
std::string presence_key(std::string_view app_id, std::string_view ns, std::uint32_t buckets);
// The bucket of `ns` among `buckets` (> 0).
std::uint32_t namespace_bucket(std::string_view ns, std::uint32_t buckets);
std::string inbox_key(std::string_view app_id, std::string_view hub_id);
std::string hubs_key(std::string_view app_id);

// The record of page `index` of `hub`'s presence in `ns`: one logical id, stable across refreshes and distinct
// per hub. (DhtNode turns it into the value id on the DHT, which changes when the hub restarts.)
std::uint64_t presence_page_id(std::string_view hub, std::string_view ns, std::size_t index);
// The logical id of `hub`'s record under the hubs key.
std::uint64_t hub_record_id(std::string_view hub);

struct PresenceEntry {
    std::string peer_id;
    std::string data;  // raw JSON object: the discovery data ({"peerId":...,"isHub":false,...})
};
struct PresencePage {
    std::string hub_id;
    std::string network;
    std::vector<PresenceEntry> peers;  // empty: the page is withdrawn
    std::uint32_t page = 0;            // index among the hub's pages of this namespace
    std::uint64_t seq = 0;             // edit order, per hub, increasing across restarts (see EditClock)
};
std::string encode_presence(const PresencePage& p);
// nullopt for anything malformed. Entries whose data.peerId is not their peerId are left out.
std::optional<PresencePage> decode_presence(std::string_view text);

// The `seq` a hub stamps on its record edits: strictly increasing within a process, and started from the wall clock
// in microseconds so that a restarted hub (same identity, records of its previous life still stored) outranks its
// own older edits, unless the clock went back by more than the time it was down.
class EditClock {
public:
    explicit EditClock(std::uint64_t now_us) : last_(now_us) {}
    std::uint64_t next(std::uint64_t now_us) { return last_ = now_us > last_ ? now_us : last_ + 1; }

private:
    std::uint64_t last_;
};

struct Signal {
    std::string from;
    std::uint64_t epoch = 0;  // numbering of the (from, to) pair, see signal_order.h
    std::uint32_t seq = 0;
    std::string to;
    std::string network;
    std::string msg;  // raw JSON object, delivered verbatim
};
std::string encode_signal(const Signal& s);
std::optional<Signal> decode_signal(std::string_view text);

struct HubRecord {
    std::string hub_id;
    std::string url;
    std::string region;
    std::string version;
    std::uint64_t connections = 0;
    std::uint64_t capacity = 0;
    std::uint64_t updated_ms = 0;  // when the hub wrote it: of two records of one hub, the newer counts
    std::string certificate;       // PEM: the hub's identity certificate (Membership checks it); not in /hubs
    bool withdrawn = false;        // the hub left (its tombstone): not listed
    std::string page_key;          // 64 hex: the Ed25519 key its presence pages are signed with; not in /hubs
};
// This hub's record from its configuration and current load.
HubRecord own_hub_record(std::string hub_id, std::string certificate, std::string page_key, const MeshOptions& options,
                         std::uint64_t capacity, std::uint64_t connections, std::uint64_t now_ms);
std::string encode_hub(const HubRecord& h);
std::optional<HubRecord> decode_hub(std::string_view text);

}  // namespace pigeonhub::mesh
