// Fuzz target: arbitrary bytes as a sequence of admission events (connections opening and closing, REST requests,
// time passing) from a few addresses into AdmissionTable. Asserts: the table never holds more than its bound,
// never counts more open than were acquired, and drains to empty once everything is closed and time has passed.
#include <cstdint>
#include <cstdlib>
#include <map>

#include "net/admission.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pigeonhub;
    AdmissionOptions o;
    o.max_ws_per_address = 3;
    o.max_http_per_address = 2;
    o.new_connection_rate = 5;
    o.new_connection_burst = 4;
    o.rest_rate = 2;
    o.rest_burst = 3;
    o.max_tracked_addresses = 16;
    AdmissionStats stats;
    AdmissionTable t(o, &stats);
    std::map<std::pair<int, int>, int> open;  // (address, kind) -> held
    std::int64_t now = 1000;
    auto key_of = [](int a) {
        const std::uint8_t b = static_cast<std::uint8_t>(a);
        return address_key(a & 0x20 ? asio::ip::address(asio::ip::address_v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, b, 0, 0, 0, 0, 0, 0, 0, 1}))
                                    : asio::ip::address(asio::ip::address_v4({10, 0, 0, b})));
    };
    for (std::size_t i = 0; i < size; ++i) {
        const int op = data[i] >> 6, a = data[i] & 0x3F;
        const AddressKey k = key_of(a);
        std::uint32_t retry = 0;
        switch (op) {
        case 0:
            if (t.acquire_ws(k, now) == AdmissionTable::Verdict::ok) ++open[{a, 0}];
            break;
        case 1:
            if (t.acquire_http(k, now) == AdmissionTable::Verdict::ok) ++open[{a, 1}];
            break;
        case 2:
            if (open[{a, 0}] > 0) { --open[{a, 0}]; t.release_ws(k, now); }
            else if (open[{a, 1}] > 0) { --open[{a, 1}]; t.release_http(k, now); }
            else if (a & 1) (void)t.new_connection(k, now);
            else if (t.rest_request(k, now, &retry) == AdmissionTable::Verdict::rate && retry < 1) std::abort();
            break;
        default:
            now += a * 37;
            if (a == 0) t.sweep(now);
        }
        if (t.size() > o.max_tracked_addresses) std::abort();
        if (t.ws_open(k) != static_cast<std::uint32_t>(open[{a, 0}]) || t.http_open(k) > static_cast<std::uint32_t>(open[{a, 1}]))
            std::abort();
    }
    for (auto& [ak, n] : open)
        for (; n > 0; --n) ak.second == 0 ? t.release_ws(key_of(ak.first), now) : t.release_http(key_of(ak.first), now);
    t.sweep(now + 60000);
    if (t.size() != 0 || stats.addresses != 0) std::abort();
    return 0;
}
