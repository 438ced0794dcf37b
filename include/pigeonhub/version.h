#pragma once

namespace pigeonhub {

// The release of this build, e.g. "0.1.0".
const char* version();

}  // namespace pigeonhub
