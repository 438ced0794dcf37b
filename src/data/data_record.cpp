// Data records (data_record.h): the signed message, signing and verifying, the record's JSON, and the strict
// parsers of a record and of a publish request. Pure, no I/O.
#include "data/data_record.h"

#include <charconv>
#include <cmath>

#include "protocol/json.h"
#include "util/hex.h"

namespace pigeonhub::data {
namespace {

constexpr std::string_view kMessageTag = "pigeonhub-record/1";

std::string to_hex(const std::uint8_t* p, std::size_t n) {
    std::string out;
    hex::append(out, p, n);
    return out;
}

Problem problem(std::string error, std::string field, bool too_large = false) {
    return Problem{std::move(error), std::move(field), too_large};
}

// Sets *p and returns nullopt (for any optional), so that a reader refuses in one line.
std::nullopt_t refuse(Problem* p, std::string error, std::string field, bool too_large = false) {
    *p = problem(std::move(error), std::move(field), too_large);
    return std::nullopt;
}

// The members parse_record and parse_publish look at; the rest are ignored.
struct Members {
    std::optional<json::Value> topic, data, public_key, signature, seq, published, expires, ttl;
    std::string duplicate;  // the first known member that came twice
};

// Splits a JSON object into Members; nullopt with the problem when the text is not one.
std::optional<Members> members_of(std::string_view body, Problem* p) {
    Members m;
    json::Value root;
    std::string name;
    const bool ok = json::validate_members(body, &root, [&](std::string_view key, const json::Value& v) {
        json::decode_string(key, name);
        std::optional<json::Value>* slot = name == "topic"       ? &m.topic
                                           : name == "data"      ? &m.data
                                           : name == "publicKey" ? &m.public_key
                                           : name == "signature" ? &m.signature
                                           : name == "seq"       ? &m.seq
                                           : name == "published" ? &m.published
                                           : name == "expires"   ? &m.expires
                                           : name == "ttl"       ? &m.ttl
                                                                 : nullptr;
        if (!slot) return;
        if (*slot && m.duplicate.empty()) m.duplicate = name;
        *slot = v;
    });
    if (!ok) {
        std::string why;
        canonical_json(body, &why);  // tells nesting too deep from malformed
        *p = problem(why, "");
        return std::nullopt;
    }
    if (root.kind != json::Kind::object) {
        *p = problem("the body must be a JSON object", "");
        return std::nullopt;
    }
    if (!m.duplicate.empty()) {
        *p = problem(m.duplicate + " appears twice", m.duplicate);
        return std::nullopt;
    }
    return m;
}

std::optional<std::string> read_topic(const std::optional<json::Value>& v, Problem* p) {
    if (!v) return refuse(p, "topic is required", "topic");
    if (v->kind != json::Kind::string) return refuse(p, "topic must be a string", "topic");
    // Through canonical_json: it refuses lone surrogate escapes, which decode_string alone would turn into U+FFFD.
    const auto quoted = canonical_json(v->raw);
    if (!quoted) return refuse(p, "topic must not contain a lone surrogate escape (\\ud800 to \\udfff)", "topic");
    std::string topic;
    json::decode_string(*quoted, topic);
    if (topic.empty() || topic.size() > kMaxTopicBytes)
        return refuse(p, "topic must be 1 to " + std::to_string(kMaxTopicBytes) + " bytes of UTF-8", "topic");
    return topic;
}

std::optional<std::string> read_data(const std::optional<json::Value>& v, Problem* p) {
    if (!v) return refuse(p, "data is required (any JSON value, null included)", "data");
    std::string why;
    auto data = canonical_json(v->raw, &why);
    if (!data) return refuse(p, "data: " + why, "data");
    if (data->size() > kMaxDataBytes)
        return refuse(p, "data must be at most " + std::to_string(kMaxDataBytes) + " bytes as canonical JSON", "data",
                      true);
    return data;
}

// A JSON number whose value (as JavaScript reads it: 5, 5.0 and 5e0 alike) is an integer from lo to hi.
std::optional<std::uint64_t> integer_of(const json::Value& v, std::uint64_t lo, std::uint64_t hi) {
    if (v.kind != json::Kind::number) return std::nullopt;
    double x = 0;
    const auto r = std::from_chars(v.raw.data(), v.raw.data() + v.raw.size(), x);
    if (r.ec != std::errc()) return std::nullopt;  // out of a double's range (an underflow is no integer either)
    if (x != std::floor(x) || x < static_cast<double>(lo) || x > static_cast<double>(hi)) return std::nullopt;
    return static_cast<std::uint64_t>(x);
}

std::optional<std::uint64_t> read_safe_integer(const std::optional<json::Value>& v, const char* field, Problem* p) {
    if (!v) return refuse(p, std::string(field) + " is required", field);
    const auto n = integer_of(*v, 0, kMaxSafeInteger);
    if (!n)
        return refuse(p, std::string(field) + " must be an integer from 0 to " + std::to_string(kMaxSafeInteger),
                      field);
    return n;
}

std::optional<std::string> read_hex(const std::optional<json::Value>& v, const char* field, std::size_t bytes,
                                    Problem* p) {
    const std::string what = std::string(field) + " must be " + std::to_string(2 * bytes) + " lower-case hex digits";
    if (!v) return refuse(p, std::string(field) + " is required", field);
    if (v->kind != json::Kind::string) return refuse(p, what, field);
    std::string s;
    json::decode_string(v->raw, s);
    if (!hex::is_lower_hex(s, 2 * bytes)) return refuse(p, what, field);
    return s;
}

Parsed record_of(const Members& m) {
    Parsed out;
    Problem& p = out.problem;
    Record r;
    auto topic = read_topic(m.topic, &p);
    if (!topic) return out;
    auto data = read_data(m.data, &p);
    if (!data) return out;
    auto key = read_hex(m.public_key, "publicKey", 32, &p);
    if (!key) return out;
    auto sig = read_hex(m.signature, "signature", 64, &p);
    if (!sig) return out;
    auto seq = read_safe_integer(m.seq, "seq", &p);
    if (!seq) return out;
    std::optional<std::uint64_t> published = 0;
    if (m.published && !(published = read_safe_integer(m.published, "published", &p))) return out;
    auto expires = read_safe_integer(m.expires, "expires", &p);
    if (!expires) return out;
    r.topic = std::move(*topic);
    r.data = std::move(*data);
    r.public_key = std::move(*key);
    r.signature = std::move(*sig);
    r.seq = *seq;
    r.published = *published;
    r.expires = *expires;
    if (!verify(r)) {
        p = problem("signature does not match the record (topic, data, seq, expires) and publicKey", "signature");
        return out;
    }
    out.record = std::move(r);
    return out;
}

}  // namespace

std::string signed_message(const Record& r) {
    // The canonical JSON of ["pigeonhub-record/1", topic, seq, expires, data]; seq and expires are safe integers,
    // which Number::toString writes as plain decimal.
    std::string out = "[";
    append_js_string(out, kMessageTag);
    out += ',';
    append_js_string(out, r.topic);
    out += ',';
    out += std::to_string(r.seq);
    out += ',';
    out += std::to_string(r.expires);
    out += ',';
    out += r.data;
    out += ']';
    return out;
}

void sign(Record& r, const Ed25519Key& key) {
    r.public_key = to_hex(key.public_key.data(), key.public_key.size());
    r.signature = ed25519_sign(signed_message(r), key);
}

bool verify(const Record& r) { return ed25519_verify(r.public_key, signed_message(r), r.signature); }

std::string encode_find(std::string_view topic, const std::vector<Record>& records) {
    std::string body = "{\"topic\":";
    append_js_string(body, topic);
    body += ",\"records\":[";
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (i) body += ',';
        body += encode(records[i], /*verified=*/true);
    }
    return body + "]}";
}

std::string encode(const Record& r, bool verified) {
    std::string out = "{\"topic\":";
    append_js_string(out, r.topic);
    out += ",\"data\":";
    out += r.data;
    out += ",\"publicKey\":\"" + r.public_key + "\"";
    out += ",\"signature\":\"" + r.signature + "\"";
    out += ",\"seq\":" + std::to_string(r.seq);
    out += ",\"published\":" + std::to_string(r.published);
    out += ",\"expires\":" + std::to_string(r.expires);
    if (verified) out += ",\"verified\":true";
    out += '}';
    return out;
}

Parsed parse_record(std::string_view json) {
    Parsed out;
    const auto m = members_of(json, &out.problem);
    if (!m) return out;
    return record_of(*m);
}

ParsedPublish parse_publish(std::string_view body) {
    ParsedPublish out;
    const auto m = members_of(body, &out.problem);
    if (!m) return out;
    PublishRequest req;
    if (m->public_key) {
        Parsed signed_record = record_of(*m);
        if (!signed_record.record) {
            out.problem = std::move(signed_record.problem);
            return out;
        }
        req.is_signed = true;
        req.record = std::move(*signed_record.record);
        out.request = std::move(req);
        return out;
    }
    if (m->signature) {
        out.problem = problem("publicKey is required with a signature", "publicKey");
        return out;
    }
    auto topic = read_topic(m->topic, &out.problem);
    if (!topic) return out;
    auto data = read_data(m->data, &out.problem);
    if (!data) return out;
    if (m->ttl) {
        const auto ttl = integer_of(*m->ttl, 1, kMaxTtlSeconds);
        if (!ttl) {
            out.problem = problem("ttl must be an integer from 1 to " + std::to_string(kMaxTtlSeconds), "ttl");
            return out;
        }
        req.ttl_seconds = static_cast<int>(*ttl);
    }
    req.record.topic = std::move(*topic);
    req.record.data = std::move(*data);
    out.request = std::move(req);
    return out;
}

ParsedReplicate parse_replicate(std::string_view body) {
    ParsedReplicate out;
    json::Value top;
    if (!json::validate(body, &top) || top.kind != json::Kind::object) {
        out.problem = problem("malformed JSON: expected a record or {\"records\": [...]}", "");
        return out;
    }
    std::vector<std::string_view> texts;
    bool batch = false, batch_ok = true;
    json::for_each_member(top.raw, [&](std::string_view key, const json::Value& v) {
        if (!json::string_equals(key, "records")) return;
        batch = true;
        batch_ok = batch_ok && v.kind == json::Kind::array;
        if (v.kind == json::Kind::array)
            json::for_each_element(v.raw, [&](const json::Value& e) { texts.push_back(e.raw); });
    });
    if (!batch_ok) {
        out.problem = problem("records must be an array of records", "records");
        return out;
    }
    if (!batch) texts.push_back(top.raw);
    for (std::size_t i = 0; i < texts.size(); ++i) {
        Parsed parsed = parse_record(texts[i]);
        if (!parsed.record) {
            out.problem = std::move(parsed.problem);
            if (batch) out.problem.error = "record " + std::to_string(i) + ": " + out.problem.error;
            out.records.clear();
            return out;
        }
        out.records.push_back(std::move(*parsed.record));
    }
    return out;
}

}  // namespace pigeonhub::data
