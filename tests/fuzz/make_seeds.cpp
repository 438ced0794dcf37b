// Writes the generated part of the seed corpora (tests/fuzz/corpus/<target>/): records signed and sealed with the
// fixtures' keys (fuzz_fixtures.h) so that the fuzzers start from inputs that pass the verify and decrypt paths.
// Run it by hand when a record format changes:
//   build/tests/fuzz/make_seeds tests/fuzz/corpus
// The hand-written seeds (frames, HTTP replies, edge cases) live beside the generated ones.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "data/data_record.h"
#include "fuzz_fixtures.h"
#include "mesh/hub_link.h"
#include "mesh/mesh_records.h"
#include "mesh/page_signature.h"

using namespace pigeonhub;

namespace {

std::filesystem::path root;

void write(const std::string& target, const std::string& name, const std::string& bytes) {
    const auto dir = root / target;
    std::filesystem::create_directories(dir);
    std::ofstream(dir / name, std::ios::binary) << bytes;
}

mesh::PresencePage page(std::size_t peers) {
    mesh::PresencePage p;
    p.hub_id = std::string(fuzz::kHubA);
    p.network = std::string(fuzz::kNamespace);
    p.page = 0;
    p.seq = 1700000000000000;
    for (std::size_t i = 0; i < peers; ++i) {
        const std::string id = std::string(39, "0123456789abcdef"[i % 16]) + "0123456789abcdef"[(i + 1) % 16];
        p.peers.push_back({id, "{\"peerId\":\"" + id + "\",\"isHub\":false,\"n\":[1,2.5,\"\\u00e9\"]}"});
    }
    return p;
}

data::Record record(const std::string& topic, const std::string& data_json, std::uint64_t seq) {
    data::Record r;
    r.topic = topic;
    r.data = *data::canonical_json(data_json);
    r.seq = seq;
    r.published = 1700000000000;
    r.expires = 1700000300000;
    data::sign(r, fuzz::page_signing_key());
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    root = argv[1];
    const std::string dht_key = mesh::presence_key(fuzz::kApp, fuzz::kNamespace, fuzz::kBuckets);
    const auto& key = fuzz::page_signing_key();

    // Presence pages: signed (page_signature), and plain (mesh_records).
    for (std::size_t n : {0, 1, 3}) {
        const std::string json = mesh::encode_presence(page(n));
        write("page_signature_fuzz", "signed-" + std::to_string(n), mesh::sign_page(dht_key, json, key));
        write("mesh_records_fuzz", "presence-" + std::to_string(n), json);
    }
    write("page_signature_fuzz", "page-key", mesh::page_key_hex(key.public_key));

    // Hub records, a tombstone, a signal.
    MeshOptions options;
    options.public_url = "wss://hub.example/";
    options.region = "eu";
    auto hub = mesh::own_hub_record(std::string(fuzz::kHubA),
                                    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
                                    mesh::page_key_hex(key.public_key), options, 500, 12, 1700000000000);
    write("mesh_records_fuzz", "hub", mesh::encode_hub(hub));
    hub.withdrawn = true;
    write("mesh_records_fuzz", "hub-withdrawn", mesh::encode_hub(hub));
    mesh::Signal s;
    s.from = std::string(40, '1');
    s.epoch = 77;
    s.seq = 3;
    s.to = std::string(fuzz::kLocalPeer);
    s.network = "global";
    s.msg = R"({"type":"offer","data":{"sdp":"v=0\r\n","type":"offer"},"fromPeerId":")" + s.from + "\"}";
    const std::string signal_json = mesh::encode_signal(s);
    write("mesh_records_fuzz", "signal", signal_json);

    // Link-key messages, a key request, sealed signals (kHubA to kHubB under the fixtures' link key).
    write("hub_link_fuzz", "key-message", hub_link::encode_key_message(fuzz::link_key()));
    write("hub_link_fuzz", "key-request", hub_link::encode_key_request(fuzz::link_key().id));
    hub_link::Sealer sealer{std::string(fuzz::kHubA), std::string(fuzz::kHubB), fuzz::link_key()};
    write("hub_link_fuzz", "sealed-1", sealer.seal(signal_json));
    write("hub_link_fuzz", "sealed-2-empty", sealer.seal(""));
    hub_link::Sealer other{std::string(fuzz::kHubA), std::string(fuzz::kHubB), hub_link::LinkKey{}};
    write("hub_link_fuzz", "sealed-unknown-key", other.seal("{}"));

    // The inbox of kHubB (signal_relay_fuzz: [op][length, 2 bytes][bytes], op & 3 the owner, op >> 2 the value
    // id): kHubA's link key, then signals sealed with it, in order, out of order, and one before its key.
    const auto inbox = [](std::uint8_t owner, std::uint8_t id, const std::string& bytes) {
        return std::string{static_cast<char>(id << 2 | owner), static_cast<char>(bytes.size() >> 8),
                           static_cast<char>(bytes.size() & 0xff)} +
               bytes;
    };
    const std::string key_message = inbox(1, 1, hub_link::encode_key_message(fuzz::link_key()));
    hub_link::Sealer to_b{std::string(fuzz::kHubA), std::string(fuzz::kHubB), fuzz::link_key()};
    std::string sealed[3];
    for (std::uint32_t i = 0; i < 3; ++i) {
        mesh::Signal n = s;
        n.seq = i;
        n.msg = R"({"type":"ice-candidate","data":{"candidate":"c"},"fromPeerId":")" + n.from + "\"}";
        sealed[i] = to_b.seal(mesh::encode_signal(n));
    }
    write("signal_relay_fuzz", "in-order", key_message + inbox(0, 2, sealed[0]) + inbox(0, 3, sealed[1]) +
                                               inbox(0, 4, sealed[2]));
    write("signal_relay_fuzz", "reordered", key_message + inbox(0, 2, sealed[2]) + inbox(0, 3, sealed[0]) +
                                                inbox(3, 0, std::string(300, 'x')) + inbox(0, 4, sealed[1]));
    write("signal_relay_fuzz", "before-key", inbox(0, 2, sealed[0]) + key_message + inbox(0, 2, sealed[0]));
    write("signal_relay_fuzz", "revoked", inbox(2, 5, hub_link::encode_key_message(fuzz::link_key())) +
                                              inbox(2, 6, hub_link::encode_key_request(7)));

    // Data records: replicated one at a time and in a batch; publish requests, signed and not.
    const auto r1 = record("weather/london", R"({"temp":21.5,"unit":"C"})", 1);
    const auto r2 = record("caf\xc3\xa9", R"([1,"two",null,{"3":true}])", 2);
    write("replicate_fuzz", "one", data::encode(r1));
    write("replicate_fuzz", "batch", "{\"records\":[" + data::encode(r1) + "," + data::encode(r2) + "]}");
    write("replicate_fuzz", "batch-empty", R"({"records":[]})");
    write("replicate_fuzz", "publish", R"({"topic":"t","data":{"a":[1,2]},"ttl":60})");
    write("data_record_fuzz", "record", data::encode(r2));
    write("data_record_fuzz", "record-verified", data::encode(r1, true));
    write("data_key_fuzz", "key.pem", data::ed25519_to_pem(key));

    write("bootstrap_document_fuzz", "signed", fuzz::signed_bootstrap_document());
    return 0;
}
