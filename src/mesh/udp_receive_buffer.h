// The receive buffer of the DHT node's UDP socket.
//
// OpenDHT 2.4.12 sends a reply that holds 50 values or more (or over 600 bytes of them) as a header and then one
// datagram per value part, back to back, and the receiver drops the whole reply if any part is missing 3 s after
// the last one came (NetworkEngine::maintainRxBuffer). With the kernel's default receive buffer (212,992 bytes on
// Debian), a burst of a few hundred datagrams overflows it: a new listen on a key that holds a few hundred values
// gets none of them (the values already there are missed until they are edited), and the nodes whose replies are
// lost are marked expired, which kills their listens (docs/MESH.md, "Hostile participants"). A larger buffer holds
// the burst. OpenDHT owns the socket and does not expose it: it is found by the address it is bound to.
#pragma once

#include <netinet/in.h>

#include <cstddef>

namespace pigeonhub {

// The descriptor of this process's UDP socket bound to `bound` (address and port), or -1.
int find_udp_socket(const sockaddr_in& bound);

// Asks for a receive buffer of `bytes` on `fd` (SO_RCVBUFFORCE where the process may exceed net.core.rmem_max, else
// SO_RCVBUF, which the kernel caps at it). Returns the size the kernel reports afterwards (Linux reports twice what
// was set: the other half is its own bookkeeping), or 0 on error.
std::size_t set_receive_buffer(int fd, std::size_t bytes);

}  // namespace pigeonhub
