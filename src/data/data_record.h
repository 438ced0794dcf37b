// Signed data records (issue 11: /api/publish, /api/find, /api/replicate). Pure: parsing, the canonical bytes that
// are signed, signing and verifying (Ed25519, nettle), and the JSON a record travels as. No I/O.
//
// A record as stored, returned by /api/find, accepted by /api/replicate and put into the DHT:
//   {"topic":T,"data":D,"publicKey":K,"signature":S,"seq":N,"published":P,"expires":E}
// (/api/find adds "verified":true.) K: the publisher's Ed25519 public key, 64 lower-case hex; S: the signature,
// 128 lower-case hex; N, P, E: integers, 0 <= x <= 2^53 - 1 (JavaScript safe integers); P and E in ms since the
// epoch. D: any JSON value, kept in canonical form (below).
//
// What is signed (docs/DATA.md; vectors in tests/vectors/data-records.json): the UTF-8 bytes of
//   JSON.stringify(["pigeonhub-record/1", topic, seq, expires, data])
// i.e. the canonical JSON of that array. Canonical JSON is exactly what JavaScript's JSON.stringify produces for
// the parsed value: no whitespace; object members in their original order, except that names which are array
// indices (the canonical decimal of an integer 0 .. 2^32 - 2: "0", "7", not "07" or "-1") come first in ascending
// numeric order, as JavaScript objects list them ({"b":1,"2":2,"1":3} -> {"1":3,"2":2,"b":1}); strings escaped as
// JSON.stringify escapes them (\" \\ \b \f \n \r \t, other controls as \u00xx, everything else, DEL and U+2028
// included, as UTF-8); numbers as ECMAScript's Number::toString of the nearest double (1.50 -> 1.5,
// 1e21 -> 1e+21, 0.0000001 -> 1e-7, -0 -> 0, 1e-400 -> 0). Inputs that JSON.stringify cannot reproduce are
// refused: duplicate member names (JSON.parse would keep the last), lone surrogate escapes (JSON.parse keeps
// them, our strings are UTF-8), numbers that overflow a double (JSON.stringify would write null); and nesting
// deeper than json::kMaxDepth (64). `published` is not signed: the time the first hub stored the record.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pigeonhub::data {

inline constexpr std::uint64_t kMaxSafeInteger = (1ull << 53) - 1;
inline constexpr std::size_t kMaxTopicBytes = 256;
inline constexpr std::size_t kMaxDataBytes = 16 * 1024;  // canonical JSON of `data`
inline constexpr int kDefaultTtlSeconds = 300;
inline constexpr int kMaxTtlSeconds = 86400;

// `raw` (one JSON value, any whitespace) in canonical form; nullopt with `*error` (e.g. "duplicate member \"a\"",
// "malformed JSON", "JSON nested deeper than 64 levels"). Time about linear in the input (an object with array-index
// names is copied once more to reorder it); the output is at most 6 times as long as the input
// (1e20 -> 100000000000000000000).
std::optional<std::string> canonical_json(std::string_view raw, std::string* error = nullptr);
// ECMAScript's Number::toString(x) ("NaN", "Infinity", "-Infinity" for the others; JSON has none of them).
std::string js_number(double x);
// Appends `text` (valid UTF-8) as JSON.stringify quotes a string.
void append_js_string(std::string& out, std::string_view text);

struct Ed25519Key {
    std::array<std::uint8_t, 32> seed{};        // the private key (RFC 8032)
    std::array<std::uint8_t, 32> public_key{};
    static Ed25519Key from_seed(const std::array<std::uint8_t, 32>& seed);
    static Ed25519Key generate();               // seed from util/random
};
// The Ed25519 signature (RFC 8032) of `message` by `key`: 128 lower-case hex digits.
std::string ed25519_sign(std::string_view message, const Ed25519Key& key);
// True if `signature` (128 lower-case hex) is the signature of `message` by `public_key` (64 lower-case hex); false
// for any other spelling of either.
bool ed25519_verify(std::string_view public_key, std::string_view message, std::string_view signature);
// PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----", as `openssl genpkey -algorithm ed25519` and Node's crypto write it).
std::string ed25519_to_pem(const Ed25519Key& key);
std::optional<Ed25519Key> ed25519_from_pem(std::string_view pem);

struct Record {
    std::string topic;
    std::string data;        // canonical JSON
    std::string public_key;  // 64 lower-case hex
    std::string signature;   // 128 lower-case hex
    std::uint64_t seq = 0;
    std::uint64_t published = 0;
    std::uint64_t expires = 0;
};

// The bytes that are signed (see above). REQUIRES: r.data canonical.
std::string signed_message(const Record& r);
// Signs `r` (fills public_key and signature) with `key`.
void sign(Record& r, const Ed25519Key& key);
// True if r.signature is r.public_key's signature of signed_message(r).
bool verify(const Record& r);

// The record's JSON (the shape above); `verified` adds "verified":true.
std::string encode(const Record& r, bool verified = false);
// GET /api/find's answer: {"topic":T,"records":[...]} with each record encode()d as verified, in the order given.
std::string encode_find(std::string_view topic, const std::vector<Record>& records);

// A field that made a request or record unacceptable: what /api/* answers 400 with {"error":..., "field":...}.
struct Problem {
    std::string error;
    std::string field;       // empty when not about one field
    bool too_large = false;  // data over kMaxDataBytes: /api/* answers 413 instead of 400
};

// A signed record (the shape above; "verified" and unknown members ignored; "published" optional, 0 if absent),
// checked: types, topic 1..kMaxTopicBytes of UTF-8 (no lone surrogate escapes), data canonicalized and at most
// kMaxDataBytes (too_large), integers safe (a JSON number whose value is an integer, as JavaScript reads it: 5,
// 5.0 and 5e0 alike), key and signature lower-case hex of the right length, and the signature valid
// ("field":"signature" when it is not). A known member given twice is refused (field: its name). Checked in the
// order topic, data, publicKey, signature, seq, published, expires: the first problem is the one reported.
// Malformed JSON: "malformed JSON", field "". Expiry is not checked here (the caller knows the time).
struct Parsed {
    std::optional<Record> record;
    Problem problem;
};
Parsed parse_record(std::string_view json);

// POST /api/publish's body: either {"topic","data","ttl"?} (the hub signs: `is_signed` false, `ttl_seconds` set,
// default kDefaultTtlSeconds, 1..kMaxTtlSeconds; "signature" without "publicKey" is refused, field "publicKey")
// or a signed record (`publicKey` present: parsed as parse_record, `is_signed` true, "ttl" ignored).
struct PublishRequest {
    bool is_signed = false;
    Record record;            // topic and data always; the rest only when is_signed
    int ttl_seconds = kDefaultTtlSeconds;
};
struct ParsedPublish {
    std::optional<PublishRequest> request;
    Problem problem;
};
ParsedPublish parse_publish(std::string_view body);

// POST /api/replicate's body: one signed record (parse_record), or {"records":[...]} of them. Every record is checked
// before any is taken: the first one refused refuses the body, its problem's error prefixed "record <i>: " in a batch
// (its field kept). A body that is not a JSON object: "malformed JSON: ...", field ""; "records" not an array: field
// "records". The size bound is the caller's (data_service.h).
struct ParsedReplicate {
    std::vector<Record> records;  // empty when refused
    Problem problem;              // error empty: accepted
};
ParsedReplicate parse_replicate(std::string_view body);

}  // namespace pigeonhub::data
