// Turns the environment and the command line into a Config. The option table in config_loader.cpp is the
// single list of settings: each row names the environment variable, the flag, and how to parse the value.
#pragma once

#include <functional>
#include <string>

#include "pigeonhub/config.h"

namespace pigeonhub {

// Looks up one environment variable; returns nullptr when unset. main() passes getenv.
using EnvLookup = std::function<const char*(const char*)>;

struct ConfigLoadResult {
    enum class Action { run, help, version, error };
    Action action = Action::run;
    Config config;
    std::string message;  // usage text for help, the error for error
};

// Environment first, then flags (`--port 0` or `--port=0`); flags win. Never exits or prints.
ConfigLoadResult load_config(int argc, const char* const* argv, const EnvLookup& env);

// The --help text.
std::string config_usage();

}  // namespace pigeonhub
