// Memory figures of this process, for /health and /stats.
#pragma once

#include <cstdint>

namespace pigeonhub {

struct MemoryStats {
    std::uint64_t rss = 0;        // resident set size, bytes (/proc/self/statm)
    std::uint64_t peak_rss = 0;   // VmHWM, bytes
    std::uint64_t heap_total = 0; // bytes obtained from the OS by malloc (mallinfo2 arena + mmap)
    std::uint64_t heap_used = 0;  // bytes in use by malloc'd blocks (mallinfo2 uordblks + mmap)
};

MemoryStats read_memory_stats();

// Descriptors and CPU of this process, for /metrics.
struct ProcessStats {
    std::uint64_t open_fds = 0;   // entries of /proc/self/fd
    std::uint64_t max_fds = 0;    // RLIMIT_NOFILE (soft)
    double cpu_seconds = 0;       // user + system (getrusage)
};

ProcessStats read_process_stats();

}  // namespace pigeonhub
