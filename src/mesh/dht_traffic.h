// What one DHT node sent and received since it started: a plain value for /stats and /metrics.
//
// OpenDHT 2.4.12 counts the *requests* by kind (DhtRunner::getNodeMessageStats: ping, find, get, listen, put);
// it also counts refreshes and value updates but does not hand those out. Replies and the values a storage node
// pushes to its listeners are not requests, so the datagrams sent are counted apart (DhtNode wraps its socket):
// on a closed mesh the datagrams all nodes send are what all nodes receive.
#pragma once

#include <cstdint>

namespace pigeonhub {

struct DhtMessageCounts {
    std::uint64_t ping = 0, find = 0, get = 0, listen = 0, put = 0;
    std::uint64_t total() const noexcept { return ping + find + get + listen + put; }
};

struct DhtTraffic {
    DhtMessageCounts requests_out;  // requests this node sent
    DhtMessageCounts requests_in;   // requests other nodes sent to it
    std::uint64_t datagrams_out = 0;  // every UDP datagram sent (requests, replies, listen pushes)
    std::uint64_t bytes_out = 0;      // their payload bytes
    // Trouble OpenDHT reports only in its log (dht_node.cpp reads it there):
    std::uint64_t packets_dropped_late = 0;   // received datagrams dropped unread: over 650 ms in OpenDHT's queue
    std::uint64_t updates_to_lost_listens = 0;  // values pushed to a listen OpenDHT had closed on its side: lost
    std::uint64_t incomplete_replies = 0;  // replies in many datagrams dropped whole: a part never came
    std::uint64_t receive_buffer = 0;      // the UDP socket's receive buffer as the kernel reports it (0: unknown)
};

}  // namespace pigeonhub
