#include "collector/expose/text_primitives.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace agentmetrics::collector {

void append_value(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "Nan";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[32];
  // Whole numbers below 1e15 print as %.16g prints them, without its digit loop; -0 keeps its
  // sign as %.16g does.
  if (v == std::floor(v) && std::fabs(v) < 1e15 && !(v == 0 && std::signbit(v))) {
    const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), static_cast<long long>(v));
    out.append(buf, end);
    return;
  }
  // chars_format::general with a precision is printf's %g, in the C locale.
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general, 16);
  out.append(buf, end);
}

void append_integer(std::string& out, std::uint64_t value) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, end);
}

void append_help(std::string& out, std::string_view help) {
  for (char c : help) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

std::string value_text(double value) {
  std::string out;
  append_value(out, value);
  return out;
}

SampleHead sample_head(std::string_view name, bool labelled, std::string_view extra_name, std::string_view extra_value) {
  SampleHead head;
  head.prefix = name;
  const bool braces = labelled || !extra_name.empty();
  if (braces) head.prefix += '{';
  if (!extra_name.empty()) {
    if (labelled) head.suffix += ',';
    head.suffix += extra_name;
    head.suffix += "=\"";
    head.suffix += extra_value;
    head.suffix += '"';
  }
  if (braces) head.suffix += '}';
  head.suffix += ' ';
  return head;
}

void HistogramHeads::build(const std::string& name, const RegisteredFamily& family) {
  const bool labelled = !family.decl.label_names.empty();
  count = sample_head(name + "_count", labelled);
  sum = sample_head(name + "_sum", labelled);
  buckets.clear();
  if (family.classic_buckets()) {
    for (double bound : family.decl.buckets) buckets.push_back(sample_head(name + "_bucket", labelled, "le", value_text(bound)));
  }
  buckets.push_back(sample_head(name + "_bucket", labelled, "le", "+Inf"));
}

void HistogramHeads::append_count(std::string& out, const MergedSeries& series) const {
  count.append(out, series.labels);
  append_integer(out, series.count);
  out += '\n';
}

void HistogramHeads::append_buckets(std::string& out, const MergedSeries& series) const {
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < buckets.size() && b < series.buckets.size(); ++b) {
    cumulative += series.buckets[b];
    buckets[b].append(out, series.labels);
    append_integer(out, cumulative);
    out += '\n';
  }
}

std::string label_text(const std::vector<prometheus::ClientMetric::Label>& labels) {
  std::string out;
  for (const auto& l : labels) {
    if (!out.empty()) out += ',';
    out += l.name;
    out += "=\"";
    append_label_value(out, l.value);
    out += '"';
  }
  return out;
}

const char* type_name(prometheus::MetricType type, const char* other) {
  switch (type) {
    case prometheus::MetricType::Counter: return "counter";
    case prometheus::MetricType::Gauge: return "gauge";
    case prometheus::MetricType::Summary: return "summary";
    case prometheus::MetricType::Histogram: return "histogram";
    default: return other;
  }
}

const char* type_name(ipc::MetricType type) {
  switch (type) {
    case ipc::MetricType::kCounter: return "counter";
    case ipc::MetricType::kGauge: return "gauge";
    case ipc::MetricType::kHistogram: return "histogram";
  }
  return "untyped";  // not a type a family can have
}

}  // namespace agentmetrics::collector
