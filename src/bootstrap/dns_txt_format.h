// The DNS TXT format of bootstrap peers (issue 12): what an operator publishes at `_pigeonhub-bootstrap.<domain>`
// for each domain in BOOTSTRAP_DNS, and its parser. Pure: no I/O (the lookup is bootstrap/dns_txt_resolver.h).
//
// The format, version pigeonhub1:
// - Each TXT record at the name is one bootstrap peer. The record's character-strings are concatenated with nothing
//   between them (a record longer than 255 bytes is split into several strings by the zone tooling; where it is
//   split does not matter). At most 2048 bytes per record.
// - The text is tokens separated by one or more spaces (0x20); spaces before the first and after the last token are
//   allowed. Every byte is printable ASCII (0x20..0x7E). A token is `key=value`: the key 1..32 of a-z 0-9 '-' '_',
//   the value at least one byte, no spaces.
// - The first token decides whose record it is: exactly `v=pigeonhub1` makes it ours. Any other record (SPF, site
//   verification, a later `v=pigeonhub2`) may share the name and is ignored without an error.
// - Keys:
//     v=pigeonhub1    required, first.
//     u=<where>       required. A hub URL: ws://, wss://, http:// or https:// (scheme in any case), then
//                     host[:port][/path]; the host a DNS name, an IPv4 literal or a bracketed IPv6 literal
//                     (util/url.h). Or a DHT node: host:port, the port required (1..65535), no path.
//                     At most 512 bytes.
//     region=<r>      optional: 1..64 of A-Z a-z 0-9 '-' '_' '.' ("eu-west").
//     priority=<n>    optional: decimal 0..1000000, digits only; lower is tried first; 100 when absent.
//     description=<d> optional: percent-encoded text, "%XX" (two hex digits) being byte XX ("%20" a space, "%25" a
//                     '%'); decoded, at most 256 bytes of UTF-8 without control characters.
//     anything else   ignored (a later version may add keys), but it must still be a `key=value` token.
//   A key given twice makes the record malformed.
// - Example:  v=pigeonhub1 u=wss://hub1.example.org/ region=eu-west priority=10 description=Main%20hub
//             v=pigeonhub1 u=dht.example.org:4222
// Malformed records of ours are reported (errors name the rule, never echo the record) and skipped; the rest count.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pigeonhub {

inline constexpr std::string_view kDnsTxtPrefix = "_pigeonhub-bootstrap.";
inline constexpr std::size_t kDnsTxtMaxRecord = 2048;
inline constexpr std::size_t kDnsTxtMaxUrl = 512;
inline constexpr std::size_t kDnsTxtMaxRegion = 64;
inline constexpr std::size_t kDnsTxtMaxDescription = 256;
inline constexpr int kDnsTxtMaxPriority = 1000000;
inline constexpr int kDnsTxtDefaultPriority = 100;

// One peer from one record (mapped to the general bootstrap peer type by its user).
struct DnsTxtPeer {
    std::string u;            // as written (a URL or host:port)
    std::string region;       // "" when absent
    std::string description;  // decoded; "" when absent
    int priority = kDnsTxtDefaultPriority;
    bool is_hub_url = false;  // true: u is a ws/wss/http/https hub URL; false: u is a DHT node host:port
};

enum class DnsTxtStatus { peer, not_ours, malformed };

struct DnsTxtRecord {
    DnsTxtStatus status = DnsTxtStatus::not_ours;
    DnsTxtPeer peer;    // when status is peer
    std::string error;  // when status is malformed: which rule ("missing u=", "bad priority", ...)
};

// One record's text (its character-strings already concatenated).
DnsTxtRecord parse_dns_txt_record(std::string_view text);

struct DnsTxtPeers {
    std::vector<DnsTxtPeer> peers;    // in the order given (DNS gives no order: sort by priority to use them)
    std::vector<std::string> errors;  // "record <i>: <rule>", i counting from 0 in the input
};

// Every record at one name, as the resolver returns them.
DnsTxtPeers parse_dns_txt_records(const std::vector<std::string>& records);

// The name to query for `domain`: "_pigeonhub-bootstrap." + domain, a trailing '.' of the domain dropped.
std::string dns_txt_name(std::string_view domain);

}  // namespace pigeonhub
