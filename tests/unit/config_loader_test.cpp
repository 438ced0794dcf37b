#include "config/config_loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace pigeonhub;

namespace {

ConfigLoadResult load(std::vector<const char*> args, std::map<std::string, std::string> env = {}) {
    env.emplace("HOME", "/home/test");
    args.insert(args.begin(), "pigeonhubd");
    return load_config(static_cast<int>(args.size()), args.data(), [&env](const char* name) -> const char* {
        auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
    });
}

}  // namespace

TEST(ConfigLoader, Defaults) {
    auto r = load({});
    ASSERT_EQ(r.action, ConfigLoadResult::Action::run);
    EXPECT_EQ(r.config.http.port, 3000);
    EXPECT_EQ(r.config.http.host, "127.0.0.1");
    EXPECT_EQ(r.config.session.max_message_size, 1048576u);
    EXPECT_EQ(r.config.signaling.discovery, DiscoveryMode::all);
}

TEST(ConfigLoader, LogLevelAndJournal) {
    EXPECT_EQ(load({}).config.log.level, "") << "empty: from NODE_ENV";
    EXPECT_EQ(load({}, {{"LOG_LEVEL", "warn"}}).config.log.level, "warn");
    EXPECT_EQ(load({"--log-level=debug"}).config.log.level, "debug");
    EXPECT_EQ(load({}, {{"LOG_LEVEL", "loud"}}).action, ConfigLoadResult::Action::error);
    EXPECT_FALSE(load({}).config.log.journal);
    EXPECT_TRUE(load({}, {{"JOURNAL_STREAM", "8:1234"}}).config.log.journal);
}

TEST(ConfigLoader, DrainSettings) {
    auto r = load({});
    EXPECT_EQ(r.config.drain.delay_ms, 0u);
    EXPECT_EQ(r.config.drain.timeout_ms, 10000u);
    r = load({}, {{"DRAIN_DELAY", "1000"}, {"DRAIN_TIMEOUT", "5000"}});
    ASSERT_EQ(r.action, ConfigLoadResult::Action::run);
    EXPECT_EQ(r.config.drain.delay_ms, 1000u);
    EXPECT_EQ(r.config.drain.timeout_ms, 5000u);
    r = load({}, {{"DRAIN_DELAY", "5000"}, {"DRAIN_TIMEOUT", "5000"}});
    EXPECT_EQ(r.action, ConfigLoadResult::Action::error) << "the delay must leave time to drain";
}

TEST(ConfigLoader, HttpConnectionBound) {
    EXPECT_EQ(load({}).config.http.max_http_connections, 0u) << "0: derived from the open-files limit";
    EXPECT_EQ(load({}, {{"MAX_HTTP_CONNECTIONS", "500"}}).config.http.max_http_connections, 500u);
    EXPECT_EQ(load({"--max-http-connections=20"}).config.http.max_http_connections, 20u);
    EXPECT_EQ(load({"--max-http-connections=x"}).action, ConfigLoadResult::Action::error);
    EXPECT_EQ(default_max_http_connections(20000), 1024u);
    EXPECT_EQ(default_max_http_connections(1024), 480u);
    EXPECT_EQ(default_max_http_connections(256), 96u);
    EXPECT_EQ(default_max_http_connections(128), 32u);
    EXPECT_EQ(default_max_http_connections(64), 8u);
    EXPECT_EQ(default_max_http_connections(0), 8u);
}

TEST(ConfigLoader, EnvironmentThenFlagsWin) {
    auto r = load({"--port", "4000", "--max-connections=7"}, {{"PORT", "0"}, {"HOST", "::1"}, {"MAX_CONNECTIONS", "9"},
                                                              {"NODE_ENV", "production"}, {"DISCOVERY_MODE", "bounded"}});
    ASSERT_EQ(r.action, ConfigLoadResult::Action::run);
    EXPECT_EQ(r.config.http.port, 4000);
    EXPECT_EQ(r.config.http.host, "::1");
    EXPECT_EQ(r.config.signaling.max_connections, 7u);
    EXPECT_EQ(r.config.environment, "production");
    EXPECT_EQ(r.config.signaling.discovery, DiscoveryMode::bounded);
}

TEST(ConfigLoader, Errors) {
    EXPECT_EQ(load({"--port", "70000"}).action, ConfigLoadResult::Action::error);
    EXPECT_EQ(load({"--nope"}).action, ConfigLoadResult::Action::error);
    EXPECT_EQ(load({"--port"}).action, ConfigLoadResult::Action::error);
    EXPECT_EQ(load({"positional"}).action, ConfigLoadResult::Action::error);
    auto bad_env = load({}, {{"PORT", "abc"}});
    EXPECT_EQ(bad_env.action, ConfigLoadResult::Action::error);
    EXPECT_NE(bad_env.message.find("PORT"), std::string::npos);
    EXPECT_EQ(load({"--discovery", "some"}).action, ConfigLoadResult::Action::error);
}

TEST(ConfigLoader, HelpAndVersion) {
    auto h = load({"--help"});
    EXPECT_EQ(h.action, ConfigLoadResult::Action::help);
    EXPECT_NE(h.message.find("--max-message-size"), std::string::npos);
    EXPECT_NE(h.message.find("SIGNALING_TIMEOUT"), std::string::npos);
    EXPECT_EQ(load({"-V"}).action, ConfigLoadResult::Action::version);
}

TEST(ConfigLoader, PingIntervalStaysBelowTheIdleTimeout) {
    auto r = load({"--signaling-timeout", "1000", "--ping-interval", "5000"});
    ASSERT_EQ(r.action, ConfigLoadResult::Action::run);
    EXPECT_LT(r.config.session.ping_interval_ms, r.config.session.signaling_timeout_ms);
}

TEST(ConfigLoader, MeshSettings) {
    auto r = load({"--dht-bootstrap", "127.0.0.1:4222, 10.0.0.1:5000,", "--mesh-ca", "/ca.crt"},
                  {{"STATE_DIRECTORY", "/var/lib/pigeonhubd:/x"}});
    ASSERT_EQ(r.action, ConfigLoadResult::Action::run);
    EXPECT_EQ(r.config.mesh.dht_bootstrap, (std::vector<std::string>{"127.0.0.1:4222", "10.0.0.1:5000"}));
    EXPECT_EQ(r.config.mesh.state_dir, "/var/lib/pigeonhubd");
    EXPECT_EQ(r.config.mesh.dht_bind, "127.0.0.1");  // follows HOST
    EXPECT_EQ(load({}).config.mesh.state_dir, "/home/test/.local/share/pigeonhub");
    EXPECT_EQ(load({"--host", "::"}).config.mesh.dht_bind, "0.0.0.0");
    EXPECT_EQ(load({"--state-dir", "/s"}).config.mesh.state_dir, "/s");
}

// MESH_TRUST: unset, it is ca for a hub that joins others or has a CA, single for a hub alone; each way to get it
// wrong is refused with the fix named.
TEST(ConfigLoader, MeshTrust) {
    EXPECT_EQ(load({}).config.mesh.trust, MeshTrust::single);
    EXPECT_EQ(load({"--mesh-ca", "/ca.crt"}).config.mesh.trust, MeshTrust::ca);
    EXPECT_EQ(load({"--dht-bootstrap", "h:1", "--mesh-ca", "/ca.crt"}).config.mesh.trust, MeshTrust::ca);
    EXPECT_EQ(load({"--dht-bootstrap", "h:1"}, {{"MESH_TRUST", "open"}}).config.mesh.trust, MeshTrust::open);
    EXPECT_EQ(load({"--mesh-trust", "open"}).config.mesh.trust, MeshTrust::open);

    auto no_ca = load({"--dht-bootstrap", "h:1"});
    ASSERT_EQ(no_ca.action, ConfigLoadResult::Action::error);
    EXPECT_NE(no_ca.message.find("MESH_CA"), std::string::npos) << no_ca.message;
    EXPECT_NE(no_ca.message.find("MESH_TRUST=open"), std::string::npos) << "both ways out: " << no_ca.message;
    EXPECT_EQ(load({"--mesh-trust", "ca"}).action, ConfigLoadResult::Action::error);
    EXPECT_EQ(load({"--mesh-trust", "single", "--dht-bootstrap", "h:1"}).action, ConfigLoadResult::Action::error);
    EXPECT_EQ(load({"--mesh-trust", "closed"}).action, ConfigLoadResult::Action::error);
    EXPECT_EQ(load({"--mesh-ca-key", "/ca.pem", "--mesh-trust", "open"}).action, ConfigLoadResult::Action::error)
        << "a CA key without its certificate";
    EXPECT_EQ(load({"--mesh-ca-issue", "/ca", "--dht-bootstrap", "h:1"}).action, ConfigLoadResult::Action::mesh_ca_issue)
        << "commands need no membership settings";
}

// On/off settings read 1/true/on and 0/false/off alike (DEMO, PUBLIC); DEMO_ICE_SERVERS is checked at load.
TEST(ConfigLoader, SwitchesAndDemoSettings) {
    EXPECT_TRUE(load({}).config.http.demo);
    for (const char* off : {"off", "0", "false"}) EXPECT_FALSE(load({}, {{"DEMO", off}}).config.http.demo) << off;
    for (const char* on : {"on", "1", "true"}) EXPECT_TRUE(load({"--demo", on}).config.http.demo) << on;
    EXPECT_EQ(load({}, {{"DEMO", "yes"}}).action, ConfigLoadResult::Action::error);
    EXPECT_EQ(load({}, {{"PUBLIC", "on"}, {"MESH_TRUST", "open"}}).config.bootstrap.public_network, true);
    EXPECT_EQ(load({}, {{"DEMO_ICE_SERVERS", "stun:127.0.0.1:3478"}}).config.http.demo_ice_servers, "stun:127.0.0.1:3478");
    EXPECT_EQ(load({}, {{"DEMO_ICE_SERVERS", "http://x"}}).action, ConfigLoadResult::Action::error);
}

// PUBLIC: the public OpenDHT network's bootstrap unless one is given; membership still applies (ca by default).
TEST(ConfigLoader, PublicParticipant) {
    auto r = load({"--public", "--mesh-trust", "open"});
    ASSERT_EQ(r.action, ConfigLoadResult::Action::run) << r.message;
    EXPECT_TRUE(r.config.bootstrap.public_network);
    EXPECT_EQ(r.config.mesh.dht_bootstrap, std::vector<std::string>{"bootstrap.jami.net:4222"});
    EXPECT_EQ(r.config.mesh.dht_network, 0u);
    EXPECT_EQ(load({"--public"}).action, ConfigLoadResult::Action::error) << "joins others: ca needs MESH_CA";
    auto own = load({"--public", "--mesh-trust", "open", "--dht-bootstrap", "10.0.0.1:4222"});
    EXPECT_EQ(own.config.mesh.dht_bootstrap, std::vector<std::string>{"10.0.0.1:4222"}) << "a given bootstrap wins";
    auto env = load({}, {{"PUBLIC", "1"}, {"MESH_TRUST", "open"}, {"BOOTSTRAP_PEERS", "wss://hub.example"}});
    EXPECT_TRUE(env.config.mesh.dht_bootstrap.empty()) << "hub URLs are a bootstrap too";
    EXPECT_EQ(load({}, {{"PUBLIC", "yes"}}).action, ConfigLoadResult::Action::error);
    EXPECT_EQ(load({"--bootstrap-peers", "wss://hub.example", "--mesh-ca", "/ca.crt"}).config.mesh.trust, MeshTrust::ca)
        << "a hub URL joins others";
    EXPECT_EQ(load({"--bootstrap-peers", "wss://hub.example"}).action, ConfigLoadResult::Action::error) << "and needs a CA";
    auto print = load({"--print-bootstrap", "--json"});
    EXPECT_EQ(print.action, ConfigLoadResult::Action::print_bootstrap);
    EXPECT_TRUE(print.json);
}

// The README's settings tables and the option table (config_loader.cpp) list the same settings with the same
// defaults: the README cannot drift from what --help says.
namespace {
std::vector<std::string> split_cells(const std::string& row) {
    std::vector<std::string> cells;
    std::size_t i = 1;
    while (i < row.size()) {
        std::size_t j = row.find('|', i);
        if (j == std::string::npos) break;
        std::string c = row.substr(i, j - i);
        c.erase(std::remove(c.begin(), c.end(), '`'), c.end());
        while (!c.empty() && c.front() == ' ') c.erase(c.begin());
        while (!c.empty() && c.back() == ' ') c.pop_back();
        cells.push_back(c);
        i = j + 1;
    }
    return cells;
}
std::vector<std::string> split_names(const std::string& cell) {
    std::vector<std::string> names;
    std::stringstream ss(cell);
    std::string n;
    while (std::getline(ss, n, ',')) {
        while (!n.empty() && n.front() == ' ') n.erase(n.begin());
        names.push_back(n);
    }
    return names;
}
}  // namespace

TEST(ConfigLoader, ReadmeSettingsTablesMatchTheOptionTable) {
    std::ifstream f(std::string(PIGEONHUB_SOURCE_ROOT) + "/README.md");
    ASSERT_TRUE(f) << "README.md not found";
    struct Row {
        std::vector<std::string> envs, flags;
        std::string dflt;
    };
    std::vector<Row> rows;
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("| `", 0) != 0) continue;
        auto cells = split_cells(line);
        if (cells.size() < 4 || cells[1].rfind("--", 0) != 0) continue;  // not a settings row
        rows.push_back({split_names(cells[0]), split_names(cells[1]), cells[2]});
    }
    const auto options = config_options();
    ASSERT_GT(rows.size(), 10u);
    for (const auto& o : options) {
        const Row* found = nullptr;
        for (const auto& r : rows)
            if (std::find(r.envs.begin(), r.envs.end(), o.env) != r.envs.end()) found = &r;
        ASSERT_NE(found, nullptr) << o.env << " is not in the README's settings tables";
        EXPECT_NE(std::find(found->flags.begin(), found->flags.end(), "--" + o.flag), found->flags.end())
            << o.env << ": the README names another flag";
        std::string dflt = o.default_text;
        dflt.erase(std::remove(dflt.begin(), dflt.end(), '`'), dflt.end());
        EXPECT_EQ(found->dflt, dflt) << o.env << ": the README's default differs from the option table's";
    }
    for (const auto& r : rows)
        for (const auto& env : r.envs)
            EXPECT_TRUE(std::any_of(options.begin(), options.end(), [&](const OptionInfo& o) { return o.env == env; }))
                << env << " is in the README but is no setting";
}
