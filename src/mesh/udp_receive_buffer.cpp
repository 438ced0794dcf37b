#include "mesh/udp_receive_buffer.h"

#include <dirent.h>
#include <sys/socket.h>

#include <climits>
#include <cstdlib>
#include <cstring>

namespace pigeonhub {

int find_udp_socket(const sockaddr_in& bound) {
    DIR* dir = opendir("/proc/self/fd");
    if (!dir) return -1;
    int found = -1;
    while (dirent* e = readdir(dir)) {
        char* end = nullptr;
        const long fd = std::strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end != '\0' || fd < 0 || fd > INT_MAX || fd == dirfd(dir)) continue;
        int type = 0;
        socklen_t len = sizeof type;
        if (getsockopt(static_cast<int>(fd), SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_DGRAM) continue;
        sockaddr_in addr{};
        len = sizeof addr;
        if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
            len != sizeof addr || addr.sin_family != AF_INET)
            continue;
        if (addr.sin_port == bound.sin_port && addr.sin_addr.s_addr == bound.sin_addr.s_addr) {
            found = static_cast<int>(fd);
            break;
        }
    }
    closedir(dir);
    return found;
}

std::size_t set_receive_buffer(int fd, std::size_t bytes) {
    const int want = bytes > static_cast<std::size_t>(INT_MAX / 2) ? INT_MAX / 2 : static_cast<int>(bytes);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);  // capped at net.core.rmem_max
    int got = 0;
    socklen_t len = sizeof got;
    if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) != 0 || got < 0) return 0;
    return static_cast<std::size_t>(got);
}

}  // namespace pigeonhub
