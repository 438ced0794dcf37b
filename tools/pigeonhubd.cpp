// pigeonhubd: the PigeonHub signaling hub. Reads the configuration, then runs one Hub.
#include <malloc.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>

#include "auth_commands.h"
#include "bootstrap/bootstrap_service.h"
#include "bootstrap/dns_txt_resolver.h"
#include "config/config_loader.h"
#include "hub/hub.h"
#include "mesh/mesh_ca.h"
#include "pigeonhub/bootstrap.h"
#include "pigeonhub/version.h"
#include "util/clock.h"
#include "util/log.h"

namespace {

// --print-bootstrap [--json]: the ordered bootstrap candidates, with tier and source (DNS asked, nothing else).
int print_bootstrap(const pigeonhub::ConfigLoadResult& loaded) {
    using pigeonhub::BootstrapService;
    const auto options = BootstrapService::options_of(loaded.config);
    std::vector<pigeonhub::bootstrap::Peer> regional;
    if (!loaded.config.bootstrap.dns.empty()) {
        asio::io_context io;
        pigeonhub::DnsTxtResolver resolver(io, loaded.config.bootstrap.dns_server);
        regional = BootstrapService::resolve_dns_now(io, resolver, loaded.config.bootstrap.dns, std::chrono::seconds(3));
    }
    std::string error;
    auto peers = BootstrapService::configured_candidates(options, pigeonhub::wall_clock_ms(), &error, nullptr,
                                                         std::move(regional));
    if (!error.empty()) {
        std::fprintf(stderr, "pigeonhubd: %s\n", error.c_str());
        return 2;
    }
    if (loaded.json) {
        std::printf("%s\n", pigeonhub::bootstrap::peers_to_json(peers).c_str());
        return 0;
    }
    std::printf("%-11s %-28s %-44s %-13s %s\n", "tier", "source", "url", "region", "priority");
    for (const auto& p : peers)
        std::printf("%-11s %-28s %-44s %-13s %d\n", std::string(pigeonhub::bootstrap::tier_name(p.tier)).c_str(),
                    p.source.c_str(), p.u.c_str(), p.region.empty() ? "-" : p.region.c_str(), p.priority);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    using pigeonhub::ConfigLoadResult;
    auto loaded = pigeonhub::load_config(argc, argv, [](const char* name) { return std::getenv(name); });
    switch (loaded.action) {
    case ConfigLoadResult::Action::help: std::fputs(loaded.message.c_str(), stdout); return 0;
    case ConfigLoadResult::Action::version: std::printf("pigeonhubd %s\n", pigeonhub::version()); return 0;
    case ConfigLoadResult::Action::error:
        std::fprintf(stderr, "pigeonhubd: %s\n", loaded.message.c_str());
        return 2;
    case ConfigLoadResult::Action::mesh_ca_init:
    case ConfigLoadResult::Action::mesh_ca_issue: {
        const bool init = loaded.action == ConfigLoadResult::Action::mesh_ca_init;
        std::string hub_id;
        const std::string error = init ? pigeonhub::mesh_ca::init(loaded.ca_dir)
                                       : pigeonhub::mesh_ca::issue(loaded.ca_dir, loaded.config.mesh.state_dir, &hub_id);
        if (!error.empty()) {
            std::fprintf(stderr, "pigeonhubd: %s\n", error.c_str());
            return 1;
        }
        if (init) std::printf("mesh CA written to %s (ca.pem: keep it secret; ca.crt: give it to every hub as MESH_CA)\n",
                              loaded.ca_dir.c_str());
        else std::printf("hub identity %s issued into %s\n", hub_id.c_str(), loaded.config.mesh.state_dir.c_str());
        return 0;
    }
    case ConfigLoadResult::Action::print_bootstrap: return print_bootstrap(loaded);
    case ConfigLoadResult::Action::make_token:
    case ConfigLoadResult::Action::make_issuer_key:
    case ConfigLoadResult::Action::make_hmac_secret:
    case ConfigLoadResult::Action::make_password_hash: return pigeonhub::run_auth_command(loaded);
    case ConfigLoadResult::Action::run: break;
    }
    // Relaying allocates and frees a message-sized buffer per signal; without these, glibc keeps returning the
    // top of the heap to the kernel and faulting it back in (seen in perf as page faults on the relay path).
    mallopt(M_TRIM_THRESHOLD, 8 << 20);
    mallopt(M_TOP_PAD, 1 << 20);
    // One descriptor per connection: take all the open files the hard limit allows (as nginx and most servers
    // do); the soft default of 1024 would cap the hub far below MAX_CONNECTIONS.
    if (rlimit nofile{}; getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    {
        using pigeonhub::log::Level;
        const auto& l = loaded.config.log;
        pigeonhub::log::set_level(!l.level.empty() ? pigeonhub::log::parse_level(l.level).value_or(Level::info)
                                  : loaded.config.environment == "production" ? Level::warn
                                                                              : Level::info);
        pigeonhub::log::set_journal(l.journal);
    }
    try {
        pigeonhub::Hub hub(loaded.config);
        return hub.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pigeonhubd: fatal: %s\n", e.what());
        return 1;
    }
}
