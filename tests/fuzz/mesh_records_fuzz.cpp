// Fuzz target: DHT values as they land into the mesh record decoders (src/mesh/mesh_records.h): presence pages,
// sealed signals' plaintext (decode_signal) and hub records. Asserts that whatever decodes encodes back to valid
// JSON that decodes to the same record, and that every presence entry kept has a valid peer id.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mesh/mesh_records.h"
#include "pigeonhub/peer_id.h"
#include "protocol/json.h"

namespace {

using namespace pigeonhub;

void check_presence(std::string_view in) {
    const auto p = mesh::decode_presence(in);
    if (!p) return;
    for (const auto& e : p->peers)
        if (!is_valid_peer_id(e.peer_id) || !json::validate(e.data)) std::abort();
    const std::string text = mesh::encode_presence(*p);
    if (!json::validate(text)) std::abort();
    const auto again = mesh::decode_presence(text);
    if (!again || again->hub_id != p->hub_id || again->network != p->network || again->page != p->page ||
        again->seq != p->seq || again->peers.size() != p->peers.size())
        std::abort();
    for (std::size_t i = 0; i < p->peers.size(); ++i)
        if (again->peers[i].peer_id != p->peers[i].peer_id || again->peers[i].data != p->peers[i].data) std::abort();
}

void check_signal(std::string_view in) {
    const auto s = mesh::decode_signal(in);
    if (!s) return;
    const std::string text = mesh::encode_signal(*s);
    if (!json::validate(text)) std::abort();
    const auto again = mesh::decode_signal(text);
    if (!again || again->from != s->from || again->epoch != s->epoch || again->seq != s->seq || again->to != s->to ||
        again->network != s->network || again->msg != s->msg)
        std::abort();
}

void check_hub(std::string_view in) {
    const auto h = mesh::decode_hub(in);
    if (!h) return;
    const std::string text = mesh::encode_hub(*h);
    if (!json::validate(text)) std::abort();
    const auto again = mesh::decode_hub(text);
    if (!again || again->hub_id != h->hub_id || again->url != h->url || again->region != h->region ||
        again->version != h->version || again->connections != h->connections || again->capacity != h->capacity ||
        again->updated_ms != h->updated_ms || again->certificate != h->certificate ||
        again->withdrawn != h->withdrawn || again->page_key != h->page_key)
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    check_presence(in);
    check_signal(in);
    check_hub(in);
    return 0;
}
