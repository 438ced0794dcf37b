#include "util/random.h"

#include <sys/random.h>

#include <cerrno>
#include <system_error>

namespace pigeonhub {

void random_bytes(void* p, std::size_t n) {
    auto* bytes = static_cast<unsigned char*>(p);
    std::size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(bytes + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "getrandom");
        }
        got += static_cast<std::size_t>(r);
    }
}

}  // namespace pigeonhub
