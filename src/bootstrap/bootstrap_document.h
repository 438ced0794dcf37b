// The signed bootstrap document (issue 12): what a hub serves at /.well-known/pigeonhub-bootstrap and publishes
// in the DHT under its APP_ID's bootstrap key, so that others can find it, its DHT endpoints and the hubs it knows.
// Pure: encoding, signing (Ed25519, data/data_record.h) and the strict check of a received document. No I/O, no
// clock (the caller passes the time).
//
// The document, one JSON object with exactly these members in exactly this order (publicKey of a hub entry
// optional, omitted when empty):
//   {"v":1,"appId":A,"hubId":H,"publicKey":K,"url":U,"region":R,"dht":["host:port",...],
//    "hubs":[{"t":"hub","u":U,"region":R,"priority":N,"description":D,"publicKey":K},...],
//    "timestamp":T,"signature":S}
// A: APP_ID, 1..kMaxAppIdBytes. H: the hub's id (its DHT identity's public key id), 40 lower-case hex. K: an
// Ed25519 public key (the data key of data_record.h), 64 lower-case hex. U: "" (top level only) or an http, https,
// ws or wss URL (util/url.h, is_http_or_ws_url). "dht": at most kMaxDhtEndpoints endpoints others should dial,
// each "host:port" (dht_endpoints.h, is_dht_endpoint). "hubs": at most kMaxKnownHubs entries in PeerPigeon's
// peer shape; "t" is not empty, N an integer 0..2^31-1. Every string is valid UTF-8 of at most kMaxTextBytes.
// T: ms since the epoch, an integer 0..2^53-1. S: the Ed25519 signature by K, 128 lower-case hex. The whole text
// is at most kMaxDocumentBytes.
//
// What is signed: the UTF-8 bytes of
//   JSON.stringify(["pigeonhub-bootstrap/1", doc])
// where doc is the document object without its "signature" member, members in the order above. A JavaScript
// client checks a document with
//   const obj = JSON.parse(text); const sig = obj.signature; delete obj.signature;
//   const message = JSON.stringify(['pigeonhub-bootstrap/1', obj]);   // verify sig over its UTF-8 bytes with K
// which gives the same bytes as signed_message() below for every document check_document accepts: JSON.stringify
// keeps the insertion order of these (non-index) names and delete keeps the others' order; strings and numbers
// are written as data/data_record.h's canonical JSON writes them. That is why check_document refuses what would
// let the two differ: members out of order, unknown or repeated members, lone surrogate escapes, and numbers
// that are not plain integers. Vectors: tests/vectors/bootstrap-document.json (checked by the unit test and, with
// Node's JSON.stringify and crypto, by tests/integration/bootstrap_vectors.test.mjs).
//
// The signature proves only that the holder of K wrote the document. It does not bind K to H or to the URL:
// whether to trust K (first use, a known list, the mesh CA) is the caller's decision.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/data_record.h"

namespace pigeonhub::bootstrap {

inline constexpr std::string_view kWellKnownPath = "/.well-known/pigeonhub-bootstrap";
inline constexpr std::string_view kMessageTag = "pigeonhub-bootstrap/1";
inline constexpr int kDocumentVersion = 1;
inline constexpr std::size_t kMaxDocumentBytes = 64 * 1024;  // the JSON text, received or made
inline constexpr std::size_t kMaxKnownHubs = 64;
inline constexpr std::size_t kMaxDhtEndpoints = 16;
inline constexpr std::size_t kMaxTextBytes = 512;                // each string but appId (URLs, region, ...)
inline constexpr std::size_t kMaxAppIdBytes = 128;               // as APP_ID (config_loader.cpp)
inline constexpr std::uint64_t kMaxClockSkewMs = 5 * 60 * 1000;  // how far in the future a timestamp may be

// A hub the document's author knows, in PeerPigeon's peer shape (the members a document carries).
struct KnownHub {
    std::string t = "hub";  // type
    std::string u;          // URL to reach it (http, https, ws or wss)
    std::string region;
    int priority = 100;  // 0 .. 2^31-1
    std::string description;
    std::string public_key;  // its Ed25519 key, 64 lower-case hex; empty when unknown (then omitted)

    bool operator==(const KnownHub&) const = default;
};

struct BootstrapDocument {
    std::string app_id;
    std::string hub_id;      // 40 lower-case hex: the DHT identity's public key id
    std::string public_key;  // Ed25519, 64 lower-case hex
    std::string url;         // PUBLIC_URL; may be empty
    std::string region;
    std::vector<std::string> dht;  // "host:port" endpoints others should dial
    std::vector<KnownHub> hubs;
    std::uint64_t timestamp = 0;  // ms since the epoch
    std::string signature;        // 128 lower-case hex

    bool operator==(const BootstrapDocument&) const = default;
};

// The bytes that are signed (above): ["pigeonhub-bootstrap/1",{...doc without "signature"...}].
std::string signed_message(const BootstrapDocument& doc);

// The document's JSON (the shape above), with doc.signature as it is.
std::string encode_document(const BootstrapDocument& doc);

// What makes `doc` unfit to be a document (any field but the signature against the bounds above, the encoded
// size included), e.g. "hubs[2].u: must be an http, https, ws or wss URL"; empty when it is fit. A hub checks its
// own document with it before signing, to log a bad setting (a REGION too long, a PUBLIC_URL that is no URL).
std::string document_problem(const BootstrapDocument& doc);

// The signed document's JSON: `doc` with public_key from `key`, signed. REQUIRES: document_problem(doc) empty once
// public_key is filled (else check_document refuses the result as malformed).
std::string sign_document(BootstrapDocument doc, const data::Ed25519Key& key);

// The result of checking a received document. `doc` is set only when why == ok; `problem` says what is wrong
// otherwise (for a log line; not to be sent back).
struct DocumentCheck {
    enum class Why { ok, malformed, bad_signature, stale, future, wrong_app };

    std::optional<BootstrapDocument> doc;
    std::string problem;
    Why why = Why::malformed;

    bool ok() const { return why == Why::ok; }
};

// A name for a metric label or a log line: "ok", "malformed", "bad_signature", "stale", "future", "wrong_app".
std::string_view why_name(DocumentCheck::Why why);

// Checks `json` as a document from a hub of `expected_app_id`, at `now_ms` (ms since the epoch), in this order:
//   malformed      over kMaxDocumentBytes, not JSON, not the exact shape above (types, member order, unknown or
//                  repeated members), or document_problem; also a signature that is not 128 lower-case hex
//   bad_signature  not publicKey's signature of signed_message (forged, or any member changed after signing)
//   wrong_app      appId is not expected_app_id
//   future         timestamp > now_ms + kMaxClockSkewMs
//   stale          timestamp + max_age_ms < now_ms
// The signature comes before the others so that a forged document is counted as forged whatever it claims.
// Time linear in the input (one canonicalization, one walk, one Ed25519 verification).
DocumentCheck check_document(std::string_view json, std::string_view expected_app_id, std::uint64_t now_ms,
                             std::uint64_t max_age_ms);

}  // namespace pigeonhub::bootstrap
