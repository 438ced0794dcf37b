#include "cli/cli_args.h"

#include <CLI/CLI.hpp>

#include <sstream>

#include "pigeonhub/version.h"

namespace pigeonhub::cli {

const std::vector<CommandInfo>& commands() {
    static const std::vector<CommandInfo> table = {
        {Command::get, "get", "values under a key (DHT)"},
        {Command::put, "put", "put a value under a key (DHT)"},
        {Command::listen, "listen", "print values under a key as they come (DHT)"},
        {Command::info, "info", "this DHT node: id, nodes, stored values, routing table"},
        {Command::peers, "peers", "peers announced in a namespace, on every hub"},
        {Command::hubs, "hubs", "the hubs of the mesh"},
        {Command::publish, "publish", "publish a signed data record under a topic"},
        {Command::find, "find", "the data records of a topic, verified"},
        {Command::gen_peer_id, "gen-peer-id", "a random peer id (40 hex)"},
        {Command::health, "health", "check hubs' /health (exit 1 if any is unhealthy)"},
        {Command::monitor, "monitor", "a live table of hubs from /health and /stats"},
    };
    return table;
}

namespace {

// Adds the arguments of `c` to its CLI11 subcommand.
void add_arguments(Command c, CLI::App& sub, Args& a) {
    const char* key_help = "40 hex, ns:<namespace>, topic:<topic>, hub:<hub id>, hubs, or any text (hashed)";
    switch (c) {
    case Command::get: sub.add_option("key", a.key, key_help)->required(); break;
    case Command::put:
        sub.add_option("key", a.key, key_help)->required();
        sub.add_option("value", a.value, "the value (text)")->required();
        sub.add_flag("--signed", a.sign, "sign it with this node's identity");
        break;
    case Command::listen:
        sub.add_option("key", a.key, key_help)->required();
        sub.add_option("--count", a.count, "exit after this many values (exit 1 if fewer came)")->check(CLI::PositiveNumber);
        sub.add_option("--timeout", a.timeout, "exit after this many seconds")->check(CLI::PositiveNumber);
        break;
    case Command::peers: sub.add_option("namespace", a.name, "the namespace (networkName)")->required(); break;
    case Command::publish:
        sub.add_option("topic", a.name, "the topic (1..256 bytes)")->required();
        sub.add_option("json", a.data, "the data: any JSON value up to 16 KiB")->required();
        sub.add_option("--ttl", a.ttl, "seconds the record lives (1..86400)")->check(CLI::Range(1, 86400));
        break;
    case Command::find: sub.add_option("topic", a.name, "the topic")->required(); break;
    case Command::health: sub.add_option("url", a.urls, "hub URLs (http://host:port; default --hub)"); break;
    case Command::monitor:
        sub.add_option("url", a.urls, "hub URLs (http://host:port; default --hub)");
        sub.add_flag("--once", a.once, "print one table and exit");
        sub.add_option("--interval", a.interval, "seconds between refreshes")->check(CLI::PositiveNumber);
        break;
    default: break;
    }
}

}  // namespace

Invocation parse_args(const std::vector<std::string>& words, bool in_prompt, GlobalOptions global) {
    Invocation inv;
    inv.global = std::move(global);
    CLI::App app{"pigeonhub: a DHT and HTTP client for PigeonHub meshes", "pigeonhub"};
    app.require_subcommand(0, 1);
    app.fallthrough();
    if (!in_prompt) {
        auto& g = inv.global;
        app.add_option("--bootstrap", g.bootstrap, "join the DHT through host:port (repeatable)");
        app.add_option("--app-id", g.app_id, "the hubs' APP_ID (every key derives from it)")->capture_default_str();
        app.add_option("--namespace-buckets", g.namespace_buckets,
                       "the hubs' MESH_NAMESPACE_BUCKETS (which key holds a namespace's pages)")->capture_default_str();
        app.add_option("--network", g.network, "OpenDHT network id (the hubs' DHT_NETWORK)")->capture_default_str();
        app.add_option("--bind", g.bind, "IPv4 address of this DHT node")->capture_default_str();
        app.add_option("--port", g.port, "UDP port of this DHT node (0: any)")->capture_default_str();
        app.add_option("--hub", g.hub, "ask this hub over HTTP (http://host:port)");
        app.add_option("--wait", g.wait_seconds, "seconds to wait for the DHT and each lookup")
            ->check(CLI::PositiveNumber)
            ->capture_default_str();
        app.set_version_flag("--version", std::string("pigeonhub ") + version());
    }
    app.add_flag("--json", inv.global.json, "JSON output");
    std::vector<std::pair<Command, CLI::App*>> subs;
    for (const auto& c : commands()) {
        auto* sub = app.add_subcommand(c.name, c.description);
        sub->fallthrough();
        add_arguments(c.command, *sub, inv.args);
        subs.emplace_back(c.command, sub);
    }
    if (in_prompt) {
        subs.emplace_back(Command::quit, app.add_subcommand("quit", "leave the prompt"));
        subs.emplace_back(Command::quit, app.add_subcommand("exit", "leave the prompt"));
    }
    std::vector<std::string> all{"pigeonhub"};
    all.insert(all.end(), words.begin(), words.end());
    std::vector<const char*> argv;
    for (const auto& w : all) argv.push_back(w.c_str());
    try {
        app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
        std::ostringstream out, err;
        const int code = app.exit(e, out, err);
        inv.exit = code == 0 ? kExitOk : kExitUsage;
        inv.message = code == 0 ? out.str() : err.str();
        return inv;
    }
    for (const auto& [c, sub] : subs)
        if (sub->parsed()) inv.command = c;
    return inv;
}

}  // namespace pigeonhub::cli
