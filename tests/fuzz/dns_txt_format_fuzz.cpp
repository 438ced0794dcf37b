// Fuzz target: arbitrary bytes as one TXT record, after one of a few record heads, into parse_dns_txt_record.
// Asserts the contract of a peer: the bounds of its fields and that the record was ours.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "bootstrap/dns_txt_format.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pigeonhub;
    if (size < 1) return 0;
    // Heads that random bytes would almost never spell, so that the key parsers get exercised too.
    static const char* const kHeads[] = {"",
                                         "v=pigeonhub1 ",
                                         "v=pigeonhub1 u=ws://h:1 ",
                                         "v=pigeonhub1 u=",
                                         "v=pigeonhub1 u=h:1 description=",
                                         "v=pigeonhub1 u=h:1 priority="};
    std::string text = kHeads[data[0] % (sizeof kHeads / sizeof kHeads[0])];
    text.append(reinterpret_cast<const char*>(data + 1), size - 1);
    const DnsTxtRecord r = parse_dns_txt_record(text);
    if (r.status == DnsTxtStatus::malformed && r.error.empty()) std::abort();
    if (r.status == DnsTxtStatus::peer) {
        const DnsTxtPeer& p = r.peer;
        if (text.compare(text.find_first_not_of(' '), 13, "v=pigeonhub1 ") != 0) std::abort();
        if (text.size() > kDnsTxtMaxRecord || p.u.empty() || p.u.size() > kDnsTxtMaxUrl) std::abort();
        if (p.region.size() > kDnsTxtMaxRegion || p.description.size() > kDnsTxtMaxDescription) std::abort();
        if (p.priority < 0 || p.priority > kDnsTxtMaxPriority) std::abort();
        if (p.u.find(' ') != std::string::npos) std::abort();
    }
    return 0;
}
