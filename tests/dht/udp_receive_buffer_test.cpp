// Finding OpenDHT's UDP socket by its address and raising its receive buffer (src/mesh/udp_receive_buffer.h), on a
// plain socket and on a real DhtRunner's.
#include "mesh/udp_receive_buffer.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <opendht.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

using namespace pigeonhub;

namespace {

sockaddr_in bound_of(int fd) {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    return a;
}

int udp_socket_on_loopback(int type = SOCK_DGRAM) {
    const int fd = socket(AF_INET, type, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return fd;
}

std::size_t received_buffer(int fd) {
    int got = 0;
    socklen_t len = sizeof got;
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len);
    return static_cast<std::size_t>(got);
}

std::size_t rmem_max() {
    std::ifstream f("/proc/sys/net/core/rmem_max");
    std::size_t v = 0;
    f >> v;
    return v;
}

}  // namespace

TEST(UdpReceiveBuffer, FindsTheUdpSocketByItsAddressOnly) {
    const int udp = udp_socket_on_loopback();
    const int tcp = udp_socket_on_loopback(SOCK_STREAM);
    EXPECT_EQ(find_udp_socket(bound_of(udp)), udp);
    EXPECT_EQ(find_udp_socket(bound_of(tcp)), -1) << "a TCP socket is no UDP socket";
    sockaddr_in other = bound_of(udp);
    other.sin_port = htons(static_cast<std::uint16_t>(ntohs(other.sin_port) ^ 1));
    EXPECT_EQ(find_udp_socket(other), -1);
    close(udp);
    close(tcp);
}

TEST(UdpReceiveBuffer, RaisesItAsFarAsTheKernelAllows) {
    const int fd = udp_socket_on_loopback();
    const std::size_t before = received_buffer(fd);
    const std::size_t want = 4u << 20;
    const std::size_t got = set_receive_buffer(fd, want);
    EXPECT_EQ(got, received_buffer(fd));
    // Linux reports twice what was set; without CAP_NET_ADMIN it is capped at net.core.rmem_max.
    EXPECT_GE(got, std::min(2 * want, 2 * rmem_max()));
    EXPECT_GT(got, before);
    EXPECT_EQ(set_receive_buffer(-1, want), 0u);
    close(fd);
}

TEST(UdpReceiveBuffer, FindsADhtRunnersSocket) {
    dht::DhtRunner runner;
    dht::DhtRunner::Config cfg;
    cfg.threaded = true;
    cfg.bind4 = dht::SockAddr::resolve("127.0.0.1", "0").front();
    dht::DhtRunner::Context ctx;
    ctx.sock = std::make_unique<dht::net::UdpSocket>(cfg.bind4, dht::SockAddr{});
    const auto& bound = ctx.sock->getBoundRef(AF_INET);
    const int fd = find_udp_socket(*reinterpret_cast<const sockaddr_in*>(bound.get()));
    ASSERT_GE(fd, 0);
    EXPECT_EQ(ntohs(bound_of(fd).sin_port), bound.getPort());
    runner.run(cfg, std::move(ctx));
    runner.shutdown();
    runner.join();
}
