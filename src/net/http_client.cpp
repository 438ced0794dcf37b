#include "net/http_client.h"

#include <algorithm>
#include <array>
#include <deque>
#include <vector>

#include "net/http_wire.h"
#include "util/url.h"

namespace pigeonhub {
namespace {

using tcp = asio::ip::tcp;

struct Pending {
    std::string_view method;  // "GET" or "POST"
    HttpUrl url;
    std::string body;
    std::chrono::milliseconds deadline;
    std::function<void(HttpResult)> done;
};

// One request on its own connection. Lifetime: shared_ptr, held by the client while it runs and by each pending
// async operation; `finished` makes every late completion a no-op.
struct Request : std::enable_shared_from_this<Request> {
    using Finish = std::function<void(Request&, HttpResult)>;

    Request(asio::io_context& io, Pending p, Finish f)
        : pending(std::move(p)), on_finish(std::move(f)), resolver(io), socket(io), timer(io) {}

    void start() {
        timer.expires_after(pending.deadline);
        timer.async_wait([self = shared_from_this()](const asio::error_code& ec) {
            if (!ec) self->finish({0, "timeout", {}});
        });
        out = format_request(pending.method, pending.url, pending.body);
        pending.body.clear();
        asio::error_code ec;
        const auto literal = asio::ip::make_address(pending.url.host, ec);
        if (!ec) {  // an IP literal: no resolver thread needed
            socket.async_connect(tcp::endpoint(literal, pending.url.port),
                                 [self = shared_from_this()](const asio::error_code& cec) { self->on_connect(cec); });
            return;
        }
        resolver.async_resolve(pending.url.host, std::to_string(pending.url.port),
                               [self = shared_from_this()](const asio::error_code& rec, tcp::resolver::results_type r) {
                                   self->on_resolve(rec, std::move(r));
                               });
    }

    void on_resolve(const asio::error_code& ec, tcp::resolver::results_type results) {
        if (finished) return;
        if (ec) return finish({0, "cannot resolve " + pending.url.host + ": " + ec.message(), {}});
        asio::async_connect(
            socket, results,
            [self = shared_from_this()](const asio::error_code& cec, const tcp::endpoint&) { self->on_connect(cec); });
    }

    void on_connect(const asio::error_code& ec) {
        if (finished) return;
        if (ec == asio::error::connection_refused) return finish({0, "connection refused", {}});
        if (ec) return finish({0, "connect failed: " + ec.message(), {}});
        asio::async_write(
            socket, asio::buffer(out),
            [self = shared_from_this()](const asio::error_code& wec, std::size_t) { self->on_written(wec); });
    }

    void on_written(const asio::error_code& ec) {
        if (finished) return;
        if (ec) return finish({0, "send failed: " + ec.message(), {}});
        out = std::string();
        read();
    }

    void read() {
        socket.async_read_some(asio::buffer(buf), [self = shared_from_this()](const asio::error_code& ec,
                                                                              std::size_t n) { self->on_read(ec, n); });
    }

    void on_read(const asio::error_code& ec, std::size_t n) {
        if (finished) return;
        HttpReplyParser::State s = HttpReplyParser::State::partial;
        if (n > 0) s = parser.feed(std::string_view(buf.data(), n));
        if (s == HttpReplyParser::State::partial && ec == asio::error::eof)
            s = parser.end_of_stream();
        else if (s == HttpReplyParser::State::partial && ec)
            return finish({0, "receive failed: " + ec.message(), {}});
        switch (s) {
            case HttpReplyParser::State::done: return finish({parser.status(), {}, std::string(parser.body())});
            case HttpReplyParser::State::failed: return finish({0, parser.error(), {}});
            case HttpReplyParser::State::partial: return read();
        }
    }

    void finish(HttpResult result) {
        if (finished) return;
        abandon();
        on_finish(*this, std::move(result));
    }

    // Stops every operation; their completions then do nothing.
    void abandon() {
        finished = true;
        asio::error_code ec;
        timer.cancel();
        resolver.cancel();
        socket.close(ec);
    }

    Pending pending;
    Finish on_finish;
    tcp::resolver resolver;
    tcp::socket socket;
    asio::steady_timer timer;
    std::string out;
    HttpReplyParser parser;
    std::array<char, 8192> buf;
    bool finished = false;
};

}  // namespace

struct HttpClient::Impl : std::enable_shared_from_this<HttpClient::Impl> {
    Impl(asio::io_context& i, std::size_t in_flight, std::size_t queued)
        : io(i), max_in_flight(std::max<std::size_t>(1, in_flight)), max_queued(queued) {}

    void fail_later(std::function<void(HttpResult)> done, std::string error) {
        asio::post(io, [weak = weak_from_this(), done = std::move(done), error = std::move(error)] {
            if (weak.lock() && done) done({0, error, {}});
        });
    }

    void start(Pending p) {
        auto r = std::make_shared<Request>(io, std::move(p), [weak = weak_from_this()](Request& req, HttpResult res) {
            if (auto self = weak.lock()) self->finished(req, std::move(res));
        });
        running.push_back(r);
        r->start();
    }

    void finished(Request& req, HttpResult result) {
        auto keep = shared_from_this();  // `done` may destroy the client
        auto done = std::move(req.pending.done);
        auto it = std::find_if(running.begin(), running.end(), [&](const auto& r) { return r.get() == &req; });
        if (it != running.end()) running.erase(it);
        // The next queued request takes the freed slot before `done` runs, so a post() from `done` queues behind it.
        if (!queue.empty()) {
            Pending next = std::move(queue.front());
            queue.pop_front();
            start(std::move(next));
        }
        if (done) done(std::move(result));
    }

    void shutdown() {
        queue.clear();
        auto doomed = std::move(running);
        running.clear();
        for (auto& r : doomed) r->abandon();
    }

    asio::io_context& io;
    const std::size_t max_in_flight;
    const std::size_t max_queued;
    std::vector<std::shared_ptr<Request>> running;  // at most max_in_flight
    std::deque<Pending> queue;                      // at most max_queued
};

HttpClient::HttpClient(asio::io_context& io, std::size_t max_in_flight, std::size_t max_queued)
    : impl_(std::make_shared<Impl>(io, max_in_flight, max_queued)) {}

HttpClient::~HttpClient() {
    impl_->shutdown();
}

void HttpClient::post(const std::string& url, std::string body, std::chrono::milliseconds deadline,
                      std::function<void(HttpResult)> done) {
    request("POST", url, std::move(body), deadline, std::move(done));
}

void HttpClient::get(const std::string& url, std::chrono::milliseconds deadline, std::function<void(HttpResult)> done) {
    request("GET", url, {}, deadline, std::move(done));
}

void HttpClient::request(std::string_view method, const std::string& url, std::string body,
                         std::chrono::milliseconds deadline, std::function<void(HttpResult)> done) {
    Impl& m = *impl_;
    auto parsed = parse_http_url(url);
    if (!parsed) return m.fail_later(std::move(done), "unsupported URL");
    if (parsed->https) return m.fail_later(std::move(done), "https not supported");
    Pending p{method, std::move(*parsed), std::move(body), deadline, std::move(done)};
    if (m.running.size() < m.max_in_flight) return m.start(std::move(p));
    if (m.queue.size() >= m.max_queued) return m.fail_later(std::move(p.done), "queue full");
    m.queue.push_back(std::move(p));
}

std::size_t HttpClient::in_flight() const noexcept {
    return impl_->running.size();
}
std::size_t HttpClient::queued() const noexcept {
    return impl_->queue.size();
}

}  // namespace pigeonhub
