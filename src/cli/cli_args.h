// pigeonhub's command line: the global options, the subcommand table and their arguments, parsed with CLI11 into
// plain values. No I/O: help and errors come back as text with the exit code (0 help, 2 usage).
//
// Global options (before or after the subcommand):
//   --bootstrap host:port (repeatable)  join the DHT through these nodes (DHT mode)
//   --app-id ID      (pigeonhub)        the hubs' APP_ID: every key derives from it
//   --network N      (0)                OpenDHT network id (the hubs' DHT_NETWORK)
//   --bind ADDR      (127.0.0.1)        IPv4 address of the CLI's own DHT node; --port P (0: any)
//   --hub URL                           ask this hub over HTTP instead (peers, hubs, publish, find)
//   --wait S         (10)                seconds to wait for the DHT connection and each lookup or put
//   --json                              JSON output
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pigeonhub/config.h"

namespace pigeonhub::cli {

struct GlobalOptions {
    std::vector<std::string> bootstrap;
    std::string app_id = "pigeonhub";
    std::uint32_t namespace_buckets = MeshOptions{}.namespace_buckets;  // the hubs' MESH_NAMESPACE_BUCKETS
    std::uint32_t network = 0;
    std::string bind = "127.0.0.1";
    std::uint16_t port = 0;
    std::string hub;
    double wait_seconds = 10;
    bool json = false;
};

enum class Command { none, get, put, listen, info, peers, hubs, publish, find, gen_peer_id, health, monitor, quit };

// Every subcommand's arguments (one struct; each subcommand reads its own).
struct Args {
    std::string key;      // get, put, listen
    std::string value;    // put
    bool sign = false;    // put --signed
    unsigned count = 0;   // listen --count: exit after this many values (0: until Ctrl-C)
    double timeout = 0;   // listen --timeout: seconds (0: none)
    std::string name;     // peers <namespace>, publish/find <topic>
    std::string data;     // publish <json>
    int ttl = 300;        // publish --ttl
    std::vector<std::string> urls;  // health, monitor
    bool once = false;    // monitor --once
    double interval = 1;  // monitor --interval
};

struct CommandInfo {
    Command command;
    const char* name;
    const char* description;
};
// The subcommands, in the order --help lists them.
const std::vector<CommandInfo>& commands();

struct Invocation {
    Command command = Command::none;  // none: no subcommand (the prompt, in a one-shot run)
    int exit = -1;                    // >= 0: stop with this code after printing `message`
    std::string message;              // help (exit 0, stdout) or the error (exit 2, stderr)
    GlobalOptions global;
    Args args;
};
// Parses `words` (without the program name). `in_prompt`: a line typed at the prompt (global options refused,
// "quit"/"exit" allowed). `global` holds the defaults (the prompt passes the session's).
Invocation parse_args(const std::vector<std::string>& words, bool in_prompt, GlobalOptions global = {});

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitNotFound = 1;  // not found, unhealthy, or a failed operation
inline constexpr int kExitUsage = 2;

}  // namespace pigeonhub::cli
