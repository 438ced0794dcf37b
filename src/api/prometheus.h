// The Prometheus text exposition format, version 0.0.4 (what GET /metrics answers): metric families with their
// HELP and TYPE lines, counters (the `_total` suffix added here), gauges and histograms (cumulative `_bucket`
// lines up to `+Inf`, `_sum`, `_count`). Pure: values in, text out.
//
// Usage: one family call, then its samples; a family's samples must follow it directly (the format requires
// every sample of a family to be in one group). Names are the caller's constants ([a-zA-Z_:][a-zA-Z0-9_:]*, not
// checked); label values are escaped (backslash, double quote, newline).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace pigeonhub::prom {

struct Label {
    std::string_view name;
    std::string_view value;
};

// Fixed buckets counted without allocation: `counts[i]` is the observations in (bounds[i-1], bounds[i]]; the last
// slot (past the bounds) is the observations above every bound. Bounds in seconds, ascending.
struct HistogramView {
    std::span<const double> bounds;
    std::span<const std::uint64_t> counts;  // bounds.size() + 1 slots, not cumulative
    double sum = 0;                         // of every observation, seconds
};

class Writer {
public:
    // `name` without `_total`: the family is `name_total`.
    Writer& counter(std::string_view name, std::string_view help);
    Writer& gauge(std::string_view name, std::string_view help);
    Writer& histogram(std::string_view name, std::string_view help);

    // A sample of the current counter or gauge family.
    Writer& sample(double value, std::initializer_list<Label> labels = {});
    Writer& sample(std::uint64_t value, std::initializer_list<Label> labels = {});
    // The samples of the current histogram family.
    Writer& buckets(const HistogramView& h, std::initializer_list<Label> labels = {});

    // One-sample families.
    Writer& counter(std::string_view name, std::string_view help, std::uint64_t value) {
        return counter(name, help).sample(value);
    }
    Writer& gauge(std::string_view name, std::string_view help, double value) { return gauge(name, help).sample(value); }
    Writer& gauge(std::string_view name, std::string_view help, std::uint64_t value) {
        return gauge(name, help).sample(value);
    }

    std::string take() { return std::move(out_); }

private:
    void family(std::string_view name, std::string_view suffix, std::string_view type, std::string_view help);
    void line(std::string_view suffix, std::initializer_list<Label> labels, std::string_view extra_name,
              std::string_view extra_value, std::string_view value);

    std::string out_;
    std::string name_;  // the current family's name, with `_total` for a counter
};

// Label value escaping of the text format: `\` -> `\\`, `"` -> `\"`, newline -> `\n`.
std::string escape_label(std::string_view v);
// A sample value: integers as integers, `+Inf`, `-Inf`, `NaN`, others shortest round-trip.
std::string format_value(double v);

}  // namespace pigeonhub::prom
