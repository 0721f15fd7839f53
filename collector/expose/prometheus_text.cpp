#include "collector/expose/prometheus_text.h"

#include <cstdint>
#include <limits>

#include "collector/expose/text_primitives.h"

namespace agentmetrics::collector {
namespace {

void append_sample_head(std::string& out, const std::string& name, const char* suffix, const prometheus::ClientMetric& metric,
                        const char* extra_label = nullptr, double extra_value = 0) {
  out += name;
  out += suffix;
  if (!metric.label.empty() || extra_label) {
    out += '{';
    const char* separator = "";
    for (const auto& l : metric.label) {
      out += separator;
      out += l.name;
      out += "=\"";
      append_label_value(out, l.value);
      out += '"';
      separator = ",";
    }
    if (extra_label) {
      out += separator;
      out += extra_label;
      out += "=\"";
      append_value(out, extra_value);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
}

void append_sample_tail(std::string& out, const prometheus::ClientMetric& metric) {
  if (metric.timestamp_ms != 0) {
    out += ' ';
    out += std::to_string(metric.timestamp_ms);
  }
  out += '\n';
}

// The _count and _sum samples that histograms and summaries both have.
void append_count_and_sum(std::string& out, const std::string& name, const prometheus::ClientMetric& m, std::uint64_t count, double sum) {
  append_sample_head(out, name, "_count", m);
  append_integer(out, count);
  append_sample_tail(out, m);
  append_sample_head(out, name, "_sum", m);
  append_value(out, sum);
  append_sample_tail(out, m);
}

void append_histogram(std::string& out, const std::string& name, const prometheus::ClientMetric& m) {
  append_count_and_sum(out, name, m, m.histogram.sample_count, m.histogram.sample_sum);
  double last = -std::numeric_limits<double>::infinity();
  for (const auto& b : m.histogram.bucket) {
    append_sample_head(out, name, "_bucket", m, "le", b.upper_bound);
    append_integer(out, b.cumulative_count);
    append_sample_tail(out, m);
    last = b.upper_bound;
  }
  if (last != std::numeric_limits<double>::infinity()) {
    append_sample_head(out, name, "_bucket", m, "le", std::numeric_limits<double>::infinity());
    append_integer(out, m.histogram.sample_count);
    append_sample_tail(out, m);
  }
}

void append_summary(std::string& out, const std::string& name, const prometheus::ClientMetric& m) {
  append_count_and_sum(out, name, m, m.summary.sample_count, m.summary.sample_sum);
  for (const auto& q : m.summary.quantile) {
    append_sample_head(out, name, "", m, "quantile", q.quantile);
    append_value(out, q.value);
    append_sample_tail(out, m);
  }
}

const char* type_name(prometheus::MetricType type) {
  switch (type) {
    case prometheus::MetricType::Counter: return "counter";
    case prometheus::MetricType::Gauge: return "gauge";
    case prometheus::MetricType::Summary: return "summary";
    case prometheus::MetricType::Histogram: return "histogram";
    default: return "untyped";
  }
}

}  // namespace

void render_text(const prometheus::MetricFamily& f, std::string& out, const std::function<void()>& after_sample) {
  // At most one allocation for the family, from a generous estimate of its size (a caller that
  // sends pieces has a buffer of its own size already).
  if (!after_sample) {
    const std::size_t lines =
        f.type == prometheus::MetricType::Histogram && !f.metric.empty() ? f.metric[0].histogram.bucket.size() + 3 : 1;
    const std::size_t labels = f.metric.empty() ? 0 : f.metric[0].label.size();
    out.reserve(out.size() + 128 + f.metric.size() * lines * (f.name.size() + 40 + 32 * labels));
  }
  if (!f.help.empty()) {
    out += "# HELP ";
    out += f.name;
    out += ' ';
    append_help(out, f.help);
    out += '\n';
  }
  out += "# TYPE ";
  out += f.name;
  out += ' ';
  out += type_name(f.type);
  out += '\n';
  for (const auto& m : f.metric) {
    switch (f.type) {
      case prometheus::MetricType::Histogram: append_histogram(out, f.name, m); break;
      case prometheus::MetricType::Summary: append_summary(out, f.name, m); break;
      default: {
        append_sample_head(out, f.name, "", m);
        const double value = f.type == prometheus::MetricType::Counter ? m.counter.value
                             : f.type == prometheus::MetricType::Gauge ? m.gauge.value
                                                                       : m.untyped.value;
        append_value(out, value);
        append_sample_tail(out, m);
      }
    }
    if (after_sample) after_sample();
  }
}

void render_text(const std::vector<prometheus::MetricFamily>& families, std::string& out) {
  for (const auto& f : families) render_text(f, out);
}

}  // namespace agentmetrics::collector
