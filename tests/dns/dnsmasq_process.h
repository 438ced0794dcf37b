// A dnsmasq (Debian's dnsmasq-base) for tests: a real DNS server on 127.0.0.1 and a free port, serving the TXT
// records it is given and nothing else (no upstream, no /etc/hosts, no configuration file), killed by PID when the
// object goes, and by the kernel if the test process dies first (PR_SET_PDEATHSIG).
//
// It runs with --no-daemon: in that mode dnsmasq answers TCP in the same process (with --keep-in-foreground it forks
// a child per TCP connection, which a kill by PID would leave behind) and does not switch to the user `nobody`.
// The binary: $DNSMASQ, else /usr/sbin/dnsmasq, else `dnsmasq` on PATH. Test-only, single-threaded use.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace pigeonhub::test {

// A port free on 127.0.0.1 for both UDP and TCP at the time of the call (DNS uses both), or 0.
inline std::uint16_t free_dns_port() {
    for (int attempt = 0; attempt < 20; ++attempt) {
        int u = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (u < 0 || ::bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            ::getsockname(u, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
            if (u >= 0) ::close(u);
            return 0;
        }
        int t = ::socket(AF_INET, SOCK_STREAM, 0);
        const bool tcp_free = t >= 0 && ::bind(t, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        if (t >= 0) ::close(t);
        ::close(u);
        if (tcp_free) return ntohs(a.sin_port);
    }
    return 0;
}

inline std::string find_dnsmasq() {
    if (const char* env = std::getenv("DNSMASQ"); env != nullptr && *env != '\0') {
        return ::access(env, X_OK) == 0 ? env : "";
    }
    if (::access("/usr/sbin/dnsmasq", X_OK) == 0) return "/usr/sbin/dnsmasq";
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path != nullptr ? path : "");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        const std::string candidate = dir + "/dnsmasq";
        if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return {};
}

class DnsmasqProcess {
public:
    struct TxtRecord {
        std::string name;
        std::vector<std::string> strings;  // the character-strings of one record (dnsmasq splits those over 255)
    };

    // Starts dnsmasq; on failure error() says why (and pid() is 0).
    // `local_domain`: answered only from the records given (NXDOMAIN for other names in it); names outside it are
    // refused (no upstream). `address_records`: "name,ip" A records (a name with those but no TXT gives NODATA).
    DnsmasqProcess(const std::vector<TxtRecord>& txt, const std::string& local_domain,
                   const std::vector<std::string>& address_records = {}) {
        const std::string binary = find_dnsmasq();
        if (binary.empty()) {
            error_ = "dnsmasq not found (install Debian's dnsmasq-base, or set DNSMASQ to the binary)";
            return;
        }
        port_ = free_dns_port();
        if (port_ == 0) {
            error_ = "no free port on 127.0.0.1";
            return;
        }
        char log_template[] = "/tmp/pigeonhub-dnsmasq-XXXXXX";
        const int log_fd = ::mkstemp(log_template);
        if (log_fd < 0) {
            error_ = "mkstemp failed";
            return;
        }
        log_path_ = log_template;

        std::vector<std::string> args = {binary,
                                         "--no-daemon",
                                         "--log-facility=-",
                                         "--pid-file=",
                                         "--conf-file=/dev/null",
                                         "--no-resolv",
                                         "--no-hosts",
                                         "--no-poll",
                                         "--bind-interfaces",
                                         "--listen-address=127.0.0.1",
                                         "--port=" + std::to_string(port_),
                                         "--local=/" + local_domain + "/"};
        for (const auto& r : txt) {
            std::string arg = "--txt-record=" + r.name;
            // dnsmasq splits the value on commas into character-strings, and takes quotes as quoting.
            for (const auto& s : r.strings) arg += "," + s;
            args.push_back(arg);
        }
        for (const auto& a : address_records) args.push_back("--host-record=" + a);

        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);

        const pid_t parent = ::getpid();
        const pid_t pid = ::fork();
        if (pid < 0) {
            ::close(log_fd);
            error_ = "fork failed";
            return;
        }
        if (pid == 0) {
            // Killed with the test process, however that ends.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent) ::_exit(127);
            const int null_fd = ::open("/dev/null", O_RDONLY);
            ::dup2(null_fd, 0);
            ::dup2(log_fd, 1);
            ::dup2(log_fd, 2);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(log_fd);
        pid_ = pid;
    }

    ~DnsmasqProcess() {
        stop();
        if (!log_path_.empty()) ::unlink(log_path_.c_str());
    }

    DnsmasqProcess(const DnsmasqProcess&) = delete;
    DnsmasqProcess& operator=(const DnsmasqProcess&) = delete;

    const std::string& error() const { return error_; }
    pid_t pid() const { return pid_; }
    std::uint16_t port() const { return port_; }
    std::string server() const { return "127.0.0.1:" + std::to_string(port_); }

    // False (with the exit status in error()) once dnsmasq has exited, e.g. on a bad option or a taken port.
    bool running() {
        if (pid_ == 0) return false;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            error_ = (WIFEXITED(status) ? "dnsmasq exited with code " + std::to_string(WEXITSTATUS(status))
                                        : "dnsmasq killed by signal " + std::to_string(WTERMSIG(status))) +
                     ": " + log();
            pid_ = 0;
            return false;
        }
        return true;
    }

    // What dnsmasq wrote to stdout and stderr.
    std::string log() const {
        std::ifstream in(log_path_);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

    // SIGTERM, then SIGKILL after 2 s; reaps the process.
    void stop() {
        if (pid_ == 0) return;
        ::kill(pid_, SIGTERM);
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        int status = 0;
        while (::waitpid(pid_, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() >= end) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        pid_ = 0;
    }

private:
    std::string error_;
    std::string log_path_;
    std::uint16_t port_ = 0;
    pid_t pid_ = 0;
};

}  // namespace pigeonhub::test
