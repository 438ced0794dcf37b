// Bytes from the kernel's CSPRNG (getrandom), for ids and keys.
#pragma once

#include <cstddef>

namespace pigeonhub {

// Fills [p, p + n) with random bytes; throws std::system_error if the kernel refuses.
void random_bytes(void* p, std::size_t n);

}  // namespace pigeonhub
