#include "bootstrap/dns_txt_resolver.h"

#include <ares.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <deque>
#include <map>
#include <mutex>

namespace pigeonhub {
namespace {

using namespace std::chrono_literals;
using Done = std::function<void(std::vector<std::string>, std::string)>;

constexpr int kClassIn = 1;
constexpr int kTypeTxt = 16;
constexpr int kTries = 8;           // more than fit in any deadline: the deadline ends a query, not c-ares
constexpr int kEdnsPayload = 1232;  // the DNS flag day 2020 size; larger answers come over TCP
constexpr auto kMinTryTimeout = 250ms;
constexpr auto kMaxTryTimeout = 2000ms;

// ares_library_init must run before the first channel; it keeps an unlocked reference count, hence the once_flag.
// The one process-wide state of this file: it holds nothing to release on Linux, so it is never cleaned up.
int library_status() {
    static std::once_flag once;
    static int status = ARES_SUCCESS;
    std::call_once(once, [] { status = ares_library_init(ARES_LIB_INIT_ALL); });
    return status;
}

// c-ares' own socket calls send TCP with writev(), which raises SIGPIPE when the server has reset the connection, and
// the hub does not ignore SIGPIPE. These calls are c-ares' defaults (non-blocking, close-on-exec, no Nagle for TCP;
// it sets none of them on sockets from here) with MSG_NOSIGNAL on every send.
ares_socket_t open_socket(int family, int type, int protocol, void*) {
    const int fd = ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    if (fd < 0) return ARES_SOCKET_BAD;
    if (type == SOCK_STREAM) {
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
}
int close_socket(ares_socket_t fd, void*) {
    return ::close(fd);
}
int connect_socket(ares_socket_t fd, const sockaddr* addr, ares_socklen_t len, void*) {
    return ::connect(fd, addr, len);
}
ares_ssize_t receive(ares_socket_t fd, void* buf, std::size_t len, int flags, sockaddr* from, ares_socklen_t* from_len,
                     void*) {
    return ::recvfrom(fd, buf, len, flags, from, from_len);
}
ares_ssize_t send_vector(ares_socket_t fd, const iovec* vec, int count, void*) {
    msghdr m{};
    m.msg_iov = const_cast<iovec*>(vec);
    m.msg_iovlen = static_cast<std::size_t>(count);
    return ::sendmsg(fd, &m, MSG_NOSIGNAL);
}
constexpr ares_socket_functions kSocketFunctions = {open_socket, close_socket, connect_socket, receive, send_vector};

std::string error_text(int status) {
    switch (status) {
        case ARES_ETIMEOUT: return "timeout";
        // c-ares 1.18 discards SERVFAIL, REFUSED and NOTIMP answers and tries again (another server, if any); when
        // no try is left it reports the status a query starts with, ECONNREFUSED, as for a closed port. So these
        // are one error here. (Later c-ares versions report SERVFAIL and REFUSED as such.)
        case ARES_ECONNREFUSED:
        case ARES_ESERVFAIL:
        case ARES_EREFUSED: return "refused";
        case ARES_EBADNAME: return "bad name";
        case ARES_EBADRESP: return "bad response";
        default: return ares_strerror(status);
    }
}

// The records of a TXT answer: c-ares lists every character-string, record_start marking the first of a record.
bool txt_records(const unsigned char* abuf, int alen, std::vector<std::string>& out) {
    ares_txt_ext* head = nullptr;
    const int rc = ares_parse_txt_reply_ext(abuf, alen, &head);
    if (rc == ARES_ENODATA) return true;
    if (rc != ARES_SUCCESS) return false;
    for (const ares_txt_ext* t = head; t != nullptr; t = t->next) {
        if (t->record_start || out.empty()) out.emplace_back();
        out.back().append(reinterpret_cast<const char*>(t->txt), t->length);
    }
    ares_free_data(head);
    return true;
}

// One socket of a c-ares channel. c-ares owns the descriptor (opens and closes it); asio only waits on it.
struct SocketWatch {
    SocketWatch(asio::io_context& io, int f) : fd(f), sd(io) {}
    const int fd;
    asio::posix::stream_descriptor sd;
    bool want_read = false, want_write = false;  // what c-ares last asked for
    bool reading = false, writing = false;       // a wait (or a posted wake-up) is pending
    bool closed = false;                         // c-ares closed it: ignore late completions
};

// One query on its own c-ares channel. Lifetime: shared_ptr, held by the resolver while queued or running; async
// handlers hold weak_ptrs. c-ares calls back with `this` as its data, valid while the channel lives (the channel
// is destroyed by abandon(), at the latest in the destructor).
struct Lookup : std::enable_shared_from_this<Lookup> {
    using Finish = std::function<void(Lookup&, std::vector<std::string>, std::string)>;

    Lookup(asio::io_context& i, std::string n, std::chrono::milliseconds t, Done d, Finish f)
        : io(i),
          name(std::move(n)),
          timeout(t),
          done(std::move(d)),
          on_finish(std::move(f)),
          deadline(i),
          ares_timer(i) {}
    ~Lookup() { abandon(); }

    void arm_deadline() {
        deadline.expires_after(timeout);
        deadline.async_wait([weak = weak_from_this()](const asio::error_code& ec) {
            if (ec) return;
            if (auto self = weak.lock()) self->finish({}, "timeout");
        });
    }

    void start(const std::string& server) {
        if (finished) return;
        if (const int st = library_status(); st != ARES_SUCCESS) return finish({}, error_text(st));
        ares_options opts{};
        opts.flags = ARES_FLAG_EDNS;
        opts.timeout = static_cast<int>(
            std::clamp<std::chrono::milliseconds>(timeout / 4, kMinTryTimeout, kMaxTryTimeout).count());
        opts.tries = kTries;
        opts.ednspsz = kEdnsPayload;
        opts.sock_state_cb = &Lookup::sock_state_thunk;
        opts.sock_state_cb_data = this;
        const int mask =
            ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_EDNSPSZ | ARES_OPT_SOCK_STATE_CB;
        ares_channel ch = nullptr;
        if (const int st = ares_init_options(&ch, &opts, mask); st != ARES_SUCCESS) return finish({}, error_text(st));
        channel = ch;
        ares_set_socket_functions(channel, &kSocketFunctions, nullptr);
        if (!server.empty()) {
            if (const int st = ares_set_servers_ports_csv(channel, server.c_str()); st != ARES_SUCCESS) {
                return finish({}, "bad DNS server " + server + ": " + ares_strerror(st));
            }
        }
        // May call answer_thunk at once (a name it cannot encode): finish() only posts, so that is safe here.
        ares_query(channel, name.c_str(), kClassIn, kTypeTxt, &Lookup::answer_thunk, this);
        schedule_ares_timer();
    }

    // Ends the query: the result goes to on_finish from a posted handler, outside c-ares and outside query().
    void finish(std::vector<std::string> txt, std::string error) {
        if (finished) return;
        finished = true;
        deadline.cancel();
        ares_timer.cancel();
        asio::post(io, [weak = weak_from_this(), txt = std::move(txt), error = std::move(error)]() mutable {
            if (auto self = weak.lock()) self->on_finish(*self, std::move(txt), std::move(error));
        });
    }

    // Stops everything; no callback runs after it. Never called from inside c-ares (ares_destroy is not reentrant).
    void abandon() {
        finished = true;
        deadline.cancel();
        ares_timer.cancel();
        if (channel != nullptr) {
            ares_channel ch = channel;
            channel = nullptr;
            ares_destroy(ch);  // calls answer_thunk with ARES_EDESTRUCTION and sock_state(fd, 0, 0) per socket
        }
        for (auto& [fd, w] : sockets) release(*w);
        sockets.clear();
    }

    static void answer_thunk(void* arg, int status, int, unsigned char* abuf, int alen) {
        static_cast<Lookup*>(arg)->on_answer(status, abuf, alen);
    }

    void on_answer(int status, const unsigned char* abuf, int alen) {
        if (finished) return;  // ARES_EDESTRUCTION from abandon(), or after the deadline
        std::vector<std::string> txt;
        switch (status) {
            case ARES_SUCCESS:
                if (!txt_records(abuf, alen, txt)) return finish({}, "bad response");
                return finish(std::move(txt), {});
            case ARES_ENOTFOUND:  // NXDOMAIN
            case ARES_ENODATA:    // the name exists, without TXT records
                return finish({}, {});
            default: return finish({}, error_text(status));
        }
    }

    static void sock_state_thunk(void* data, ares_socket_t fd, int readable, int writable) {
        static_cast<Lookup*>(data)->sock_state(fd, readable != 0, writable != 0);
    }

    void sock_state(int fd, bool readable, bool writable) {
        auto it = sockets.find(fd);
        if (!readable && !writable) {  // c-ares closes the socket right after this call
            if (it == sockets.end()) return;
            release(*it->second);
            sockets.erase(it);
            return;
        }
        if (it == sockets.end()) {
            auto w = std::make_shared<SocketWatch>(io, fd);
            asio::error_code ec;
            w->sd.assign(fd, ec);
            if (ec) return finish({}, "cannot watch a DNS socket: " + ec.message());
            it = sockets.emplace(fd, std::move(w)).first;
        }
        it->second->want_read = readable;
        it->second->want_write = writable;
        if (!finished) arm(it->second);
    }

    static void release(SocketWatch& w) {
        w.closed = true;
        w.sd.release();  // without closing the descriptor; pending waits complete with operation_aborted
    }

    void arm(const std::shared_ptr<SocketWatch>& w) {
        if (w->want_read && !w->reading) wait(w, true);
        if (w->want_write && !w->writing) wait(w, false);
    }

    void wait(const std::shared_ptr<SocketWatch>& w, bool read) {
        (read ? w->reading : w->writing) = true;
        auto handler = [weak = weak_from_this(), w, read](const asio::error_code& ec) {
            if (auto self = weak.lock()) self->on_ready(w, read, ec);
        };
        // asio registers a descriptor with epoll edge-triggered and does not check readiness when a wait starts:
        // readiness that came before the wait (c-ares reads a TCP socket once per call, and stops reading UDP after
        // a datagram from a stranger) would never wake it. So check first, without blocking. No readiness can be
        // missed between this check and the wait because the one io thread is here, not in epoll_wait.
        pollfd p{w->fd, static_cast<short>(read ? POLLIN : POLLOUT), 0};
        if (::poll(&p, 1, 0) > 0) {  // ready, or an error c-ares will see when it reads or writes
            asio::post(io, [handler = std::move(handler)] { handler({}); });
            return;
        }
        w->sd.async_wait(read ? asio::posix::stream_descriptor::wait_read : asio::posix::stream_descriptor::wait_write,
                         std::move(handler));
    }

    void on_ready(const std::shared_ptr<SocketWatch>& w, bool read, const asio::error_code& ec) {
        (read ? w->reading : w->writing) = false;
        if (ec || w->closed || finished) return;
        ares_process_fd(channel, read ? w->fd : ARES_SOCKET_BAD, read ? ARES_SOCKET_BAD : w->fd);
        if (finished) return;
        if (!w->closed) arm(w);
        schedule_ares_timer();
    }

    // c-ares' next resend (or giving up), from ares_timeout; none when no query is pending.
    void schedule_ares_timer() {
        if (finished || channel == nullptr) return;
        timeval tv{};
        if (ares_timeout(channel, nullptr, &tv) == nullptr) {
            ares_timer.cancel();
            return;
        }
        // ares_timeout truncates to whole milliseconds: 1 ms more keeps the timer from firing just before c-ares
        // counts the try as timed out (then finding nothing to do and firing again at once).
        const auto wait = std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec) + 1ms;
        ares_timer.expires_after(wait);
        ares_timer.async_wait([weak = weak_from_this()](const asio::error_code& ec) {
            if (ec) return;
            auto self = weak.lock();
            if (!self || self->finished) return;
            ares_process_fd(self->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
            self->schedule_ares_timer();
        });
    }

    asio::io_context& io;
    const std::string name;
    const std::chrono::milliseconds timeout;
    Done done;
    Finish on_finish;
    asio::steady_timer deadline;    // the caller's, from query()
    asio::steady_timer ares_timer;  // c-ares' resends
    ares_channel channel = nullptr;
    std::map<int, std::shared_ptr<SocketWatch>> sockets;
    bool finished = false;
};

}  // namespace

struct DnsTxtResolver::Impl : std::enable_shared_from_this<DnsTxtResolver::Impl> {
    Impl(asio::io_context& i, std::string s, std::size_t in_flight, std::size_t queued)
        : io(i), server(std::move(s)), max_in_flight(std::max<std::size_t>(1, in_flight)), max_queued(queued) {}

    void query(const std::string& name, std::chrono::milliseconds timeout, Done done) {
        if (running.size() >= max_in_flight && queue.size() >= max_queued) {
            asio::post(io, [weak = weak_from_this(), done = std::move(done)] {
                if (weak.lock() && done) done({}, "busy");
            });
            return;
        }
        auto lookup = std::make_shared<Lookup>(
            io, name, timeout, std::move(done),
            [weak = weak_from_this()](Lookup& l, std::vector<std::string> txt, std::string error) {
                if (auto self = weak.lock()) self->finished(l, std::move(txt), std::move(error));
            });
        lookup->arm_deadline();
        if (running.size() < max_in_flight) {
            running.push_back(lookup);
            lookup->start(server);
        } else {
            queue.push_back(std::move(lookup));
        }
    }

    void finished(Lookup& l, std::vector<std::string> txt, std::string error) {
        auto keep = shared_from_this();  // `done` may destroy the resolver
        Done done = std::move(l.done);
        l.abandon();
        auto same = [&](const std::shared_ptr<Lookup>& p) { return p.get() == &l; };
        running.erase(std::remove_if(running.begin(), running.end(), same), running.end());
        queue.erase(std::remove_if(queue.begin(), queue.end(), same), queue.end());
        // Queued queries take the free slots before `done` runs, so a query() from `done` queues behind them.
        while (running.size() < max_in_flight && !queue.empty()) {
            auto next = std::move(queue.front());
            queue.pop_front();
            running.push_back(next);
            next->start(server);
        }
        if (done) done(std::move(txt), std::move(error));
    }

    void shutdown() {
        auto doomed = std::move(running);
        running.clear();
        for (auto& l : doomed) l->abandon();
        for (auto& l : queue) l->abandon();
        queue.clear();
    }

    asio::io_context& io;
    const std::string server;
    const std::size_t max_in_flight;
    const std::size_t max_queued;
    std::vector<std::shared_ptr<Lookup>> running;  // at most max_in_flight
    std::deque<std::shared_ptr<Lookup>> queue;     // at most max_queued
};

DnsTxtResolver::DnsTxtResolver(asio::io_context& io, std::string server, std::size_t max_in_flight,
                               std::size_t max_queued)
    : impl_(std::make_shared<Impl>(io, std::move(server), max_in_flight, max_queued)) {}

DnsTxtResolver::~DnsTxtResolver() {
    impl_->shutdown();
}

void DnsTxtResolver::query(const std::string& name, std::chrono::milliseconds timeout,
                           std::function<void(std::vector<std::string>, std::string)> done) {
    impl_->query(name, timeout, std::move(done));
}

std::size_t DnsTxtResolver::in_flight() const noexcept {
    return impl_->running.size();
}

std::size_t DnsTxtResolver::queued() const noexcept {
    return impl_->queue.size();
}

}  // namespace pigeonhub
