// Fuzz target: values as they land in a hub's inbox (src/mesh/signal_relay.h), delivered through the DHT port's
// listen callback to a SignalRelay wired to a Router with one local peer, in an open mesh where kHubC is revoked.
// Input: records of [op][length: 2 bytes, big-endian][bytes]: op & 3 is the owner (0: none, a sealed signal;
// 1: kHubA, a member; 2: kHubC, revoked) or 3: the clock moves `length` ms and the relay ticks; op >> 2 is the value
// id (a repeated id is a duplicate). The seeds (make_seeds.cpp) give kHubA's link key, then signals sealed with it to
// the local peer, so inputs reach opening, ordering and delivery. Asserts: every frame to the peer is valid JSON; the
// pending keys stay within their bound, and after a wait longer than any hold none is left.
#include <asio.hpp>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz_fixtures.h"
#include "mesh/membership.h"
#include "mesh/mesh_limits.h"
#include "mesh/signal_relay.h"
#include "signaling/router.h"

namespace {

using namespace pigeonhub;

// Only what SignalRelay uses: the inbox listen (kept, to deliver values) and sends (dropped).
class InboxPort : public DhtPort {
public:
    ListenCallback inbox;
    std::string hub_id() const override { return std::string(fuzz::kHubB); }
    std::string certificate() const override { return {}; }
    bool ready() const override { return true; }
    unsigned good_nodes() const override { return 1; }
    void bootstrap(const std::string&, const std::string&) override {}
    void publish(const std::string&, std::uint64_t, std::string, RecordSigning) override {}
    void withdraw(const std::string&, std::uint64_t, std::string, RecordSigning) override {}
    std::size_t records_signing() const override { return 0; }
    void send_encrypted(const std::string&, const std::string&, std::string) override {}
    void send_plain(const std::string&, std::string) override {}
    void put_data(const std::string&, std::string, std::chrono::milliseconds, std::function<void(bool)>) override {}
    std::uint64_t listen(const std::string&, ListenCallback cb) override {
        inbox = std::move(cb);
        return 1;
    }
    void cancel_listen(std::uint64_t) override {}
    void get(const std::string&, GetCallback) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    asio::io_context io;
    std::int64_t now = 1'000'000;
    InboxPort port;
    Membership membership(MeshTrust::open, [](std::string_view, std::string_view, std::int64_t) {
        return Membership::CertCheck{};
    });
    membership.set_self(std::string(fuzz::kHubB));
    membership.set_revoked({std::string(fuzz::kHubC)});
    SignalingOptions options;
    Router router(options);
    fuzz::CheckingOutbox out;
    const auto peer = router.admit(fuzz::kLocalPeer, out, now);
    if (!peer.accepted) std::abort();
    router.greet(peer.slot, out, now);
    router.on_message(peer.slot,
                      "{\"type\":\"announce\",\"networkName\":\"global\",\"data\":{\"peerId\":\"" +
                          std::string(fuzz::kLocalPeer) + "\"}}",
                      out, now);
    MeshStats stats;
    SignalRelay relay(io, std::string(fuzz::kApp), port, membership, router, out, stats, [&] { return now; });
    relay.start(std::string(fuzz::kHubB));
    if (!port.inbox) std::abort();

    std::size_t pos = 0;
    while (pos + 3 <= size) {
        const std::uint8_t op = data[pos];
        const std::size_t len = std::min<std::size_t>(std::size_t{data[pos + 1]} << 8 | data[pos + 2], size - pos - 3);
        pos += 3;
        if ((op & 3) == 3) {
            now += static_cast<std::int64_t>(len);
            relay.tick(now);
            continue;
        }
        DhtValue v;
        v.id = op >> 2;
        v.owner = (op & 3) == 0 ? "" : (op & 3) == 1 ? std::string(fuzz::kHubA) : std::string(fuzz::kHubC);
        v.data.assign(reinterpret_cast<const char*>(data + pos), len);
        pos += len;
        port.inbox({v}, false);
        if (relay.pending() > mesh::kMaxPendingKeys) std::abort();
    }
    now += mesh::kHoldMs + mesh::kPendingMs + 60'000;
    relay.tick(now);
    if (relay.pending() != 0) std::abort();
    relay.stop();
    io.poll();
    return 0;
}
