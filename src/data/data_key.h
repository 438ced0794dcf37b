// The hub's Ed25519 key for the data it signs (/api/publish without a client signature): STATE_DIR/ed25519.pem
// (PKCS#8, mode 0600), beside the DHT identity; created on the first start.
#pragma once

#include <string>

#include "data/data_record.h"

namespace pigeonhub::data {

std::string data_key_path(const std::string& state_dir);
// Loads the key, or creates it (and `state_dir`, mode 0700). Throws std::runtime_error with a readable reason.
Ed25519Key load_or_create_data_key(const std::string& state_dir);

}  // namespace pigeonhub::data
