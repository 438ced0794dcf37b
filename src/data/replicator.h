// HTTP replication of data records (issue 11): when a publish cannot reach the DHT (no good nodes, or the put
// failed), the record is POSTed to /api/replicate of every hub this one knows (PUBLIC_URLs from hub records and
// REPLICATION_PEERS), in the background: the publish reply never waits for it.
//
// Each (peer, record) is a job: tried up to kAttempts times while the peer answers 5xx or not at all (no reply
// within kDeadline, refused, reset, or HttpClient's "queue full"), waiting first_backoff before the second try and
// twice as long before each next one (0.5 s, then 1 s); it is then counted failed. A 2xx ends it (sent); any other
// status too, counted refused (a 4xx: the peer refused the record; a 3xx is not followed; retrying will not help).
// A peer URL that HttpClient cannot use (https://, wss://, or malformed) is counted failed at once, without a request
// or a retry.
// Bounded: at most kMaxJobs jobs waiting or running (beyond: the oldest waiting job is dropped and counted), and at
// most kMaxRunning requests out at once (replication leaves HttpClient's other slots and its queue to others).
// Threading: io thread only. REQUIRES: `http` (and the io_context) outlive the replicator. Destroying it drops the
// jobs; the replies of running requests are then ignored.
#pragma once

#include <asio.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "data/replicator_stats.h"
#include "net/http_client.h"

namespace pigeonhub {


class Replicator {
public:
    static constexpr int kAttempts = 3;
    static constexpr std::size_t kMaxJobs = 4096;
    static constexpr std::size_t kMaxRunning = 8;
    static constexpr std::chrono::milliseconds kFirstBackoff{500};
    static constexpr std::chrono::milliseconds kDeadline{2000};  // per request

    // `first_backoff`: the wait before the second attempt (tests shorten it).
    Replicator(asio::io_context& io, HttpClient& http, std::chrono::milliseconds first_backoff = kFirstBackoff);

    // Sends `record_json` (one record, data_record.h's shape) to "<base>/api/replicate" for each base URL in
    // `peers` ("http://host:port", trailing slash optional; ws:// is taken as http://, wss:// as https://, which
    // HttpClient skips). Never calls back: results show in stats().
    void replicate(const std::vector<std::string>& peers, const std::string& record_json);

    const ReplicationStats& stats() const noexcept;
    std::size_t pending() const noexcept;  // jobs waiting or running

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

// Where replicate() POSTs for the base URL `peer`: ws:// and wss:// become http:// and https://, trailing slashes
// go, "/api/replicate" is appended ("ws://h:8080/" -> "http://h:8080/api/replicate").
std::string replication_url(std::string_view peer);

}  // namespace pigeonhub
