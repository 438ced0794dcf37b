// ServiceNotifier through libsystemd's real sd_notify, to a unix datagram socket the test binds and names in
// NOTIFY_SOCKET, as systemd does for a Type=notify service.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "hub/service_notifier.h"
#include "tiny_http_server.h"

using namespace pigeonhub;
using test::run_until;

namespace {

// A bound AF_UNIX datagram socket in a fresh directory; NOTIFY_SOCKET (and WATCHDOG_USEC when given) point at it for
// the test's lifetime.
class NotifySocket {
public:
    explicit NotifySocket(const char* watchdog_usec) {
        char tmpl[] = "/tmp/pigeonhub-notify-XXXXXX";
        dir_ = mkdtemp(tmpl);
        path_ = dir_ + "/notify";
        fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        path_.copy(addr.sun_path, sizeof addr.sun_path - 1);
        EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        setenv("NOTIFY_SOCKET", path_.c_str(), 1);
        if (watchdog_usec) setenv("WATCHDOG_USEC", watchdog_usec, 1);
    }
    ~NotifySocket() {
        unsetenv("NOTIFY_SOCKET");
        unsetenv("WATCHDOG_USEC");
        close(fd_);
        std::filesystem::remove_all(dir_);
    }
    // Every datagram received so far, appended to `all`.
    const std::vector<std::string>& drain() {
        char buf[4096];
        for (ssize_t n; (n = recv(fd_, buf, sizeof buf, 0)) > 0;) all.emplace_back(buf, static_cast<std::size_t>(n));
        return all;
    }
    std::size_t count(const std::string& line) {
        std::size_t c = 0;
        for (const auto& d : drain())
            if (d.find(line) != std::string::npos) ++c;
        return c;
    }
    std::vector<std::string> all;

private:
    std::string dir_, path_;
    int fd_ = -1;
};

}  // namespace

TEST(ServiceNotifierSocket, ReadyOnlyOnceServingThenWatchdogThenStopping) {
    NotifySocket sock("200000");  // WATCHDOG_USEC=0.2 s: a ping every 0.1 s
    ASSERT_EQ(ServiceNotifier::systemd_watchdog_usec(), 200000);
    asio::io_context io;
    ServiceState state;  // not listening yet
    ServiceNotifier notifier(io, {30000, 50, ServiceNotifier::systemd_watchdog_usec()}, [&] { return state; });
    notifier.start();
    ASSERT_TRUE(run_until(io, [&] { return sock.count("STATUS=not listening") > 0; }));
    EXPECT_EQ(sock.count("READY=1"), 0u);
    ASSERT_TRUE(run_until(io, [&] { return sock.count("WATCHDOG=1") >= 3; }));  // before READY too
    EXPECT_EQ(sock.count("READY=1"), 0u);

    state.listening = true;  // the DHT is still connecting: not ready
    ASSERT_TRUE(run_until(io, [&] { return sock.count("STATUS=0 connections") > 0; }));
    EXPECT_EQ(sock.count("READY=1"), 0u);

    state.dht_ready = true;
    state.connections = 3;
    state.peers = 2;
    ASSERT_TRUE(run_until(io, [&] { return sock.count("READY=1") > 0; }));
    for (const auto& d : sock.all) {
        if (d.find("READY=1") == std::string::npos) continue;
        // WATCHDOG=1 may ride along when due in the same tick.
        EXPECT_EQ(d.rfind("READY=1\nSTATUS=3 connections, 2 peers (0 on other hubs), DHT ready\n", 0), 0u) << d;
    }
    const std::size_t pings = sock.count("WATCHDOG=1");
    ASSERT_TRUE(run_until(io, [&] { return sock.count("WATCHDOG=1") >= pings + 3; }));
    EXPECT_EQ(sock.count("READY=1"), 1u);

    notifier.stop();
    EXPECT_EQ(sock.drain().back(), "STOPPING=1\nSTATUS=stopping\n");
    const std::size_t total = sock.all.size();
    io.restart();
    io.run_for(std::chrono::milliseconds(300));  // draining: the watchdog goes on, nothing else
    ASSERT_GT(sock.drain().size(), total);
    for (std::size_t i = total; i < sock.all.size(); ++i) EXPECT_EQ(sock.all[i], "WATCHDOG=1\n");
}

TEST(ServiceNotifierSocket, NothingWithoutNotifySocket) {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    EXPECT_EQ(ServiceNotifier::systemd_watchdog_usec(), 0);
    asio::io_context io;
    int sends = 0;
    ServiceNotifier notifier(
        io, {30000, 50, 0}, [] { return ServiceState{}; },
        [&](const std::string& text) {
            ++sends;
            return ServiceNotifier::systemd_send(text);
        });
    notifier.start();
    EXPECT_FALSE(notifier.enabled());
    EXPECT_EQ(io.run_for(std::chrono::milliseconds(200)), 0u);  // no timer armed
    notifier.stop();
    EXPECT_EQ(sends, 1);  // the first STATUS found no socket; STOPPING=1 is not even tried
}
