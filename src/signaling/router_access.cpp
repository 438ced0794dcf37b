// The router's access-control hook (docs/AUTH.md), apart from the routing it guards.
#include "signaling/router.h"

namespace pigeonhub {

bool Router::access_allows(Slot slot, const InboundMessage& msg, std::string_view text, Outbox& out,
                           std::int64_t now) {
    if (msg.network_kind == NetworkField::invalid) return true;  // handle_announce answers it
    const std::string_view name = msg.network_kind == NetworkField::named ? std::string_view(msg.network)
                                                                          : kGlobalNamespace;
    const auth::Verdict v = access_->check(slot, name, text, now);
    if (v == auth::Verdict::allowed) return true;
    if (v == auth::Verdict::pending) return false;  // the gate hands the announce back once the password is checked
    // Refused: the connection asked to be in `name`, so it leaves where it was; it is in no namespace, neither
    // discovers nor is discovered, and signals of a protected namespace do not reach it (access_blocks_signal).
    if (peers_[slot].ns != kNoNamespace) leave_namespace(slot, out, now);
    send_error(slot, auth::verdict_error_text(v), out, now);
    return false;
}

bool Router::access_blocks_signal(bool sender_announced, const Peer& target, std::string_view ns) const {
    // Only `global` can be both protected and the namespace of a connection that never announced.
    return access_ && (!sender_announced || target.ns == kNoNamespace) && access_->is_protected(ns);
}

}  // namespace pigeonhub
