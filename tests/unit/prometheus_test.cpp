#include "api/prometheus.h"

#include <gtest/gtest.h>

#include <array>

#include "api/relay_latency.h"

namespace pigeonhub::prom {
namespace {

TEST(Prometheus, CounterGetsTotalSuffixAndHelpAndType) {
    Writer w;
    w.counter("hub_messages", "Messages received", std::uint64_t{42});
    EXPECT_EQ(w.take(), "# HELP hub_messages_total Messages received\n"
                        "# TYPE hub_messages_total counter\n"
                        "hub_messages_total 42\n");
}

TEST(Prometheus, GaugeWithLabelsAndDoubles) {
    Writer w;
    w.gauge("hub_up", "Up").sample(1.0).sample(0.25, {{"a", "x"}, {"b", "y"}});
    EXPECT_EQ(w.take(), "# HELP hub_up Up\n# TYPE hub_up gauge\nhub_up 1\nhub_up{a=\"x\",b=\"y\"} 0.25\n");
}

TEST(Prometheus, LabelValuesAndHelpAreEscaped) {
    EXPECT_EQ(escape_label("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
    Writer w;
    w.gauge("g", "line one\nback\\slash \"quoted\"").sample(std::uint64_t{1}, {{"v", "x\"y"}});
    EXPECT_EQ(w.take(), "# HELP g line one\\nback\\\\slash \"quoted\"\n# TYPE g gauge\ng{v=\"x\\\"y\"} 1\n");
}

TEST(Prometheus, SpecialValues) {
    EXPECT_EQ(format_value(1.0 / 0.0), "+Inf");
    EXPECT_EQ(format_value(-1.0 / 0.0), "-Inf");
    EXPECT_EQ(format_value(0.0 / 0.0), "NaN");
    EXPECT_EQ(format_value(3.0), "3");
    EXPECT_EQ(format_value(2.5e-6), "2.5e-06");
    EXPECT_EQ(format_value(0.001), "0.001");
}

TEST(Prometheus, HistogramBucketsAreCumulativeWithInfSumAndCount) {
    const std::array<double, 2> bounds = {0.001, 0.01};
    const std::array<std::uint64_t, 3> counts = {2, 3, 1};
    Writer w;
    w.histogram("lat_seconds", "Latency").buckets({bounds, counts, 0.5});
    EXPECT_EQ(w.take(), "# HELP lat_seconds Latency\n# TYPE lat_seconds histogram\n"
                        "lat_seconds_bucket{le=\"0.001\"} 2\n"
                        "lat_seconds_bucket{le=\"0.01\"} 5\n"
                        "lat_seconds_bucket{le=\"+Inf\"} 6\n"
                        "lat_seconds_sum 0.5\n"
                        "lat_seconds_count 6\n");
}

TEST(Prometheus, HistogramKeepsOtherLabelsBeforeLe) {
    const std::array<double, 1> bounds = {1};
    const std::array<std::uint64_t, 2> counts = {1, 0};
    Writer w;
    w.histogram("h", "H").buckets({bounds, counts, 0.5}, {{"kind", "x"}});
    EXPECT_NE(w.take().find("h_bucket{kind=\"x\",le=\"1\"} 1\n"), std::string::npos);
}

TEST(RelayLatency, ObservationsFallInTheirBuckets) {
    RelayLatency h;
    h.observe(500);          // <= 1 us
    h.observe(1'000);        // the bound itself: inclusive
    h.observe(1'001);        // <= 2.5 us
    h.observe(1'000'000'000);  // above every bound
    EXPECT_EQ(h.counts[0], 2u);
    EXPECT_EQ(h.counts[1], 1u);
    EXPECT_EQ(h.counts.back(), 1u);
    EXPECT_EQ(h.sum_ns, 1'000'002'501u);
    static_assert(RelayLatency::kBoundsNs.size() == RelayLatency::kBoundsSeconds.size());
    for (std::size_t i = 0; i < RelayLatency::kBoundsNs.size(); ++i)
        EXPECT_DOUBLE_EQ(RelayLatency::kBoundsSeconds[i] * 1e9, static_cast<double>(RelayLatency::kBoundsNs[i]));
}

}  // namespace
}  // namespace pigeonhub::prom
