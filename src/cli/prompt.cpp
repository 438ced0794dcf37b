#include "cli/prompt.h"

#include <editline/readline.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/cli_parse.h"

namespace pigeonhub::cli {

int run_prompt(Session& session, std::atomic<bool>& interrupted) {
    int last = kExitOk;
    for (;;) {
        interrupted = false;
        std::unique_ptr<char, decltype(&std::free)> line(readline("pigeonhub> "), &std::free);
        if (!line) break;
        auto words = split_line(line.get());
        if (!words) {
            std::fputs("pigeonhub: unterminated quote\n", stderr);
            last = kExitUsage;
            continue;
        }
        if (words->empty()) continue;
        add_history(line.get());
        auto inv = parse_args(*words, /*in_prompt=*/true, session.global());
        if (inv.exit >= 0) {
            std::fputs(inv.message.c_str(), inv.exit == 0 ? stdout : stderr);
            last = inv.exit;
            continue;
        }
        if (inv.command == Command::quit) break;
        if (inv.command == Command::none) continue;
        last = run_command(session, inv.command, inv.args, inv.global.json);
    }
    return last;
}

}  // namespace pigeonhub::cli
