// pigeonhub-loadgen: a WebSocket load generator for PeerPigeon-protocol hubs (ours and the reference), on
// standalone asio, single-threaded, loopback only. Each scenario prints one JSON line with its results.
//
//   pigeonhub-loadgen idle  --port P --conns N [--announce]  N idle peers (with --announce, each in its own namespace)
//   pigeonhub-loadgen join  --port P --conns N [--conc C] [--max-peers K] [--hold S]
//                                                            N peers announce into ONE namespace; joins/s. With
//                                                            --max-peers (for a hub in bounded discovery mode) the
//                                                            run ends when the k-closest discoveries have arrived.
//   pigeonhub-loadgen relay --port P --pairs M --seconds S   M sender->receiver pairs push offers; messages/s
//   pigeonhub-loadgen rtt   --port P --count K [--idle N]    offer->answer round trips p50/p99 (with N idle peers)
//   pigeonhub-loadgen flood --port P [--conns N] [--rate R] [--seconds S]
//                                                            N sockets in one namespace re-announce R times/s each
//                                                            (the same announce) while an honest pair there does
//                                                            offer->answer round trips (one every 10 ms) for S
//                                                            seconds: the pair's
//                                                            p50/p99, and the bytes every client sent and received
//                                                            meanwhile (the hub's bytes in and out)
//   pigeonhub-loadgen mesh  --ports P1,P2,... [--peers N] [--namespaces K] [--seconds S] [--churn F] [--signals R]
//                                                            N peers over several hubs with churn; cross-hub discovery
//                                                            and signal delivery p50/p99 (see mesh() below)
//   pigeonhub-loadgen rooms --port P --conns N [--conc C] [--port2 Q] [--hold S]
//                                                            N peers into N/2 namespaces of two; joins/s until every
//                                                            pair discovered each other. With --port2 the second of
//                                                            each pair joins the hub on Q (cross-hub). Then holds
//                                                            the peers S seconds (the driver reads the hub's RSS).
//
// Every scenario is bounded in connections and time (at most 60 s; a join of more than 5,000 all-to-all 900 s; mesh:
// its --seconds, at most 30 min) and connects to 127.0.0.1 only.
#include <asio.hpp>

#include <poll.h>
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
#include <unordered_map>
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

// A client frame: FIN, text (or `opcode`), masked with a fixed key (the hub must unmask; the key's value does not
// matter).
std::string client_frame(const std::string& payload, unsigned opcode = 0x1) {
    std::string f;
    f += static_cast<char>(0x80 | opcode);
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
    std::uint64_t bytes_sent() const { return bytes_sent_; }  // handshake and frames written
    std::uint64_t bytes_received() const { return bytes_received_; }
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
        asio::async_write(socket_, buffers_, [self](const asio::error_code& ec, std::size_t n) {
            self->writing_ = false;
            self->bytes_sent_ += n;
            if (ec) return self->fail();
            self->write();
        });
    }
    void read() {
        auto self = shared_from_this();
        socket_.async_read_some(asio::buffer(buf_), [self](const asio::error_code& ec, std::size_t n) {
            if (ec) return self->fail();
            self->bytes_received_ += n;
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
            // A pong, so that the hub keeps a silent peer (it pings after PING_INTERVAL, closes after SIGNALING_TIMEOUT).
            if (op == 9) send_frame(std::make_shared<const std::string>(client_frame(in_.substr(pos + hdr, len), 0xA)));
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
    std::uint64_t bytes_sent_ = 0, bytes_received_ = 0;
};

struct Args {
    std::string scenario;
    unsigned short port = 0;
    int conns = 1000, conc = 200, pairs = 16, count = 2000, idle = 0, window = 32;
    double rate = 200;  // flood: announces per second per socket
    double seconds = 10;
    bool announce = false;
    int max_peers = 0;  // join: announce with maxPeers and expect bounded discovery
    int size = 1000;
    unsigned short port2 = 0;  // rooms: the second member of each pair joins this hub (0: the same hub)
    double hold = 0;  // join, rooms: keep the peers connected this many seconds after the result line
};

Args parse_args(int argc, char** argv) {
    Args a;
    if (argc < 2) {
        std::fprintf(stderr, "usage: pigeonhub-loadgen idle|join|relay|rtt|flood|rooms --port P [options]\n");
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
        else if (k == "--rate") a.rate = std::clamp(std::atof(v.c_str()), 0.0, 100000.0);
        else if (k == "--max-peers") a.max_peers = std::atoi(v.c_str());
        else if (k == "--port2") a.port2 = static_cast<unsigned short>(std::atoi(v.c_str()));
        else if (k == "--hold") a.hold = std::min(600.0, std::atof(v.c_str()));
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
    b.run_until([&] { return opened >= a.conns && discovered >= expected; }, a.conns > 5000 ? 900 : 60);
    double secs = ms_since(t0) / 1000;
    std::printf("{\"scenario\":\"join\",\"peers\":%d,\"opened\":%d,\"discovered\":%ld,\"expected\":%ld,\"seconds\":%.3f,"
                "\"joins_per_s\":%.1f,\"complete\":%s}\n",
                a.conns, opened, discovered, expected, secs, opened / secs, discovered >= expected ? "true" : "false");
    std::fflush(stdout);
    if (a.hold > 0) {
        // Connected and idle while the driver reads the hub's RSS; then every socket closes in the same instant
        // (the process exits: the kernel closes them all), the hub's worst case for departures.
        b.run_until([] { return false; }, a.hold);
        std::_Exit(0);
    }
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

// The p-quantile of sorted samples (0 if none).
double quantile(const std::vector<double>& sorted, double p) {
    return sorted.empty() ? 0.0 : sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(p * sorted.size()))];
}

// An honest pair in namespace `ns`: x sends ~1 KB offers to y, which answers each; sequential offer->answer round
// trips until `count` samples or `limit_s` seconds, the next offer `gap_ms` after an answer (0: at once).
// `on_ready` runs once both have announced, before the first offer. Returns the samples (ms), sorted; an offer still
// unanswered at the end counts with the time it waited (a lower bound, so that a starved pair shows as slow).
std::vector<double> round_trips(Bench& b, const std::string& ns, int count, double limit_s,
                                const std::function<void()>& on_ready = {}, int gap_ms = 0) {
    auto x = b.make(), y = b.make();
    int open_count = 0;
    for (auto& c : {x, y}) {
        c->on_open = [&open_count, ns](Client& cl) {
            ++open_count;
            cl.send(announce(cl.id(), ns));
        };
        c->on_close = [](Client&) {};
        c->on_message = [](Client&, std::string_view) {};
        c->connect(b.ep, b.port);
    }
    b.run_until([&] { return open_count >= 2; }, 10);
    b.run_until([] { return false; }, 0.3);
    if (on_ready) on_ready();
    const std::string sdp(850, 'x');
    const Frame offer = prepare(R"({"type":"offer","data":{"type":"offer","sdp":")" + sdp + R"("},"targetPeerId":")" +
                                y->id() + R"(","networkName":")" + ns + R"("})");
    const Frame answer = prepare(R"({"type":"answer","data":{"type":"answer","sdp":")" + sdp + R"("},"targetPeerId":")" +
                                 x->id() + R"(","networkName":")" + ns + R"("})");
    y->on_message = [&](Client& cl, std::string_view m) {
        if (m.substr(0, 15) == "{\"type\":\"offer\"") cl.send_frame(answer);
    };
    std::vector<double> samples;
    Clock::time_point t0;
    bool waiting = true;
    asio::steady_timer gap(b.io);
    x->on_message = [&](Client& cl, std::string_view m) {
        if (m.substr(0, 16) != "{\"type\":\"answer\"") return;
        samples.push_back(ms_since(t0));
        waiting = false;
        if (static_cast<int>(samples.size()) >= count) return;
        if (gap_ms == 0) {
            t0 = Clock::now();
            waiting = true;
            cl.send_frame(offer);
            return;
        }
        gap.expires_after(std::chrono::milliseconds(gap_ms));
        gap.async_wait([&](const asio::error_code& ec) {
            if (ec) return;
            t0 = Clock::now();
            waiting = true;
            x->send_frame(offer);
        });
    };
    t0 = Clock::now();
    x->send_frame(offer);
    b.run_until([&] { return static_cast<int>(samples.size()) >= count; }, limit_s);
    gap.cancel();
    if (waiting) samples.push_back(ms_since(t0));
    x->on_message = y->on_message = [](Client&, std::string_view) {};
    std::sort(samples.begin(), samples.end());
    return samples;
}

void rtt(const Args& a) {
    Bench b(a.port);
    if (a.idle > 0) open_many(b, a.idle, a.conc, [](int i) { return "idle-" + std::to_string(i); }, 60);
    const auto samples = round_trips(b, "rtt", a.count, 60);
    std::printf("{\"scenario\":\"rtt\",\"idle\":%d,\"count\":%zu,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n", a.idle,
                samples.size(), quantile(samples, 0.5), quantile(samples, 0.99), quantile(samples, 1.0));
}

// The announce flood of issue 15: `conns` sockets in one namespace re-announce (the same message) `rate` times a
// second each, while an honest pair in that namespace measures offer->answer round trips.
void flood(const Args& a) {
    Bench b(a.port);
    const std::string ns = "flood";
    const int opened = open_many(b, a.conns, a.conc, [&](int) { return ns; }, 30);
    std::vector<std::shared_ptr<Client>> flooders(b.clients.begin(), b.clients.end());
    std::vector<Frame> frames;
    for (auto& c : flooders) frames.push_back(prepare(announce(c->id(), ns)));
    auto totals = [&b](std::uint64_t& sent, std::uint64_t& received) {
        sent = received = 0;
        for (auto& c : b.clients) {
            sent += c->bytes_sent();
            received += c->bytes_received();
        }
    };
    // Every 10 ms each flooder sends what its rate owes since the start (no catch-up burst beyond that).
    asio::steady_timer timer(b.io);
    long rounds = 0, announces = 0;
    Clock::time_point start;
    std::uint64_t sent0 = 0, received0 = 0;
    std::function<void()> tick = [&] {
        for (const long owed = static_cast<long>(a.rate * ms_since(start) / 1000.0); rounds < owed; ++rounds)
            for (std::size_t f = 0; f < flooders.size(); ++f)
                if (flooders[f]->open()) {
                    flooders[f]->send_frame(frames[f]);
                    ++announces;
                }
        timer.expires_after(std::chrono::milliseconds(10));
        timer.async_wait([&](const asio::error_code& ec) {
            if (!ec) tick();
        });
    };
    // The honest pair offers every 10 ms (well within MESSAGE_RATE), as a peer negotiating its connections would.
    const auto samples = round_trips(b, ns, 1000000, a.seconds, [&] {
        totals(sent0, received0);
        start = Clock::now();
        if (a.rate > 0) tick();
    }, 10);
    const double secs = ms_since(start) / 1000;
    timer.cancel();
    std::uint64_t sent = 0, received = 0;
    totals(sent, received);
    const double in = static_cast<double>(sent - sent0), out = static_cast<double>(received - received0);
    int still_open = 0;
    for (auto& c : flooders) still_open += c->open();
    std::printf("{\"scenario\":\"flood\",\"flooders\":%d,\"open_at_end\":%d,\"rate\":%.0f,\"announces\":%ld,\"seconds\":%.3f,"
                "\"count\":%zu,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"hub_bytes_in\":%.0f,\"hub_bytes_out\":%.0f,"
                "\"out_per_in\":%.2f}\n",
                opened, still_open, a.rate, announces, secs, samples.size(), quantile(samples, 0.5), quantile(samples, 0.99),
                quantile(samples, 1.0), in, out, in > 0 ? out / in : 0.0);
}

// ---- mesh: many peers on several hubs, with churn (driven by tools/bench/scale-run.mjs) ----
//
// Peer slot i is in namespace i % K for the whole run; a namespace's peers start on different hubs. Once every peer
// is in and the mesh has settled, the window: a fraction F of the peers per minute leaves (closes) and a fresh peer
// (new id) joins the same namespace on a random hub, and R offers a second go from a peer to a peer of its namespace
// on another hub. Measured: cross-hub discovery (a newcomer's announce until each member on another hub hears
// peer-discovered for it) and cross-hub signal delivery (offer sent until received). Prints {"event":"steady"} when
// the window starts and {"event":"end"} when it ends (the driver reads the hubs then), then one result line.

struct MeshArgs {
    std::vector<unsigned short> ports;
    int peers = 20000, namespaces = 2000, conc = 200;
    double seconds = 60, churn = 0.10, signals = 20, settle = 10;
};

MeshArgs parse_mesh_args(int argc, char** argv) {
    MeshArgs a;
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--ports") {
            for (std::size_t at = 0; at <= v.size();) {
                const std::size_t comma = std::min(v.find(',', at), v.size());
                if (const int p = std::atoi(v.substr(at, comma - at).c_str()); p > 0 && p < 65536)
                    a.ports.push_back(static_cast<unsigned short>(p));
                at = comma + 1;
            }
        } else if (k == "--peers") a.peers = std::atoi(v.c_str());
        else if (k == "--namespaces") a.namespaces = std::atoi(v.c_str());
        else if (k == "--conc") a.conc = std::atoi(v.c_str());
        else if (k == "--seconds") a.seconds = std::atof(v.c_str());
        else if (k == "--churn") a.churn = std::atof(v.c_str());
        else if (k == "--signals") a.signals = std::atof(v.c_str());
        else if (k == "--settle") a.settle = std::atof(v.c_str());
        else {
            std::fprintf(stderr, "unknown option %s\n", k.c_str());
            std::exit(2);
        }
    }
    if (a.ports.empty() || a.ports.size() > 256) {
        std::fprintf(stderr, "usage: pigeonhub-loadgen mesh --ports P1,P2,... [--peers N] [--namespaces K] "
                             "[--seconds S] [--churn F] [--signals R] [--settle S] [--conc C]\n");
        std::exit(2);
    }
    a.peers = std::clamp(a.peers, 2, 200000);
    a.namespaces = std::clamp(a.namespaces, 1, a.peers);
    a.conc = std::clamp(a.conc, 1, 5000);
    a.seconds = std::clamp(a.seconds, 1.0, 1800.0);
    a.churn = std::clamp(a.churn, 0.0, 1.0);
    a.signals = std::clamp(a.signals, 0.0, 10000.0);
    a.settle = std::clamp(a.settle, 0.0, 300.0);
    return a;
}

class MeshBench {
public:
    explicit MeshBench(MeshArgs a) : a_(std::move(a)), peers_(static_cast<std::size_t>(a_.peers)) {
        for (auto p : a_.ports) eps_.emplace_back(asio::ip::make_address("127.0.0.1"), p);
    }

    void run() {
        const auto t0 = Clock::now();
        // Every peer in, at most `conc` handshakes in flight.
        int next = 0;
        while (next < a_.peers && ms_since(t0) < kSetupLimitS * 1000) {
            while (next < a_.peers && in_flight_ < a_.conc) {
                const int ns = next % a_.namespaces, j = next / a_.namespaces;
                connect(next, (ns + j) % hubs());
                ++next;
            }
            io_.run_for(std::chrono::milliseconds(5));
        }
        run_for([&] { return in_flight_ == 0; }, 30);
        const double setup_s = ms_since(t0) / 1000;
        run_for([] { return false; }, a_.settle);
        int ready = 0;
        for (auto& p : peers_) ready += p.ready;
        std::printf("{\"event\":\"steady\",\"ready\":%d}\n", ready);
        std::fflush(stdout);

        measuring_ = true;
        const auto w0 = Clock::now();
        double churn_budget = 0, signal_budget = 0;
        auto last = Clock::now();
        while (ms_since(w0) < a_.seconds * 1000) {
            const double dt = ms_since(last) / 1000;
            last = Clock::now();
            churn_budget += dt * a_.peers * a_.churn / 60;
            signal_budget += dt * a_.signals;
            for (; churn_budget >= 1; churn_budget -= 1) churn_one();
            for (; signal_budget >= 1; signal_budget -= 1) signal_one();
            expire(false);
            io_.run_for(std::chrono::milliseconds(10));
        }
        const double window_s = ms_since(w0) / 1000;
        std::printf("{\"event\":\"end\"}\n");
        std::fflush(stdout);
        // The driver reads the hubs while every peer is still there, then writes a line (or closes stdin).
        run_for([] { return stdin_readable(); }, 60);
        // What is still in flight gets its deadline; nothing new starts.
        run_for([&] { return expire(false), discoveries_.empty() && signals_.empty(); }, kDeadlineS + 1);
        expire(true);
        print(setup_s, window_s);
    }

private:
    static constexpr double kSetupLimitS = 300;  // connecting every peer
    static constexpr double kDeadlineS = 5;      // a discovery or signal later than this counts as missed
    static constexpr double kKnownS = 3;         // a peer this long in is known to every hub of its namespace
    static constexpr std::size_t kMaxSamples = 1000000;

    struct Peer {
        std::shared_ptr<Client> client;
        std::uint32_t gen = 0;  // bumped when the slot gets a new peer: a (slot, gen) names one peer
        int hub = 0;
        bool ready = false;     // open and announced
        Clock::time_point since;
    };
    struct Receiver {
        int slot;
        std::uint32_t gen;
    };
    struct Pending {
        Clock::time_point t0;
        std::vector<Receiver> waiting;  // members on other hubs that have not heard yet
    };

    int hubs() const { return static_cast<int>(eps_.size()); }
    static bool stdin_readable() {
        pollfd p{0, POLLIN, 0};
        return ::poll(&p, 1, 0) != 0;  // data, EOF or an error: the driver is done either way
    }
    std::string ns_name(int slot) const { return "ns-" + std::to_string(slot % a_.namespaces); }
    bool is(const Receiver& r) const { return peers_[r.slot].gen == r.gen && peers_[r.slot].ready; }

    void run_for(const std::function<bool()>& done, double limit_s) {
        const auto deadline = Clock::now() + std::chrono::duration<double>(limit_s);
        while (!done() && Clock::now() < deadline) io_.run_for(std::chrono::milliseconds(5));
    }

    void connect(int slot, int hub) {
        Peer& p = peers_[slot];
        p.client = std::make_shared<Client>(io_, random_id(rng_));
        p.hub = hub;
        p.ready = false;
        const std::uint32_t gen = ++p.gen;
        slot_of_[p.client->id()] = slot;
        ++in_flight_;
        p.client->on_open = [this, slot](Client& c) {
            --in_flight_;
            Peer& me = peers_[slot];
            me.ready = true;
            me.since = Clock::now();
            c.send(announce(c.id(), ns_name(slot)));
            if (measuring_) expect_discovery(slot);
        };
        // A peer that leaves by churn is given a no-op first: this hears only failures and the hub's closes.
        p.client->on_close = [this, slot, gen](Client&) {
            Peer& me = peers_[slot];
            if (me.gen != gen) return;
            if (me.ready) ++unexpected_closes_;
            else --in_flight_, ++connect_failures_;
            me.ready = false;
        };
        p.client->on_message = [this, slot, gen](Client&, std::string_view m) { on_message(slot, gen, m); };
        p.client->connect(eps_[static_cast<std::size_t>(hub)], a_.ports[static_cast<std::size_t>(hub)]);
    }

    // The newcomer in `slot` announced now: every member of its namespace on another hub should hear of it.
    void expect_discovery(int slot) {
        Pending d{Clock::now(), {}};
        for (int j = slot % a_.namespaces; j < a_.peers; j += a_.namespaces)
            if (j != slot && peers_[j].ready && peers_[j].hub != peers_[slot].hub) d.waiting.push_back({j, peers_[j].gen});
        if (!d.waiting.empty()) discoveries_[peers_[slot].client->id()] = std::move(d);
    }

    void churn_one() {
        for (int tries = 0; tries < 20; ++tries) {
            const int slot = static_cast<int>(rng_() % peers_.size());
            Peer& p = peers_[slot];
            if (!p.ready) continue;
            slot_of_.erase(p.client->id());
            discoveries_.erase(p.client->id());
            p.client->on_message = nullptr;
            p.client->on_close = [](Client&) {};
            p.client->close();
            ++leaves_;
            connect(slot, static_cast<int>(rng_() % eps_.size()));
            ++joins_;
            return;
        }
    }

    void signal_one() {
        const auto known = Clock::now() - std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(kKnownS));
        for (int tries = 0; tries < 20; ++tries) {
            const int x = static_cast<int>(rng_() % peers_.size());
            if (!peers_[x].ready || peers_[x].since > known) continue;
            std::vector<int> targets;
            for (int j = x % a_.namespaces; j < a_.peers; j += a_.namespaces)
                if (peers_[j].ready && peers_[j].since <= known && peers_[j].hub != peers_[x].hub) targets.push_back(j);
            if (targets.empty()) continue;
            const int y = targets[rng_() % targets.size()];
            const std::uint64_t seq = ++signals_sent_;
            signals_[seq] = {Clock::now(), {{y, peers_[y].gen}}};
            peers_[x].client->send(R"({"type":"offer","data":{"type":"offer","sdp":"bench )" + std::to_string(seq) +
                                   R"("},"targetPeerId":")" + peers_[y].client->id() + R"(","networkName":")" +
                                   ns_name(x) + "\"}");
            return;
        }
    }

    void on_message(int slot, std::uint32_t gen, std::string_view m) {
        if (!measuring_) return;
        if (m.substr(0, 26) == R"({"type":"peer-discovered",)") {
            const auto at = m.find(R"("peerId":")");
            if (at == std::string_view::npos) return;
            auto it = discoveries_.find(std::string(m.substr(at + 10, 40)));
            if (it == discoveries_.end()) return;
            auto& w = it->second.waiting;
            for (std::size_t i = 0; i < w.size(); ++i)
                if (w[i].slot == slot && w[i].gen == gen) {
                    if (discovery_ms_.size() < kMaxSamples) discovery_ms_.push_back(ms_since(it->second.t0));
                    w[i] = w.back();
                    w.pop_back();
                    break;
                }
            if (w.empty()) discoveries_.erase(it);
        } else if (m.substr(0, 15) == R"({"type":"offer")") {
            const auto at = m.find("\"sdp\":\"bench ");
            if (at == std::string_view::npos) return;
            auto it = signals_.find(std::strtoull(std::string(m.substr(at + 13, 20)).c_str(), nullptr, 10));
            if (it == signals_.end() || it->second.waiting[0].slot != slot || it->second.waiting[0].gen != gen) return;
            if (signal_ms_.size() < kMaxSamples) signal_ms_.push_back(ms_since(it->second.t0));
            signals_.erase(it);
        }
    }

    // Pendings past the deadline (all of them with `all`): a receiver still there missed it; one that left is not
    // counted either way.
    void expire(bool all) {
        const auto cut = Clock::now() - std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(kDeadlineS));
        for (auto it = discoveries_.begin(); it != discoveries_.end();) {
            if (!all && it->second.t0 > cut) { ++it; continue; }
            for (const auto& r : it->second.waiting) discovery_missed_ += is(r);
            it = discoveries_.erase(it);
        }
        for (auto it = signals_.begin(); it != signals_.end();) {
            if (!all && it->second.t0 > cut) { ++it; continue; }
            if (is(it->second.waiting[0])) ++signals_lost_;
            else ++signals_target_left_;
            it = signals_.erase(it);
        }
    }

    static std::string quantiles(std::vector<double>& v) {
        std::sort(v.begin(), v.end());
        auto q = [&](double f) { return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<std::size_t>(f * v.size()))]; };
        char buf[160];
        std::snprintf(buf, sizeof buf, "\"samples\":%zu,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f", v.size(), q(0.5),
                      q(0.99), q(1.0));
        return buf;
    }

    void print(double setup_s, double window_s) {
        int ready = 0;
        for (auto& p : peers_) ready += p.ready;
        std::printf("{\"scenario\":\"mesh\",\"hubs\":%d,\"peers\":%d,\"namespaces\":%d,\"ready\":%d,\"setup_seconds\":%.1f,"
                    "\"window_seconds\":%.1f,\"churn_per_min\":%.3f,\"joins\":%ld,\"leaves\":%ld,"
                    "\"connect_failures\":%ld,\"unexpected_closes\":%ld,\"discovery\":{%s,\"missed\":%ld},"
                    "\"signals\":{\"sent\":%ld,%s,\"lost\":%ld,\"target_left\":%ld}}\n",
                    hubs(), a_.peers, a_.namespaces, ready, setup_s, window_s, a_.churn, joins_, leaves_,
                    connect_failures_, unexpected_closes_, quantiles(discovery_ms_).c_str(), discovery_missed_,
                    static_cast<long>(signals_sent_), quantiles(signal_ms_).c_str(), signals_lost_, signals_target_left_);
        std::fflush(stdout);
    }

    MeshArgs a_;
    asio::io_context io_{1};
    std::vector<tcp::endpoint> eps_;
    std::vector<Peer> peers_;
    std::unordered_map<std::string, int> slot_of_;  // live peer ids (at most one per slot)
    std::mt19937_64 rng_{std::random_device{}()};
    int in_flight_ = 0;
    bool measuring_ = false;
    // Bounded by the rates and the deadline: churn and signals a second times kDeadlineS.
    std::unordered_map<std::string, Pending> discoveries_;  // by newcomer id
    std::unordered_map<std::uint64_t, Pending> signals_;    // by sequence; `waiting` holds the one target
    std::vector<double> discovery_ms_, signal_ms_;
    long discovery_missed_ = 0, signals_lost_ = 0, signals_target_left_ = 0;
    std::uint64_t signals_sent_ = 0;
    long joins_ = 0, leaves_ = 0, connect_failures_ = 0, unexpected_closes_ = 0;
};

int mesh(int argc, char** argv) {
    MeshBench(parse_mesh_args(argc, argv)).run();
    return 0;
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
    if (rlimit nofile{}; getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;  // one descriptor per connection
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    if (argc >= 2 && std::string_view(argv[1]) == "mesh") return mesh(argc, argv);  // its own options
    Args a = parse_args(argc, argv);
    if (a.scenario == "idle") idle(a);
    else if (a.scenario == "join") join(a);
    else if (a.scenario == "relay") relay(a);
    else if (a.scenario == "rtt") rtt(a);
    else if (a.scenario == "flood") flood(a);
    else if (a.scenario == "rooms") rooms(a);
    else {
        std::fprintf(stderr, "unknown scenario %s\n", a.scenario.c_str());
        return 2;
    }
    return 0;
}
