#include "util/process_stats.h"

#include <dirent.h>
#include <malloc.h>
#include <sys/resource.h>
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

ProcessStats read_process_stats() {
    ProcessStats p;
    if (DIR* d = opendir("/proc/self/fd")) {
        while (const dirent* e = readdir(d))
            if (e->d_name[0] != '.') ++p.open_fds;
        closedir(d);
        if (p.open_fds) --p.open_fds;  // the descriptor of the listing itself
    }
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) p.max_fds = rl.rlim_cur;
    rusage ru{};
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        p.cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                        static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    return p;
}

}  // namespace pigeonhub
