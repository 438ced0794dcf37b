// Fuzz target: what a client puts in a request line and headers, into the pure URL and upgrade helpers
// (src/util/url.h, src/net/ws_handshake.h): query parameters (peerId on the WebSocket upgrade, the REST queries), path
// parameters (percent_decode: /api/find/:topic), authorities and hub URLs (BOOTSTRAP_PEERS, hub records, bootstrap
// documents), Sec-WebSocket-Key and Connection/Upgrade tokens. Asserts what a request line or header built from a
// parsed URL relies on: no space, control or non-ASCII byte in host or target, a port, a target starting with '/'.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "net/ws_handshake.h"
#include "util/url.h"

namespace {

bool clean(std::string_view s) {
    for (unsigned char c : s)
        if (c <= 0x20 || c >= 0x7f) return false;
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pigeonhub;
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    for (std::string_view name : {"peerId", "token", ""}) {
        if (const auto v = query_param(in, name); v && v->size() > in.size()) std::abort();
    }
    if (percent_decode(in).size() > in.size()) std::abort();
    const std::string_view path = target_path(in);
    if (path.size() > in.size() || in.substr(0, path.size()) != path) std::abort();
    if (const auto hp = parse_host_port(in)) {
        if (hp->host.empty() || !clean(hp->host)) std::abort();
    }
    if (const auto u = parse_http_url(in)) {
        if (u->host.empty() || !clean(u->host) || !clean(u->target) || u->port == 0 || u->target.empty() ||
            u->target[0] != '/')
            std::abort();
    }
    if (is_http_or_ws_url(in) != parse_http_url(ws_as_http(in)).has_value()) std::abort();
    if (is_valid_websocket_key(in) && websocket_accept(in).size() != 28) std::abort();
    header_has_token(in, "upgrade");
    header_has_token(in, "websocket");
    return 0;
}
