// What the Router needs from the hub mesh (peers on other hubs). Implemented by HubMesh over OpenDHT; the
// Router works without one (a standalone hub). Called on the io thread only.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "protocol/outbound.h"

namespace pigeonhub {

class MeshLink {
public:
    virtual ~MeshLink() = default;
    // A local peer joined namespace `ns` (or changed its data); `discovery_data` is the `data` object other
    // peers should see in peer-discovered ({"peerId":...,"isHub":false,...}).
    virtual void local_joined(std::string_view ns, std::string_view peer_id, std::string_view discovery_data) = 0;
    // A local peer left `ns` (goodbye, other namespace, disconnect).
    virtual void local_left(std::string_view ns, std::string_view peer_id) = 0;
    // A signal for `target`, who is not on this hub; `text` is the complete client-facing message. Returns
    // false if no hub is known for `target` in `ns` (the router then counts an unknown target).
    virtual bool forward_signal(std::string_view from, std::string_view target, std::string_view ns,
                                std::string text) = 0;
    // Calls fn(head) for each remote peer known in `ns`: head is its peer-discovered text up to the
    // recipient's id (see outbound::discovered_head).
    virtual void for_each_remote(std::string_view ns, const std::function<void(const SharedText&)>& fn) const = 0;
};

}  // namespace pigeonhub
