// pigeonhubd: the PigeonHub signaling hub. Reads the configuration, then runs one Hub.
#include <malloc.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>

#include "config/config_loader.h"
#include "hub/hub.h"
#include "mesh/mesh_ca.h"
#include "pigeonhub/version.h"
#include "util/log.h"

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
    pigeonhub::log::set_level(loaded.config.environment == "production" ? pigeonhub::log::Level::warn
                                                                         : pigeonhub::log::Level::info);
    try {
        pigeonhub::Hub hub(loaded.config);
        return hub.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pigeonhubd: fatal: %s\n", e.what());
        return 1;
    }
}
