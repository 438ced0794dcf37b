// Bytes from the kernel's CSPRNG (getrandom), for ids and keys: the one random source of the hub.
#pragma once

#include <cstddef>

namespace pigeonhub {

// Fills p[0..n) from getrandom (blocking until the kernel's pool is ready, retrying EINTR). Throws
// std::system_error when the kernel refuses (ENOSYS on a kernel older than 3.17, EPERM under a seccomp filter).
void random_bytes(void* p, std::size_t n);
// The same without throwing: 0, or the errno the kernel gave.
int try_random_bytes(void* p, std::size_t n) noexcept;

}  // namespace pigeonhub
