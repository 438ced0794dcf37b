// Plain OpenDHT 2.4.12, no project code: why a `Where::seq` filter aborted a hub (docs/SCALING.md) and why a remote
// node cannot do the same to a hub (issue 15; tests/integration/rogue_dht.test.mjs sends such listens for real).
//
// FieldValue::msgpack_pack and msgpack_unpack (opendht/value.h) know the fields Id, ValueType, OwnerPk and
// UserType only, and throw msgpack::type_error for SeqNum (or any other). Packing happens on the node that builds the
// query, on its DHT thread, where nothing catches it: a node that listens or gets with Where().seq() aborts itself.
// Unpacking happens when a request arrives, inside ParsedMessage::msgpack_unpack, which
// NetworkEngine::processMessage calls in a try/catch ("Can't parse message"): the request is dropped, the node
// carries on. Our hubs never build such a query (grep Where: src/ has none), so there is nothing to guard.
#include <opendht.h>

#include <gtest/gtest.h>
#include <msgpack.hpp>

TEST(OpenDhtWhere, PackingASeqFilterThrows) {
    dht::Where w;
    w.seq(3);
    msgpack::sbuffer buf;
    msgpack::packer<msgpack::sbuffer> pk(&buf);
    EXPECT_THROW(w.msgpack_pack(pk), msgpack::type_error);
    dht::Where ok;
    ok.id(3);
    EXPECT_NO_THROW(ok.msgpack_pack(pk));
}

// The unpacking side (FieldValue::msgpack_unpack throws the same for SeqNum) cannot be linked here: it calls
// dht::findMapValue(const msgpack::object&, const char*, size_t), which Debian's libopendht.so does not export. The
// integration test sends such requests to real hubs instead.
