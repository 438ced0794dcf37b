// pigeonhub-loadgen: a WebSocket load generator for PeerPigeon-protocol hubs (ours and the reference), on
// standalone asio, single-threaded, loopback only. Each scenario prints one JSON line with its results.
//
//   pigeonhub-loadgen idle  --port P --conns N [--announce]  N idle peers (with --announce, each in its own namespace)
//   pigeonhub-loadgen join  --port P --conns N [--conc C] [--max-peers K]
//                                                            N peers announce into ONE namespace; joins/s. With
//                                                            --max-peers (for a hub in bounded discovery mode) the
//                                                            run ends when the k-closest discoveries have arrived.
//   pigeonhub-loadgen relay --port P --pairs M --seconds S   M sender->receiver pairs push offers; messages/s
//   pigeonhub-loadgen rtt   --port P --count K [--idle N]    offer->answer round trips p50/p99 (with N idle peers)
//   pigeonhub-loadgen rooms --port P --conns N [--conc C] [--port2 Q] [--hold S]
//                                                            N peers into N/2 namespaces of two; joins/s until every
//                                                            pair discovered each other. With --port2 the second of
//                                                            each pair joins the hub on Q (cross-hub). Then holds
//                                                            the peers S seconds (the driver reads the hub's RSS).
//
// Every scenario is bounded in connections and time (at most 60 s) and refuses non-loopback targets.
#include <asio.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using asio::ip::tcp;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

std::string random_id(std::mt19937_64& rng) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s(40, '0');
    for (auto& c : s) c = kHex[rng() & 15];
    return s;
}

// A client frame: FIN, text, masked with a fixed key (the hub must unmask; the key's value does not matter).
std::string client_frame(const std::string& payload) {
    std::string f;
    f += static_cast<char>(0x81);
    const std::size_t n = payload.size();
    if (n < 126) {
        f += static_cast<char>(0x80 | n);
    } else if (n <= 0xFFFF) {
        f += static_cast<char>(0x80 | 126);
        f += static_cast<char>(n >> 8);
        f += static_cast<char>(n & 0xFF);
    } else {
        f += static_cast<char>(0x80 | 127);
        for (int i = 7; i >= 0; --i) f += static_cast<char>((static_cast<std::uint64_t>(n) >> (8 * i)) & 0xFF);
    }
    const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
    f.append(reinterpret_cast<const char*>(key), 4);
    const std::size_t at = f.size();
    f.append(payload);
    for (std::size_t i = 0; i < n; ++i) f[at + i] = static_cast<char>(f[at + i] ^ key[i & 3]);
    return f;
}

// A framed message that is sent many times (built and masked once, shared by the queues that hold it).
using Frame = std::shared_ptr<const std::string>;
Frame prepare(const std::string& payload) { return std::make_shared<const std::string>(client_frame(payload)); }

// One WebSocket client connection. Calls on_message for each text/binary message.
class Client : public std::enable_shared_from_this<Client> {
public:
    // The message views into the read buffer: valid during the call only.
    using Handler = std::function<void(Client&, std::string_view)>;

    Client(asio::io_context& io, std::string id) : socket_(io), id_(std::move(id)) {}

    const std::string& id() const { return id_; }
    bool open() const { return open_; }
    Handler on_message;
    std::function<void(Client&)> on_open;
    std::function<void(Client&)> on_close;

    void connect(const tcp::endpoint& ep, unsigned short port) {
        auto self = shared_from_this();
        socket_.async_connect(ep, [self, port](const asio::error_code& ec) {
            if (ec) return self->fail();
            self->socket_.set_option(tcp::no_delay(true));
            std::string req = "GET /?peerId=" + self->id_ + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                              "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
            self->send_frame(std::make_shared<const std::string>(std::move(req)));
            self->read();
        });
    }

    void send(const std::string& json) { send_frame(prepare(json)); }
    void send_frame(Frame f) {
        out_.push_back(std::move(f));
        if (out_.size() == 1 && !writing_) write();
    }
    void close() {
        asio::error_code ec;
        socket_.close(ec);
        open_ = false;
    }

private:
    void fail() {
        if (closed_) return;
        closed_ = true;
        open_ = false;
        if (on_close) on_close(*this);
    }
    void write() {
        if (out_.empty()) return;
        writing_ = true;
        batch_.clear();
        batch_.swap(out_);
        buffers_.clear();
        for (auto& b : batch_) buffers_.emplace_back(asio::buffer(*b));
        auto self = shared_from_this();
        asio::async_write(socket_, buffers_, [self](const asio::error_code& ec, std::size_t) {
            self->writing_ = false;
            if (ec) return self->fail();
            self->write();
        });
    }
    void read() {
        auto self = shared_from_this();
        socket_.async_read_some(asio::buffer(buf_), [self](const asio::error_code& ec, std::size_t n) {
            if (ec) return self->fail();
            self->in_.append(self->buf_, n);
            self->parse();
            if (!self->closed_) self->read();
        });
    }
    void parse() {
        if (!handshake_done_) {
            auto end = in_.find("\r\n\r\n");
            if (end == std::string::npos) return;
            if (in_.compare(0, 12, "HTTP/1.1 101") != 0) return fail();
            in_.erase(0, end + 4);
            handshake_done_ = true;
            open_ = true;
            if (on_open) on_open(*this);
        }
        std::size_t pos = 0;
        while (in_.size() - pos >= 2) {
            const auto* h = reinterpret_cast<const unsigned char*>(in_.data() + pos);
            std::size_t len = h[1] & 0x7F, hdr = 2;
            if (len == 126) {
                if (in_.size() - pos < 4) break;
                len = (std::size_t{h[2]} << 8) | h[3];
                hdr = 4;
            } else if (len == 127) {
                if (in_.size() - pos < 10) break;
                len = 0;
                for (int i = 0; i < 8; ++i) len = (len << 8) | h[2 + i];
                hdr = 10;
            }
            if (in_.size() - pos < hdr + len) break;
            const unsigned op = h[0] & 0x0F;
            if (op == 8) {
                close();
                fail();
                return;
            }
            if ((op == 1 || op == 2) && on_message) on_message(*this, std::string_view(in_).substr(pos + hdr, len));
            pos += hdr + len;
        }
        in_.erase(0, pos);
    }

    tcp::socket socket_;
    std::string id_;
    char buf_[65536];
    std::string in_;
    std::vector<Frame> out_, batch_;
    std::vector<asio::const_buffer> buffers_;
    bool writing_ = false, handshake_done_ = false, open_ = false, closed_ = false;
};

struct Args {
    std::string scenario;
    unsigned short port = 0;
    int conns = 1000, conc = 200, pairs = 16, count = 2000, idle = 0, window = 32;
    double seconds = 10;
    bool announce = false;
    int max_peers = 0;  // join: announce with maxPeers and expect bounded discovery
    int size = 1000;
    unsigned short port2 = 0;  // rooms: the second member of each pair joins this hub (0: the same hub)
    double hold = 0;           // rooms: seconds to keep the peers connected after the result line
};

Args parse_args(int argc, char** argv) {
    Args a;
    if (argc < 2) {
        std::fprintf(stderr, "usage: pigeonhub-loadgen idle|join|relay|rtt|rooms --port P [options]\n");
        std::exit(2);
    }
    a.scenario = argv[1];
    for (int i = 2; i < argc; i += 2) {
        std::string k = argv[i];
        if (k == "--announce") {
            a.announce = true;
            --i;
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "option %s needs a value\n", k.c_str());
            std::exit(2);
        }
        std::string v = argv[i + 1];
        if (k == "--port") a.port = static_cast<unsigned short>(std::atoi(v.c_str()));
        else if (k == "--conns") a.conns = std::atoi(v.c_str());
        else if (k == "--conc") a.conc = std::atoi(v.c_str());
        else if (k == "--pairs") a.pairs = std::atoi(v.c_str());
        else if (k == "--count") a.count = std::atoi(v.c_str());
        else if (k == "--idle") a.idle = std::atoi(v.c_str());
        else if (k == "--window") a.window = std::atoi(v.c_str());
        else if (k == "--seconds") a.seconds = std::min(60.0, std::atof(v.c_str()));
        else if (k == "--size") a.size = std::atoi(v.c_str());
        else if (k == "--max-peers") a.max_peers = std::atoi(v.c_str());
        else if (k == "--port2") a.port2 = static_cast<unsigned short>(std::atoi(v.c_str()));
        else if (k == "--hold") a.hold = std::min(120.0, std::atof(v.c_str()));
        else {
            std::fprintf(stderr, "unknown option %s\n", k.c_str());
            std::exit(2);
        }
    }
    if (a.port == 0) {
        std::fprintf(stderr, "--port is required (the hub on 127.0.0.1)\n");
        std::exit(2);
    }
    a.conns = std::clamp(a.conns, 1, 200000);
    a.pairs = std::clamp(a.pairs, 1, 10000);
    return a;
}

struct Bench {
    asio::io_context io{1};
    tcp::endpoint ep;
    unsigned short port;
    std::mt19937_64 rng{std::random_device{}()};
    std::vector<std::shared_ptr<Client>> clients;

    explicit Bench(unsigned short p) : ep(asio::ip::make_address("127.0.0.1"), p), port(p) {}

    std::shared_ptr<Client> make() {
        auto c = std::make_shared<Client>(io, random_id(rng));
        clients.push_back(c);
        return c;
    }
    // Runs the loop until `done()` or `limit_s` seconds pass.
    void run_until(const std::function<bool()>& done, double limit_s) {
        auto deadline = Clock::now() + std::chrono::duration<double>(limit_s);
        while (!done() && Clock::now() < deadline) io.run_for(std::chrono::milliseconds(5));
    }
};

std::string announce(const std::string& id, const std::string& ns) {
    return R"({"type":"announce","data":{"peerId":")" + id + R"("},"networkName":")" + ns + R"("})";
}

// Opens `n` clients with at most `conc` handshakes in flight; each announces via `ns_of(i)` unless it is empty.
int open_many(Bench& b, int n, int conc, const std::function<std::string(int)>& ns_of, double limit_s) {
    int started = 0, opened = 0, failed = 0, in_flight = 0;
    std::vector<std::shared_ptr<Client>> mine;
    std::function<void()> launch = [&] {
        while (started < n && in_flight < conc) {
            auto c = b.make();
            mine.push_back(c);
            const int i = started++;
            ++in_flight;
            c->on_open = [&, i](Client& cl) {
                --in_flight;
                ++opened;
                if (auto ns = ns_of(i); !ns.empty()) cl.send(announce(cl.id(), ns));
                launch();
            };
            c->on_close = [&](Client& cl) {
                if (!cl.open()) {
                    --in_flight;
                    ++failed;
                    launch();
                }
            };
            c->on_message = [](Client&, std::string_view) {};
            c->connect(b.ep, b.port);
        }
    };
    launch();
    b.run_until([&] { return opened + failed >= n; }, limit_s);
    // The handlers above refer to this frame: a connection that opens or closes later must not call them.
    for (auto& c : mine) {
        c->on_open = nullptr;
        c->on_close = [](Client&) {};
    }
    return opened;
}

void idle(const Args& a) {
    Bench b(a.port);
    auto t0 = Clock::now();
    const bool ann = a.announce;
    int opened = open_many(b, a.conns, a.conc, [ann](int i) { return ann ? "idle-" + std::to_string(i) : std::string(); }, 60);
    double secs = ms_since(t0) / 1000;
    b.run_until([] { return false; }, 1.0);  // let the hub settle, then count who is still open
    int held = 0;
    for (auto& c : b.clients) held += c->open();
    std::printf("{\"scenario\":\"idle\",\"requested\":%d,\"opened\":%d,\"held\":%d,\"seconds\":%.3f}\n", a.conns, opened,
                held, secs);
    std::fflush(stdout);
    // Keep them open until the driver has read the hub's RSS (it kills us).
    b.run_until([] { return false; }, 60);
}

void join(const Args& a) {
    Bench b(a.port);
    long discovered = 0;
    // All mode: every member learns every other. Bounded mode: the i-th joiner learns min(k, i) members and as
    // many learn of it, whatever the order in which the hub sees the joins.
    long expected = static_cast<long>(a.conns) * (a.conns - 1);
    if (a.max_peers > 0) {
        expected = 0;
        for (long i = 0; i < a.conns; ++i) expected += 2 * std::min<long>(a.max_peers, i);
    }
    const std::string extra = a.max_peers > 0 ? ",\"maxPeers\":" + std::to_string(a.max_peers) : "";
    auto t0 = Clock::now();
    int started = 0, opened = 0, in_flight = 0;
    std::function<void()> launch = [&] {
        while (started < a.conns && in_flight < a.conc) {
            auto c = b.make();
            ++started;
            ++in_flight;
            c->on_message = [&](Client&, std::string_view m) {
                if (m.find("\"peer-discovered\"") != std::string_view::npos) ++discovered;
            };
            c->on_open = [&](Client& cl) {
                --in_flight;
                ++opened;
                std::string msg = announce(cl.id(), "one-room");
                msg.insert(msg.size() - 1, extra);
                cl.send(msg);
                launch();
            };
            c->on_close = [&](Client&) {};
            c->connect(b.ep, b.port);
        }
    };
    launch();
    b.run_until([&] { return opened >= a.conns && discovered >= expected; }, 60);
    double secs = ms_since(t0) / 1000;
    std::printf("{\"scenario\":\"join\",\"peers\":%d,\"opened\":%d,\"discovered\":%ld,\"expected\":%ld,\"seconds\":%.3f,"
                "\"joins_per_s\":%.1f,\"complete\":%s}\n",
                a.conns, opened, discovered, expected, secs, opened / secs, discovered >= expected ? "true" : "false");
}

void relay(const Args& a) {
    Bench b(a.port);
    const std::string sdp(static_cast<std::size_t>(std::max(10, a.size - 150)), 'x');
    std::vector<std::shared_ptr<Client>> senders, receivers;
    long received = 0;
    int open_count = 0;
    for (int i = 0; i < a.pairs; ++i) {
        auto s = b.make(), r = b.make();
        senders.push_back(s);
        receivers.push_back(r);
        for (auto& c : {s, r}) {
            c->on_open = [&, ns = "relay-" + std::to_string(i)](Client& cl) {
                ++open_count;
                cl.send(announce(cl.id(), ns));
            };
            c->on_close = [](Client&) {};
            c->connect(b.ep, b.port);
        }
    }
    b.run_until([&] { return open_count >= 2 * a.pairs; }, 20);
    b.run_until([] { return false; }, 0.3);
    // Each pair keeps `window` offers in flight: the receiver's arrival triggers the next send.
    // The offers are framed once; the generator's per-message work is a queue push and a prefix compare.
    std::vector<Frame> offer(a.pairs);
    std::size_t message_bytes = 0;
    for (int i = 0; i < a.pairs; ++i) {
        const std::string text = R"({"type":"offer","data":{"type":"offer","sdp":")" + sdp + R"("},"targetPeerId":")" +
                                 receivers[i]->id() + R"(","networkName":"relay-)" + std::to_string(i) + R"("})";
        message_bytes = text.size();
        offer[i] = prepare(text);
        auto* sender = senders[i].get();
        const Frame msg = offer[i];
        receivers[i]->on_message = [&received, sender, msg](Client&, std::string_view m) {
            if (m.substr(0, 15) == "{\"type\":\"offer\"") {
                ++received;
                sender->send_frame(msg);
            }
        };
        senders[i]->on_message = [](Client&, std::string_view) {};
    }
    for (int i = 0; i < a.pairs; ++i)
        for (int w = 0; w < a.window; ++w) senders[i]->send_frame(offer[i]);
    b.run_until([] { return false; }, 1.0);  // warm-up
    const long start_count = received;
    auto t0 = Clock::now();
    b.run_until([] { return false; }, a.seconds);
    const double secs = ms_since(t0) / 1000;
    const long n = received - start_count;
    std::printf("{\"scenario\":\"relay\",\"pairs\":%d,\"window\":%d,\"message_bytes\":%zu,\"messages\":%ld,"
                "\"seconds\":%.3f,\"messages_per_s\":%.0f}\n",
                a.pairs, a.window, message_bytes, n, secs, n / secs);
}

void rtt(const Args& a) {
    Bench b(a.port);
    if (a.idle > 0) open_many(b, a.idle, a.conc, [](int i) { return "idle-" + std::to_string(i); }, 60);
    auto x = b.make(), y = b.make();
    int open_count = 0;
    for (auto& c : {x, y}) {
        c->on_open = [&](Client& cl) {
            ++open_count;
            cl.send(announce(cl.id(), "rtt"));
        };
        c->on_close = [](Client&) {};
        c->connect(b.ep, b.port);
    }
    b.run_until([&] { return open_count >= 2; }, 10);
    b.run_until([] { return false; }, 0.3);
    const std::string sdp(850, 'x');
    const Frame offer = prepare(R"({"type":"offer","data":{"type":"offer","sdp":")" + sdp + R"("},"targetPeerId":")" +
                                y->id() + R"(","networkName":"rtt"})");
    const Frame answer = prepare(R"({"type":"answer","data":{"type":"answer","sdp":")" + sdp + R"("},"targetPeerId":")" +
                                 x->id() + R"(","networkName":"rtt"})");
    y->on_message = [&](Client& cl, std::string_view m) {
        if (m.substr(0, 15) == "{\"type\":\"offer\"") cl.send_frame(answer);
    };
    std::vector<double> samples;
    Clock::time_point t0;
    x->on_message = [&](Client& cl, std::string_view m) {
        if (m.substr(0, 16) != "{\"type\":\"answer\"") return;
        samples.push_back(ms_since(t0));
        if (static_cast<int>(samples.size()) < a.count) {
            t0 = Clock::now();
            cl.send_frame(offer);
        }
    };
    t0 = Clock::now();
    x->send_frame(offer);
    b.run_until([&] { return static_cast<int>(samples.size()) >= a.count; }, 60);
    std::sort(samples.begin(), samples.end());
    auto q = [&](double f) {
        return samples.empty() ? 0.0 : samples[std::min(samples.size() - 1, static_cast<std::size_t>(f * samples.size()))];
    };
    std::printf("{\"scenario\":\"rtt\",\"idle\":%d,\"count\":%zu,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n", a.idle,
                samples.size(), q(0.5), q(0.99), q(1.0));
}


// Many small rooms: peer 2i and 2i+1 announce into "room-<i>" (the second on --port2 when given). Done when every
// peer has heard peer-discovered for its partner; joins/s counts all N announces over that time.
void rooms(const Args& a) {
    Bench b(a.port);
    const tcp::endpoint ep2(asio::ip::make_address("127.0.0.1"), a.port2 ? a.port2 : a.port);
    const int n = a.conns & ~1;  // pairs only
    std::vector<std::string> ids(static_cast<std::size_t>(n));
    for (auto& id : ids) id = random_id(b.rng);
    std::vector<char> heard(static_cast<std::size_t>(n), 0);  // peer i heard its partner
    int started = 0, opened = 0, in_flight = 0, failed = 0;
    long discovered = 0, pairs_done = 0;
    auto t0 = Clock::now();
    std::function<void()> launch = [&] {
        while (started < n && in_flight < a.conc) {
            const int i = started++;
            auto c = std::make_shared<Client>(b.io, ids[static_cast<std::size_t>(i)]);
            b.clients.push_back(c);
            ++in_flight;
            const std::string partner = ids[static_cast<std::size_t>(i ^ 1)];
            c->on_message = [&, i, partner](Client&, std::string_view m) {
                if (heard[static_cast<std::size_t>(i)] || m.find("\"peer-discovered\"") == std::string_view::npos) return;
                if (m.find(partner) == std::string_view::npos) return;
                heard[static_cast<std::size_t>(i)] = 1;
                ++discovered;
                if (heard[static_cast<std::size_t>(i ^ 1)]) ++pairs_done;
            };
            c->on_open = [&, i](Client& cl) {
                --in_flight;
                ++opened;
                cl.send(announce(cl.id(), "room-" + std::to_string(i / 2)));
                launch();
            };
            c->on_close = [&, i](Client& cl) {
                if (!cl.open() && !heard[static_cast<std::size_t>(i)]) {
                    --in_flight;
                    ++failed;
                    launch();
                }
            };
            c->connect(i % 2 == 1 && a.port2 ? ep2 : b.ep, i % 2 == 1 && a.port2 ? a.port2 : a.port);
        }
    };
    launch();
    // A failed connection breaks at most one pair: stop once the rest are complete.
    b.run_until([&] { return pairs_done >= n / 2 || (opened + failed >= n && pairs_done + failed >= n / 2); }, 60);
    const double secs = ms_since(t0) / 1000;
    std::printf("{\"scenario\":\"rooms\",\"peers\":%d,\"rooms\":%d,\"opened\":%d,\"failed\":%d,\"discovered\":%ld,"
                "\"pairs_complete\":%ld,\"seconds\":%.3f,\"joins_per_s\":%.1f,\"complete\":%s,\"cross_hub\":%s}\n",
                n, n / 2, opened, failed, discovered, pairs_done, secs, opened / secs,
                pairs_done >= n / 2 ? "true" : "false", a.port2 ? "true" : "false");
    std::fflush(stdout);
    // The peers stay connected (and announced) while the driver reads the hub's RSS.
    if (a.hold > 0) b.run_until([] { return false; }, a.hold);
}

}  // namespace

int main(int argc, char** argv) {
    Args a = parse_args(argc, argv);
    if (rlimit nofile{}; getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;  // one descriptor per connection
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    if (a.scenario == "idle") idle(a);
    else if (a.scenario == "join") join(a);
    else if (a.scenario == "relay") relay(a);
    else if (a.scenario == "rtt") rtt(a);
    else if (a.scenario == "rooms") rooms(a);
    else {
        std::fprintf(stderr, "unknown scenario %s\n", a.scenario.c_str());
        return 2;
    }
    return 0;
}
