// Turns the environment and the command line into a Config. The option table in config_loader.cpp is the
// single list of settings: each row names the environment variable, the flag, and how to parse the value.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pigeonhub/config.h"

namespace pigeonhub {

// Looks up one environment variable; returns nullptr when unset. main() passes getenv.
using EnvLookup = std::function<const char*(const char*)>;

struct ConfigLoadResult {
    enum class Action {
        run, help, version, error, mesh_ca_init, mesh_ca_issue, print_bootstrap,
        make_token, make_issuer_key, make_hmac_secret, make_password_hash,  // docs/AUTH.md
    };
    Action action = Action::run;
    Config config;
    std::string message;  // usage text for help, the error for error
    std::string ca_dir;   // for mesh_ca_init and mesh_ca_issue: the CA directory
    bool json = false;    // --json (print_bootstrap)
    // The access-control commands (docs/AUTH.md).
    struct TokenRequest {
        std::string ns;                    // --make-token NS: a namespace, or a prefix ending in '*'
        std::string key_file;              // --key FILE: an Ed25519 issuer key (PEM) or an HMAC secret (hex)
        std::uint64_t expires_in_s = 86400;  // --expires-in S
        std::string out_file;              // --make-issuer-key FILE
    } token;
};

// Environment first, then flags (`--port 0` or `--port=0`); flags win. Never exits or prints.
ConfigLoadResult load_config(int argc, const char* const* argv, const EnvLookup& env);

// The default bound on plain HTTP connections (Config::max_http_connections = 0) for a process allowed
// `open_files` descriptors: half of what is left after 64 for the DHT, state files, logs and the listener, at
// least 8 and at most 1024 (e.g. 1024 for 20000 open files, 96 for 256).
std::uint32_t default_max_http_connections(std::uint64_t open_files);

// Whether the hub is configured to join other DHT nodes (DHT_BOOTSTRAP, BOOTSTRAP_PEERS, BOOTSTRAP_FILE,
// BOOTSTRAP_DNS; PUBLIC adds a DHT_BOOTSTRAP).
bool joins_others(const Config& c);

// "ca", "open" or "single".
const char* mesh_trust_name(MeshTrust t);

// The --help text.
std::string config_usage();

// Every setting, as --help and the README list it: environment variable, flag (without "--"), default.
struct OptionInfo {
    std::string env;
    std::string flag;
    std::string default_text;
};
std::vector<OptionInfo> config_options();

}  // namespace pigeonhub
