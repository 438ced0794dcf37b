// The bootstrap document (bootstrap_document.h): encoding, signing, and the strict check of a received one. Pure.
//
// A received text is first put in canonical form (data::canonical_json: refuses malformed JSON, repeated members,
// lone surrogates, numbers beyond a double), then walked member by member against the expected names in order,
// then its values are checked against the bounds (document_problem, shared with the signing side), then the
// signature over signed_message() of what was read.
#include "bootstrap/bootstrap_document.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <initializer_list>

#include "bootstrap/dht_endpoints.h"
#include "protocol/json.h"
#include "protocol/json_writer.h"
#include "util/hex.h"
#include "util/url.h"
#include "util/utf8.h"

namespace pigeonhub::bootstrap {
namespace {

// --- encoding ---

void write_hub(JsonWriter& w, const KnownHub& h) {
    w.begin_object();
    w.key("t").value(std::string_view(h.t));
    w.key("u").value(std::string_view(h.u));
    w.key("region").value(std::string_view(h.region));
    w.key("priority").value(h.priority);
    w.key("description").value(std::string_view(h.description));
    if (!h.public_key.empty()) w.key("publicKey").value(std::string_view(h.public_key));
    w.end_object();
}

// The members of the document before "signature". JsonWriter quotes strings as JSON.stringify does (json.h,
// append_quoted) and writes integers in plain decimal, as Number::toString does for safe integers.
void write_unsigned_members(JsonWriter& w, const BootstrapDocument& d) {
    w.key("v").value(kDocumentVersion);
    w.key("appId").value(std::string_view(d.app_id));
    w.key("hubId").value(std::string_view(d.hub_id));
    w.key("publicKey").value(std::string_view(d.public_key));
    w.key("url").value(std::string_view(d.url));
    w.key("region").value(std::string_view(d.region));
    w.key("dht").begin_array();
    for (const std::string& e : d.dht) w.value(std::string_view(e));
    w.end_array();
    w.key("hubs").begin_array();
    for (const KnownHub& h : d.hubs) write_hub(w, h);
    w.end_array();
    w.key("timestamp").value(d.timestamp);
}

// --- bounds (document_problem) ---

std::string text_problem(std::string_view s, std::string_view where, std::size_t min, std::size_t max) {
    if (s.size() < min || s.size() > max)
        return std::string(where) + ": must be " + std::to_string(min) + " to " + std::to_string(max) + " bytes";
    if (!is_valid_utf8(s)) return std::string(where) + ": must be valid UTF-8";
    return {};
}

std::string hex_problem(std::string_view s, std::string_view where, std::size_t digits) {
    if (hex::is_lower_hex(s, digits)) return {};
    return std::string(where) + ": must be " + std::to_string(digits) + " lower-case hex digits";
}

std::string url_problem(std::string_view s, std::string_view where, bool may_be_empty) {
    if (s.empty() && may_be_empty) return {};
    if (auto p = text_problem(s, where, 1, kMaxTextBytes); !p.empty()) return p;
    if (!is_http_or_ws_url(s)) return std::string(where) + ": must be an http, https, ws or wss URL";
    return {};
}

std::string hub_problem(const KnownHub& h, const std::string& where) {
    std::string p;
    if (!(p = text_problem(h.t, where + ".t", 1, kMaxTextBytes)).empty()) return p;
    if (!(p = url_problem(h.u, where + ".u", false)).empty()) return p;
    if (!(p = text_problem(h.region, where + ".region", 0, kMaxTextBytes)).empty()) return p;
    if (h.priority < 0) return where + ".priority: must be an integer from 0 to " + std::to_string(INT_MAX);
    if (!(p = text_problem(h.description, where + ".description", 0, kMaxTextBytes)).empty()) return p;
    if (!h.public_key.empty() && !(p = hex_problem(h.public_key, where + ".publicKey", 64)).empty()) return p;
    return {};
}

// --- reading a canonical document ---

// Calls fn(value) for each element of a validated array, in order.
template <typename Fn>
void for_each_element(std::string_view array, Fn&& fn) {
    const char* p = array.data();
    const char* end = p + array.size();
    p = json::detail::skip_ws(p + 1, end);  // past '['
    while (p < end && *p != ']') {
        json::Kind kind;
        const char* e = json::detail::skip_value(p, end, &kind);
        fn(json::Value{kind, std::string_view(p, static_cast<std::size_t>(e - p))});
        p = json::detail::skip_ws(e, end);
        if (p < end && *p == ',') p = json::detail::skip_ws(p + 1, end);
    }
}

// Reads one value from canonical text into a field; false with `problem` set when it does not fit.
class Reader {
public:
    std::string problem;

    bool string(const json::Value& v, const std::string& where, std::string& out) {
        if (v.kind != json::Kind::string) return fail(where + ": must be a string");
        json::decode_string(v.raw, out);  // exact: canonical_json has refused lone surrogate escapes
        return true;
    }

    // A number that is an integer 0..max. In canonical form such a number is plain decimal digits; anything else
    // (1.5, -1, 1e+21) is not an integer in range.
    bool integer(const json::Value& v, const std::string& where, std::uint64_t max, std::uint64_t& out) {
        const auto r = std::from_chars(v.raw.data(), v.raw.data() + v.raw.size(), out);
        if (v.kind != json::Kind::number || r.ec != std::errc() || r.ptr != v.raw.data() + v.raw.size() || out > max)
            return fail(where + ": must be an integer from 0 to " + std::to_string(max));
        return true;
    }

    // Calls read(index, value) for each member of `v`, an object whose member names must be exactly `names` in
    // order, the last `optional_tail` of them optional.
    template <typename Fn>
    bool members(const json::Value& v, const std::string& where, std::initializer_list<std::string_view> names,
                 std::size_t optional_tail, Fn&& read) {
        if (v.kind != json::Kind::object) return fail(where + ": must be an object");
        const std::string_view* expected = names.begin();
        std::size_t i = 0;
        std::string name;
        json::for_each_member(v.raw, [&](std::string_view key, const json::Value& value) {
            if (!problem.empty()) return;
            json::decode_string(key, name);
            if (i == names.size() || name != expected[i]) {
                const bool known = std::find(names.begin(), names.end(), name) != names.end();
                if (!known)
                    fail(where + ": unknown member " + quoted(name) + " (the members are " + joined(names) +
                         ", in that order)");
                else if (i == names.size())
                    fail(where + ": " + quoted(name) + " out of order");
                else
                    fail(where + ": " + quoted(std::string(expected[i])) + " must come next, not " + quoted(name));
                return;
            }
            read(i++, value);
        });
        if (!problem.empty()) return false;
        if (i < names.size() - optional_tail)
            return fail(where + ": member \"" + std::string(expected[i]) + "\" is required");
        return true;
    }

    bool fail(std::string why) {
        if (problem.empty()) problem = std::move(why);
        return false;
    }

private:
    // `name` in quotes for a message, cut to 40 bytes (at a character boundary) so a hostile one stays short.
    static std::string quoted(const std::string& name) {
        std::size_t n = name.size();
        if (n > 40) {
            n = 40;
            while (n > 0 && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80) --n;
        }
        std::string out;
        json::append_quoted(out, std::string_view(name).substr(0, n));
        return n < name.size() ? out + "..." : out;
    }

    static std::string joined(std::initializer_list<std::string_view> names) {
        std::string out;
        for (std::string_view n : names) out += (out.empty() ? "" : ", ") + std::string(n);
        return out;
    }
};

bool read_hub(Reader& r, const json::Value& v, const std::string& where, KnownHub& h) {
    return r.members(v, where, {"t", "u", "region", "priority", "description", "publicKey"}, 1,
                     [&](std::size_t i, const json::Value& m) {
                         std::uint64_t n = 0;
                         switch (i) {
                             case 0: r.string(m, where + ".t", h.t); break;
                             case 1: r.string(m, where + ".u", h.u); break;
                             case 2: r.string(m, where + ".region", h.region); break;
                             case 3:
                                 if (r.integer(m, where + ".priority", INT_MAX, n)) h.priority = static_cast<int>(n);
                                 break;
                             case 4: r.string(m, where + ".description", h.description); break;
                             case 5:
                                 // Present means not empty: an empty key is written by leaving the member out.
                                 if (r.string(m, where + ".publicKey", h.public_key) && h.public_key.empty())
                                     r.fail(where + ".publicKey: must be 64 lower-case hex digits when present");
                                 break;
                         }
                     });
}

// The elements of an array member, at most `max`, each read by read(value, "name[i]").
template <typename Fn>
bool read_array(Reader& r, const json::Value& v, const std::string& name, std::size_t max, Fn&& read) {
    if (v.kind != json::Kind::array) return r.fail(name + ": must be an array");
    std::size_t n = 0;
    for_each_element(v.raw, [&](const json::Value& e) {
        if (!r.problem.empty()) return;
        if (n == max) {
            r.fail(name + ": at most " + std::to_string(max) + " entries");
            return;
        }
        read(e, name + "[" + std::to_string(n++) + "]");
    });
    return r.problem.empty();
}

bool read_document(Reader& r, const json::Value& root, BootstrapDocument& d) {
    return r.members(
        root, "document",
        {"v", "appId", "hubId", "publicKey", "url", "region", "dht", "hubs", "timestamp", "signature"}, 0,
        [&](std::size_t i, const json::Value& m) {
            std::uint64_t version = 0;
            switch (i) {
                case 0:
                    if (r.integer(m, "v", data::kMaxSafeInteger, version) && version != kDocumentVersion)
                        r.fail("v: version " + std::to_string(version) + " is not known (only " +
                               std::to_string(kDocumentVersion) + ")");
                    break;
                case 1: r.string(m, "appId", d.app_id); break;
                case 2: r.string(m, "hubId", d.hub_id); break;
                case 3: r.string(m, "publicKey", d.public_key); break;
                case 4: r.string(m, "url", d.url); break;
                case 5: r.string(m, "region", d.region); break;
                case 6:
                    read_array(r, m, "dht", kMaxDhtEndpoints, [&](const json::Value& e, const std::string& where) {
                        r.string(e, where, d.dht.emplace_back());
                    });
                    break;
                case 7:
                    read_array(r, m, "hubs", kMaxKnownHubs, [&](const json::Value& e, const std::string& where) {
                        read_hub(r, e, where, d.hubs.emplace_back());
                    });
                    break;
                case 8: r.integer(m, "timestamp", data::kMaxSafeInteger, d.timestamp); break;
                case 9:
                    if (r.string(m, "signature", d.signature) && !hex::is_lower_hex(d.signature, 128))
                        r.fail("signature: must be 128 lower-case hex digits");
                    break;
            }
        });
}

DocumentCheck refused(DocumentCheck::Why why, std::string problem) {
    DocumentCheck out;
    out.why = why;
    out.problem = std::move(problem);
    return out;
}

}  // namespace

std::string signed_message(const BootstrapDocument& doc) {
    JsonWriter w;
    w.begin_array().value(kMessageTag).begin_object();
    write_unsigned_members(w, doc);
    w.end_object().end_array();
    return w.take();
}

std::string encode_document(const BootstrapDocument& doc) {
    JsonWriter w;
    w.begin_object();
    write_unsigned_members(w, doc);
    w.key("signature").value(std::string_view(doc.signature));
    w.end_object();
    return w.take();
}

std::string document_problem(const BootstrapDocument& d) {
    std::string p;
    if (!(p = text_problem(d.app_id, "appId", 1, kMaxAppIdBytes)).empty()) return p;
    if (!(p = hex_problem(d.hub_id, "hubId", 40)).empty()) return p;
    if (!(p = hex_problem(d.public_key, "publicKey", 64)).empty()) return p;
    if (!(p = url_problem(d.url, "url", true)).empty()) return p;
    if (!(p = text_problem(d.region, "region", 0, kMaxTextBytes)).empty()) return p;
    if (d.dht.size() > kMaxDhtEndpoints) return "dht: at most " + std::to_string(kMaxDhtEndpoints) + " entries";
    for (std::size_t i = 0; i < d.dht.size(); ++i) {
        const std::string where = "dht[" + std::to_string(i) + "]";
        if (!(p = text_problem(d.dht[i], where, 1, kMaxTextBytes)).empty()) return p;
        if (!is_dht_endpoint(d.dht[i]))
            return where + ": must be host:port (a name, an IPv4 address or a bracketed IPv6 one; port 1 to 65535)";
    }
    if (d.hubs.size() > kMaxKnownHubs) return "hubs: at most " + std::to_string(kMaxKnownHubs) + " entries";
    for (std::size_t i = 0; i < d.hubs.size(); ++i)
        if (!(p = hub_problem(d.hubs[i], "hubs[" + std::to_string(i) + "]")).empty()) return p;
    if (d.timestamp > data::kMaxSafeInteger)
        return "timestamp: must be an integer from 0 to " + std::to_string(data::kMaxSafeInteger);
    // The size as sent, with a signature of its fixed length whatever doc.signature holds now.
    const std::size_t size = encode_document(d).size() - d.signature.size() + 128;
    if (size > kMaxDocumentBytes)
        return "the document would be " + std::to_string(size) + " bytes, over " + std::to_string(kMaxDocumentBytes);
    return {};
}

std::string sign_document(BootstrapDocument doc, const data::Ed25519Key& key) {
    doc.public_key.clear();
    hex::append(doc.public_key, key.public_key.data(), key.public_key.size());
    doc.signature = data::ed25519_sign(signed_message(doc), key);
    return encode_document(doc);
}

std::string_view why_name(DocumentCheck::Why why) {
    switch (why) {
        case DocumentCheck::Why::ok: return "ok";
        case DocumentCheck::Why::malformed: return "malformed";
        case DocumentCheck::Why::bad_signature: return "bad_signature";
        case DocumentCheck::Why::stale: return "stale";
        case DocumentCheck::Why::future: return "future";
        case DocumentCheck::Why::wrong_app: return "wrong_app";
    }
    return "unknown";
}

DocumentCheck check_document(std::string_view json, std::string_view expected_app_id, std::uint64_t now_ms,
                             std::uint64_t max_age_ms) {
    using Why = DocumentCheck::Why;
    if (json.size() > kMaxDocumentBytes)
        return refused(Why::malformed, "larger than " + std::to_string(kMaxDocumentBytes) + " bytes");
    std::string error;
    const auto canonical = data::canonical_json(json, &error);
    if (!canonical) return refused(Why::malformed, error);
    json::Value root;
    json::validate(*canonical, &root);  // valid: canonical_json wrote it
    Reader reader;
    BootstrapDocument doc;
    if (!read_document(reader, root, doc)) return refused(Why::malformed, reader.problem);
    if (std::string p = document_problem(doc); !p.empty()) return refused(Why::malformed, p);

    if (!data::ed25519_verify(doc.public_key, signed_message(doc), doc.signature))
        return refused(Why::bad_signature, "signature: not publicKey's signature of the document");
    if (doc.app_id != expected_app_id) return refused(Why::wrong_app, "appId: not this mesh's APP_ID");
    if (doc.timestamp > now_ms && doc.timestamp - now_ms > kMaxClockSkewMs)
        return refused(Why::future, "timestamp: " + std::to_string(doc.timestamp - now_ms) + " ms in the future");
    if (now_ms > doc.timestamp && now_ms - doc.timestamp > max_age_ms)
        return refused(Why::stale, "timestamp: " + std::to_string(now_ms - doc.timestamp) + " ms old");

    DocumentCheck out;
    out.why = Why::ok;
    out.doc = std::move(doc);
    return out;
}

}  // namespace pigeonhub::bootstrap
