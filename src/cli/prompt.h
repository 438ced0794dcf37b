// pigeonhub's interactive prompt (libedit): one subcommand per line, on one Session (the DHT node is joined once
// and kept). Ends at EOF (Ctrl-D), "quit" or "exit"; Ctrl-C stops a streaming command, not the prompt.
// Returns the exit code of the last command.
#pragma once

#include "cli/commands.h"

namespace pigeonhub::cli {

int run_prompt(Session& session, std::atomic<bool>& interrupted);

}  // namespace pigeonhub::cli
