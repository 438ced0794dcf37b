// Fuzz target: a script of sealed signals' numbers (pair, epoch, seq, time) as they land from other hubs, into
// SignalOrder (src/mesh/signal_order.h). Asserts: no signal is delivered twice; after a wait longer than
// max_wait_ms nothing is held; the counters never claim more signals than came in.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "mesh/signal_order.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pigeonhub;
    SignalOrder order(250);
    std::vector<OrderedSignal> out;
    std::int64_t now = 0;
    std::uint64_t accepted = 0;
    static const char* const kPairs[] = {"a>b", "b>a", "a>c", "c>b"};
    // Each signal is 4 bytes: op (pair, epoch, time step), two bytes of seq, one of time.
    for (std::size_t i = 0; i + 4 <= size; i += 4) {
        const std::uint8_t op = data[i];
        now += data[i + 3] * (op & 0x80 ? 100 : 1);
        if ((op & 0x70) == 0x70) {
            order.expire(now, out);
            continue;
        }
        std::uint32_t seq = static_cast<std::uint32_t>(data[i + 1]) << 8 | data[i + 2];
        if (seq >= 0xff00) seq = 0xffffff00u | (seq & 0xff);  // near the top of the range too
        OrderedSignal s;
        s.to = std::to_string(accepted++);
        order.accept(kPairs[op & 3], (op >> 2) & 3, seq, std::move(s), now, out);
    }
    order.expire(now + 1000, out);
    if (order.waiting()) std::abort();
    std::set<std::string> seen;
    for (const auto& s : out)
        if (!seen.insert(s.to).second) std::abort();
    if (out.size() + order.late_dropped() > accepted) std::abort();
    return 0;
}
