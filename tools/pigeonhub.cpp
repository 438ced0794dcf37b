// pigeonhub: the PigeonHub command-line client (man/pigeonhub.1). Parses the command line, then runs one subcommand
// or the interactive prompt. Everything else lives in src/cli/.
#include <csignal>
#include <cstdio>
#include <unistd.h>

#include "cli/cli_args.h"
#include "cli/commands.h"
#include "cli/prompt.h"

namespace {

// Set by SIGINT: streaming commands (listen, monitor) poll it and stop. A lock-free atomic is what a signal
// handler may touch.
std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_sigint(int) { g_interrupted = true; }

}  // namespace

int main(int argc, char** argv) {
    using namespace pigeonhub::cli;
    const std::vector<std::string> words(argv + 1, argv + argc);
    auto inv = parse_args(words, /*in_prompt=*/false);
    if (inv.exit >= 0) {
        std::fputs(inv.message.c_str(), inv.exit == 0 ? stdout : stderr);
        return inv.exit;
    }
    std::signal(SIGINT, on_sigint);
    Session session(inv.global, g_interrupted);
    if (inv.command == Command::none) return run_prompt(session, g_interrupted);
    return run_command(session, inv.command, inv.args, inv.global.json);
}
