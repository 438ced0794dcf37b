// The subcommands of pigeonhub, run on a Session: the DHT side (dht_client.h, started on first use) and the HTTP
// side (hub_client.h). Output on stdout, errors on stderr prefixed "pigeonhub: ". Returns the exit code
// (cli_args.h: 0 ok, 1 not found / unhealthy / failed, 2 usage).
// Threading: the caller's thread; `listen` and `monitor` run until their end or until interrupted() is true.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "cli/cli_args.h"
#include "cli/dht_client.h"
#include "cli/hub_client.h"

namespace pigeonhub::cli {

class Session {
public:
    // `interrupted` is set by the SIGINT handler of the program (tools/pigeonhub.cpp); commands that stream stop.
    Session(GlobalOptions global, const std::atomic<bool>& interrupted);
    const GlobalOptions& global() const { return global_; }
    // The DHT node, started and connected on first use; nullptr (and the reason on stderr) when it cannot be, then
    // dht_error() is the exit code (2 without --bootstrap, 1 when the node cannot start).
    DhtClient* dht();
    int dht_error() const { return dht_error_; }
    HubClient& http() { return http_; }
    bool interrupted() const { return interrupted_.load(); }

private:
    GlobalOptions global_;
    const std::atomic<bool>& interrupted_;
    std::unique_ptr<DhtClient> dht_;
    int dht_error_ = 0;
    HubClient http_;
};

// Runs `command` with `args`; `json` overrides the session's --json (a prompt line may add it).
int run_command(Session& session, Command command, const Args& args, bool json);

}  // namespace pigeonhub::cli
