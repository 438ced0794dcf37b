// pigeonhubd's access-control commands (docs/AUTH.md): --make-token, --make-issuer-key, --make-hmac-secret,
// --make-password-hash. Each prints its result on stdout, an error on stderr, and returns the exit code.
#pragma once

#include "config/config_loader.h"

namespace pigeonhub {

int run_auth_command(const ConfigLoadResult& loaded);

}  // namespace pigeonhub
