// The narrow interface through which the Router acts on connections. The network layer implements it over
// WebSocket sessions; unit tests implement it with a recorder.
#pragma once

#include <cstdint>
#include <string_view>

#include "protocol/outbound.h"
#include "signaling/namespace_members.h"

namespace pigeonhub {

class Outbox {
public:
    virtual ~Outbox() = default;
    // Queue one text message to the connection in `to`.
    virtual void send(Slot to, OutFrame frame) = 0;
    // Ask the transport to check that the connection in `slot` is alive (a WebSocket ping; the transport
    // closes it if it stays silent). Used when another connection asks for the id it holds.
    virtual void probe(Slot slot) = 0;
};

}  // namespace pigeonhub
