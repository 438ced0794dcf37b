#include "util/process_stats.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace pigeonhub {

MemoryStats read_memory_stats() {
    MemoryStats m;
    if (FILE* f = std::fopen("/proc/self/status", "r")) {
        char line[256];
        while (std::fgets(line, sizeof line, f)) {
            unsigned long long kb = 0;
            if (std::sscanf(line, "VmRSS: %llu kB", &kb) == 1) m.rss = kb * 1024;
            else if (std::sscanf(line, "VmHWM: %llu kB", &kb) == 1) m.peak_rss = kb * 1024;
        }
        std::fclose(f);
    }
    struct mallinfo2 mi = mallinfo2();
    m.heap_total = mi.arena + mi.hblkhd;
    m.heap_used = mi.uordblks + mi.hblkhd;
    return m;
}

}  // namespace pigeonhub
