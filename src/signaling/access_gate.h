// The router's hook for namespace access control (docs/AUTH.md): asked at every announce, and for signals in a
// namespace whose members must be announced. Implemented by hub/access_gate.h; without one every namespace is open.
#pragma once

#include <cstdint>
#include <string_view>

#include "auth/authorizer.h"
#include "signaling/outbox.h"

namespace pigeonhub {

class AccessGate {
public:
    virtual ~AccessGate() = default;
    // May the connection in `slot` announce into `ns` now? `announce_text` is the announce message: when the
    // answer is pending, the gate keeps it and hands it back to the router (on_message) once it knows.
    // Denials are counted by the gate; the router sends the error.
    virtual auth::Verdict check(Slot slot, std::string_view ns, std::string_view announce_text,
                                std::int64_t now_ms) = 0;
    // True if `ns` needs a token or password.
    virtual bool is_protected(std::string_view ns) const = 0;
    // The transport's side: a connection admitted in `slot` with what its hub URL carried; the connection is gone.
    virtual void attach(Slot slot, auth::JoinCredentials creds) = 0;
    virtual void detach(Slot slot) = 0;
};

}  // namespace pigeonhub
