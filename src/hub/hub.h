// One pigeonhubd process: wires the Router, the WebSocket sessions, the HTTP server and the REST API onto
// one io_context, and runs it on the calling thread until SIGINT/SIGTERM.
#pragma once

#include <memory>

#include "pigeonhub/config.h"

namespace pigeonhub {

class Hub {
public:
    explicit Hub(const Config& config);
    ~Hub();

    // Listens, prints the bound port on stdout on a line of its own, serves until SIGINT or SIGTERM, then
    // closes every client with 1001 and returns 0. Returns 1 if it cannot listen (the reason on stderr).
    int run();

private:
    struct Parts;
    std::unique_ptr<Parts> parts_;
};

}  // namespace pigeonhub
