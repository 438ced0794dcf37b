// A tiny scripted HTTP server for the net tests (http_client_test, replicator_test): listens on 127.0.0.1 at an
// ephemeral port, on the test's io_context; reads each request (head, then a Content-Length body) and acts as its
// script says for that connection: reply with a status, stay silent, or close without a word.
#pragma once

#include <algorithm>
#include <array>
#include <asio.hpp>
#include <cctype>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pigeonhub::test {

class TinyHttpServer {
public:
    enum class Act { reply, silent, close_early };
    struct Step {
        Act act = Act::reply;
        int status = 200;
        std::string body = "{}";
    };
    static Step reply(int status, std::string body = "{}") { return {Act::reply, status, std::move(body)}; }
    static Step silent() { return {Act::silent, 0, {}}; }
    static Step close_early() { return {Act::close_early, 0, {}}; }

    explicit TinyHttpServer(asio::io_context& io)
        : acceptor_(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        accept();
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    std::string base() const { return "http://127.0.0.1:" + std::to_string(port()); }
    // The steps for successive connections; the last one repeats.
    void script(std::vector<Step> steps) { script_ = std::move(steps); }
    void reply_always(int status, std::string body = "{}") { script_ = {reply(status, std::move(body))}; }

    const std::vector<std::string>& requests() const { return requests_; }  // each in full, as received
    std::size_t connections() const { return connections_; }
    std::size_t hangups() const { return hangups_; }  // connections to a silent step that the client closed

private:
    struct Conn {
        explicit Conn(asio::ip::tcp::socket s) : socket(std::move(s)) {}
        asio::ip::tcp::socket socket;
        std::string data;
        std::array<char, 4096> buf;
        Step step;
        bool answered = false;
    };

    void accept() {
        acceptor_.async_accept([this](const asio::error_code& ec, asio::ip::tcp::socket s) {
            if (ec) return;
            auto c = std::make_shared<Conn>(std::move(s));
            c->step = script_.empty() ? Step{} : script_[std::min(connections_, script_.size() - 1)];
            ++connections_;
            held_.push_back(c);
            read(c);
            accept();
        });
    }

    void read(const std::shared_ptr<Conn>& c) {
        c->socket.async_read_some(asio::buffer(c->buf), [this, c](const asio::error_code& ec, std::size_t n) {
            if (ec) {
                if (c->step.act == Act::silent) ++hangups_;
                return;
            }
            c->data.append(c->buf.data(), n);
            if (!c->answered && complete(c->data)) {
                c->answered = true;
                requests_.push_back(c->data);
                if (c->step.act == Act::close_early) return c->socket.close();
                if (c->step.act == Act::reply) return answer(c);
            }
            read(c);  // silent: wait for the client to hang up
        });
    }

    static bool complete(const std::string& d) {
        const std::size_t end = d.find("\r\n\r\n");
        if (end == std::string::npos) return false;
        std::string head = d.substr(0, end);
        for (auto& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        const std::size_t cl = head.find("content-length:");
        const std::size_t length = cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 15));
        return d.size() >= end + 4 + length;
    }

    void answer(const std::shared_ptr<Conn>& c) {
        auto out = std::make_shared<std::string>("HTTP/1.1 " + std::to_string(c->step.status) +
                                                 " Scripted\r\nContent-Length: " + std::to_string(c->step.body.size()) +
                                                 "\r\nConnection: close\r\n\r\n" + c->step.body);
        asio::async_write(c->socket, asio::buffer(*out), [c, out](const asio::error_code&, std::size_t) {
            asio::error_code ec;
            c->socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
            c->socket.close(ec);
        });
    }

    asio::ip::tcp::acceptor acceptor_;
    std::vector<Step> script_ = {{}};
    std::vector<std::shared_ptr<Conn>> held_;  // every connection stays open until the client or the step ends it
    std::vector<std::string> requests_;
    std::size_t connections_ = 0;
    std::size_t hangups_ = 0;
};

// A port on 127.0.0.1 where nothing listens (it was free a moment ago): connecting is refused.
inline std::uint16_t refused_port(asio::io_context& io) {
    asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return a.local_endpoint().port();
}

// Runs `io` until `done()` holds or `limit` passes; false on the limit.
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::seconds(3)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= end) return false;
        io.restart();
        io.run_one_for(std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace pigeonhub::test
