#include "net/listener.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "util/clock.h"
#include "util/log.h"

namespace pigeonhub {
namespace {

// Connections shed per failed accept(): bounds the time one round takes on the io thread.
constexpr int kShedBatch = 256;

// What a shed connection gets: whatever it asked for, the hub cannot serve it now.
const std::string& shed_response() {
    static const std::string response = [] {
        const std::string body = R"({"status":"unhealthy","reason":"out of file descriptors"})";
        return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body;
    }();
    return response;
}

// asio reports accept() errors as errno values in its own system category; AcceptRetry takes errno values in the
// standard one.
std::error_code as_errno(const asio::error_code& ec) {
    return ec.category() == asio::system_category() ? std::error_code(ec.value(), std::system_category()) : ec;
}

std::string describe(const asio::error_code& ec) {
    std::string s = ec.message();
    if (ec.category() == asio::system_category())
        if (const char* name = strerrorname_np(ec.value())) s += std::string(" (") + name + ")";
    return s;
}

}  // namespace

Listener::Listener(asio::io_context& io, ListenerStats& stats)
    : stats_(stats), acceptor_(io), retry_timer_(io) {}

Listener::~Listener() { close(); }

std::string Listener::open(const asio::ip::tcp::endpoint& endpoint) {
    asio::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    // shed() calls accept4() on the descriptor itself and must never block.
    if (!ec) acceptor_.native_non_blocking(true, ec);
    if (ec) {
        asio::error_code ignored;
        acceptor_.close(ignored);
        return ec.message();
    }
    port_ = acceptor_.local_endpoint(ec).port();
    open_spare();
    return {};
}

void Listener::accept(std::function<void(asio::ip::tcp::socket)> on_accepted) {
    on_accepted_ = std::move(on_accepted);
    arm();
}

void Listener::arm() {
    if (closed_) return;
    acceptor_.async_accept([this, alive = std::weak_ptr<char>(alive_)](const asio::error_code& ec,
                                                                       asio::ip::tcp::socket socket) {
        if (alive.expired() || closed_) return;
        if (ec) {
            on_error(ec);
            return;
        }
        const std::int64_t now = wall_clock_ms();
        ++stats_.accepted;
        if (const std::int64_t failed_for = retry_.on_accepted(now); failed_for > 0) {
            log::info("accepting again after {} ms of failed accept() calls ({} connections answered 503 meanwhile)",
                      failed_for, stats_.shed);
            stats_.accept_failing = false;
            stats_.accept_failing_since_ms = 0;
        }
        if (spare_fd_ < 0) open_spare();
        // The callback may call accept() again, which replaces on_accepted_: call a moved-out copy.
        auto on_accepted = std::move(on_accepted_);
        on_accepted(std::move(socket));
    });
}

void Listener::on_error(const asio::error_code& ec) {
    const std::int64_t now = wall_clock_ms();
    const std::error_code errno_ec = as_errno(ec);
    const AcceptRetry::Step step = retry_.on_error(errno_ec, now);
    if (step.stop) return;
    ++stats_.accept_errors;
    if (AcceptRetry::out_of_descriptors(errno_ec)) ++stats_.out_of_descriptors;
    stats_.last_error = describe(ec);
    stats_.accept_failing = retry_.failing();
    stats_.accept_failing_since_ms = retry_.failing_since_ms();
    if (step.shed) shed();
    if (step.log) {
        log::warn("accept() failed: {}; {} more failure(s) since the last report, {} connection(s) answered 503 so "
                  "far; next try in {} ms",
                  stats_.last_error, step.unlogged, stats_.shed, step.delay_ms);
    }
    if (step.delay_ms == 0) {
        arm();
        return;
    }
    retry_timer_.expires_after(std::chrono::milliseconds(step.delay_ms));
    retry_timer_.async_wait([this, alive = std::weak_ptr<char>(alive_)](const asio::error_code& timer_ec) {
        if (alive.expired() || timer_ec || closed_) return;
        arm();
    });
}

void Listener::shed() {
    if (spare_fd_ < 0) open_spare();  // lost earlier; maybe a descriptor is free now
    if (spare_fd_ < 0) return;
    ::close(spare_fd_);
    spare_fd_ = -1;
    for (int i = 0; i < kShedBatch; ++i) {
        const int fd = ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) break;  // EAGAIN: the backlog is empty; EMFILE: another thread took the slot
        // Read a request that already arrived, so that close() ends the connection with a FIN after the 503,
        // not with a reset that could discard it.
        char sink[4096];
        [[maybe_unused]] auto r = ::recv(fd, sink, sizeof sink, MSG_DONTWAIT);
        const std::string& response = shed_response();
        [[maybe_unused]] auto w = ::send(fd, response.data(), response.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        ::close(fd);
        ++stats_.shed;
    }
    open_spare();
}

void Listener::open_spare() { spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

void Listener::close() {
    if (closed_) return;
    closed_ = true;
    asio::error_code ignored;
    retry_timer_.cancel();
    acceptor_.close(ignored);
    if (spare_fd_ >= 0) ::close(spare_fd_);
    spare_fd_ = -1;
    on_accepted_ = nullptr;
}

}  // namespace pigeonhub
