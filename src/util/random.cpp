#include "util/random.h"

#include <sys/random.h>

#include <cerrno>
#include <system_error>

namespace pigeonhub {

int try_random_bytes(void* p, std::size_t n) noexcept {
    auto* bytes = static_cast<unsigned char*>(p);
    std::size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(bytes + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        got += static_cast<std::size_t>(r);
    }
    return 0;
}

void random_bytes(void* p, std::size_t n) {
    if (int err = try_random_bytes(p, n)) throw std::system_error(err, std::generic_category(), "getrandom");
}

}  // namespace pigeonhub
