#include "hub/memory_trim.h"

#include <malloc.h>

namespace pigeonhub {

void MemoryTrim::trim() { ::malloc_trim(0); }

}  // namespace pigeonhub
