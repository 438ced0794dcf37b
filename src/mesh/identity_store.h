// The hub's identity on the DHT: an RSA-2048 key and its self-signed certificate, kept in the state directory
// (identity.pem mode 0600, identity.crt) so that the hub id survives restarts. RSA, because EC identities cannot
// sign values in OpenDHT 2.4.12 (build notes). Part of the OpenDHT adapter (with dht_node.cpp and record_signer).
#pragma once

#include <opendht/crypto.h>

#include <string>

namespace pigeonhub {

// Loads the identity from `dir`, or creates it there (and `dir`, mode 0700) on the first start. Throws
// std::runtime_error with a readable reason (unreadable or unwritable state directory, corrupt key).
dht::crypto::Identity load_or_create_identity(const std::string& dir);

// The files of an identity in `dir` (identity.pem, identity.crt), and the helpers that read and write them.
std::string identity_key_path(const std::string& dir);
std::string identity_crt_path(const std::string& dir);
dht::Blob read_file(const std::string& path);                              // throws std::runtime_error
void write_private_file(const std::string& path, const dht::Blob& data);   // mode 0600; throws
void make_dirs(const std::string& dir);                                    // mode 0700; throws

}  // namespace pigeonhub
