#include "api/prometheus.h"

#include <cmath>

#include <fmt/format.h>

namespace pigeonhub::prom {

std::string escape_label(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

namespace {
// HELP text escaping: only `\` and newline.
void append_help(std::string& out, std::string_view v) {
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
}
}  // namespace

std::string format_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<std::int64_t>(v));
    return fmt::format("{}", v);
}

void Writer::family(std::string_view name, std::string_view suffix, std::string_view type, std::string_view help) {
    name_.assign(name);
    name_ += suffix;
    out_ += "# HELP ";
    out_ += name_;
    out_ += ' ';
    append_help(out_, help);
    out_ += "\n# TYPE ";
    out_ += name_;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
}

Writer& Writer::counter(std::string_view name, std::string_view help) {
    family(name, "_total", "counter", help);
    return *this;
}
Writer& Writer::gauge(std::string_view name, std::string_view help) {
    family(name, "", "gauge", help);
    return *this;
}
Writer& Writer::histogram(std::string_view name, std::string_view help) {
    family(name, "", "histogram", help);
    return *this;
}

void Writer::line(std::string_view suffix, std::initializer_list<Label> labels, std::string_view extra_name,
                  std::string_view extra_value, std::string_view value) {
    out_ += name_;
    out_ += suffix;
    if (labels.size() || !extra_name.empty()) {
        out_ += '{';
        bool first = true;
        auto add = [&](std::string_view n, std::string_view v) {
            if (!first) out_ += ',';
            first = false;
            out_ += n;
            out_ += "=\"";
            out_ += escape_label(v);
            out_ += '"';
        };
        for (const auto& l : labels) add(l.name, l.value);
        if (!extra_name.empty()) add(extra_name, extra_value);
        out_ += '}';
    }
    out_ += ' ';
    out_ += value;
    out_ += '\n';
}

Writer& Writer::sample(double value, std::initializer_list<Label> labels) {
    line("", labels, {}, {}, format_value(value));
    return *this;
}

Writer& Writer::sample(std::uint64_t value, std::initializer_list<Label> labels) {
    line("", labels, {}, {}, fmt::format("{}", value));
    return *this;
}

Writer& Writer::buckets(const HistogramView& h, std::initializer_list<Label> labels) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < h.bounds.size(); ++i) {
        cumulative += i < h.counts.size() ? h.counts[i] : 0;
        line("_bucket", labels, "le", format_value(h.bounds[i]), fmt::format("{}", cumulative));
    }
    if (h.counts.size() > h.bounds.size()) cumulative += h.counts[h.bounds.size()];
    line("_bucket", labels, "le", "+Inf", fmt::format("{}", cumulative));
    line("_sum", labels, {}, {}, format_value(h.sum));
    line("_count", labels, {}, {}, fmt::format("{}", cumulative));
    return *this;
}

}  // namespace pigeonhub::prom
