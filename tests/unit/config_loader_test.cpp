#include "config/config_loader.h"

#include <gtest/gtest.h>

#include <map>
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
    EXPECT_EQ(r.config.port, 3000);
    EXPECT_EQ(r.config.host, "127.0.0.1");
    EXPECT_EQ(r.config.max_message_size, 1048576u);
    EXPECT_EQ(r.config.discovery, DiscoveryMode::all);
}

TEST(ConfigLoader, HttpConnectionBound) {
    EXPECT_EQ(load({}).config.max_http_connections, 0u) << "0: derived from the open-files limit";
    EXPECT_EQ(load({}, {{"MAX_HTTP_CONNECTIONS", "500"}}).config.max_http_connections, 500u);
    EXPECT_EQ(load({"--max-http-connections=20"}).config.max_http_connections, 20u);
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
    EXPECT_EQ(r.config.port, 4000);
    EXPECT_EQ(r.config.host, "::1");
    EXPECT_EQ(r.config.max_connections, 7u);
    EXPECT_EQ(r.config.environment, "production");
    EXPECT_EQ(r.config.discovery, DiscoveryMode::bounded);
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
    EXPECT_LT(r.config.ping_interval_ms, r.config.signaling_timeout_ms);
}

TEST(ConfigLoader, MeshSettings) {
    auto r = load({"--dht-bootstrap", "127.0.0.1:4222, 10.0.0.1:5000,"}, {{"STATE_DIRECTORY", "/var/lib/pigeonhubd:/x"}});
    ASSERT_EQ(r.action, ConfigLoadResult::Action::run);
    EXPECT_EQ(r.config.dht_bootstrap, (std::vector<std::string>{"127.0.0.1:4222", "10.0.0.1:5000"}));
    EXPECT_EQ(r.config.state_dir, "/var/lib/pigeonhubd");
    EXPECT_EQ(r.config.dht_bind, "127.0.0.1");  // follows HOST
    EXPECT_EQ(load({}).config.state_dir, "/home/test/.local/share/pigeonhub");
    EXPECT_EQ(load({"--host", "::"}).config.dht_bind, "0.0.0.0");
    EXPECT_EQ(load({"--state-dir", "/s"}).config.state_dir, "/s");
}
