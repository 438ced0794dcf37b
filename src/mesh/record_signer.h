// Signs this hub's records and hands them to OpenDHT (part of the OpenDHT adapter, with dht_node.cpp).
#pragma once

#include <opendht.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace pigeonhub {

// Signs records on its own thread (plain ones, Job::sign false, only pass through it, to keep one order) (RSA-2048: about a millisecond each, not for the io thread) and hands them to
// OpenDHT with a plain put, in the order they were published. Not SecureDht::putSigned: that first looks the
// value up on the network and signs when the lookup ends, so two quick edits of one record could reach
// OpenDHT in the wrong order (seen when a storage node had just died: the older edit won). An edit of a
// record whose previous edit is still waiting here replaces it, so at most one job per record is queued.
//
// Every edit is a new value (docs/MESH.md: OpenDHT 2.4.12's listeners lose in-place edits at 6+ nodes). The
// values a record leaves behind stop being announced once the edit that replaces them is announced (its put
// done): cancelled before, their expiry notice could reach listeners ahead of the new value. They stay on
// storage nodes until they expire (the type's 30 s); receivers tell them apart by the record's own seq.
class RecordSigner {
public:
    struct Job {
        dht::InfoHash key;
        std::uint64_t record = 0;  // the caller's logical id: edits of one record replace each other here
        std::shared_ptr<dht::Value> value;
        bool permanent = true;     // false: a tombstone (lives one expiry, then the record is gone)
        bool sign = true;          // false: put plain (the data carries its own signature), in the same order
    };

    // Threading: submit(), busy(), announced() and stop() from any thread (the DhtNode calls them from the io
    // thread); the signing thread is its own; put-done callbacks run on a DHT thread. The two mutexes guard the
    // queue (m_) and the announced values (announced_m_), which those threads share.
    RecordSigner(dht::DhtRunner& runner, std::shared_ptr<dht::crypto::PrivateKey> key)
        : runner_(runner), key_(std::move(key)), thread_([this] { run(); }) {}
    ~RecordSigner() { stop(); }

    // Records queued or being signed right now.
    std::size_t busy() const { return busy_.load(std::memory_order_relaxed); }
    // Values still announced (re-put) that a newer edit of their record replaces, and those records.
    std::size_t announced() const;

    // Queues a record edit; an edit of the same record still queued is replaced by it.
    void submit(Job job);
    // Signs and puts what is queued, then ends the thread.
    void stop();

private:
    using RecordKey = std::pair<dht::InfoHash, std::uint64_t>;

    void run();

    // Runs on a DHT thread when the put of `vid` is done: stops announcing the record's values put before it
    // (all of them if `vid` is a tombstone). A put whose done never comes is retired by the next edit's.
    void retire_before(const RecordKey& id, dht::Value::Id vid);

    dht::DhtRunner& runner_;
    std::shared_ptr<dht::crypto::PrivateKey> key_;
    std::mutex m_;
    std::condition_variable cv_;
    bool stopping_ = false;
    // Puts handed to OpenDHT whose done has not come: bounded so that a burst of edits (a join storm) is coalesced
    // here rather than flooding OpenDHT's thread, which then drops packets, expires nodes and loses listens.
    static constexpr std::size_t kMaxPutsInFlight = 32;
    static constexpr std::chrono::seconds kPutWait{2};
    std::size_t in_flight_ = 0;
    std::atomic<std::size_t> busy_{0};
    std::deque<RecordKey> order_;
    std::map<RecordKey, Job> jobs_;
    // Values announced per record, oldest first (the last is the current edit). Bounded by the live records
    // times the edits whose put is not done yet.
    mutable std::mutex announced_m_;
    std::map<RecordKey, std::vector<dht::Value::Id>> announced_;
    std::size_t announced_count_ = 0;
    std::thread thread_;
};

}  // namespace pigeonhub
