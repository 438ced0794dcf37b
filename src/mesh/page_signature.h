// The signature of a presence page (mesh_records.h, v4). Pages are plain DHT values, neither signed nor checked by
// OpenDHT: an RSA-2048 signature per page edit (~1.6 ms) was most of a hub's CPU when many small rooms form. The
// publishing hub signs each page with its Ed25519 page key (STATE_DIR/ed25519.pem, the key the data API signs
// with; ~tens of microseconds) and shows the public half in its hub record (`pageKey`), which stays signed by
// OpenDHT and carries its member certificate: a receiver checks a page with the key of the member hub it names.
//
//   value   = <page JSON without its closing '}'> ,"sig":"<128 lower-case hex>"}
//   signed  = "pigeonhub-page/4\n" <the DHT key's name: presence_key(app, ns)> "\n" <page JSON>
//
// The page JSON names the hub and the namespace and carries the page index and seq; the signed bytes also name the
// key the page is stored under (the app id and the namespace): a page cannot be moved to another namespace, app or
// hub, nor its peers edited. Pure.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "data/data_record.h"

namespace pigeonhub::mesh {

using PageKey = std::array<std::uint8_t, 32>;  // an Ed25519 public key

// `page_json` (encode_presence) signed for the DHT key named `dht_key`: the value to publish.
std::string sign_page(std::string_view dht_key, std::string_view page_json, const data::Ed25519Key& key);
// True if `value` is a page signed for `dht_key` by `key`. Anything else (no or a malformed signature, another key,
// another DHT key, a changed byte) is false.
bool verify_page(std::string_view dht_key, std::string_view value, const PageKey& key);

// The hex spelling in hub records (64 lower-case digits), and back (nullopt for any other spelling).
std::string page_key_hex(const PageKey& key);
std::optional<PageKey> page_key_from_hex(std::string_view hex);

}  // namespace pigeonhub::mesh
