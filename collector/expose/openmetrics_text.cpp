#include "collector/expose/openmetrics_text.h"

#include <charconv>
#include <cmath>

#include "collector/expose/text_primitives.h"

namespace agentmetrics::collector {
namespace {

// A sample value is written exactly (the shortest text that reads back as the same double).
void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
    out += std::to_string(static_cast<long long>(v));
  } else {
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, end);
  }
}

void append_labels(std::string& out, const std::vector<prometheus::ClientMetric::Label>& labels, const char* extra_name = nullptr,
                   double extra_value = 0) {
  if (labels.empty() && !extra_name) return;
  out += '{';
  bool first = true;
  for (const auto& l : labels) {
    if (!first) out += ',';
    first = false;
    out += l.name;
    out += "=\"";
    append_label_value(out, l.value);
    out += '"';
  }
  if (extra_name) {
    if (!first) out += ',';
    out += extra_name;
    out += "=\"";
    // An `le` bound as the text format writes it, so that a bucket is the same series in both
    // formats: Prometheus 2 keeps `le` as a string.
    append_value(out, extra_value);
    out += '"';
  }
  out += '}';
}

void append_sample(std::string& out, const std::string& name, const std::vector<prometheus::ClientMetric::Label>& labels, double value,
                   const char* extra_name = nullptr, double extra_value = 0) {
  out += name;
  append_labels(out, labels, extra_name, extra_value);
  out += ' ';
  append_number(out, value);
  out += '\n';
}

const char* type_name(prometheus::MetricType type) {
  switch (type) {
    case prometheus::MetricType::Counter: return "counter";
    case prometheus::MetricType::Gauge: return "gauge";
    case prometheus::MetricType::Histogram: return "histogram";
    case prometheus::MetricType::Summary: return "summary";
    default: return "unknown";
  }
}

}  // namespace

void render_openmetrics(const prometheus::MetricFamily& f, std::string& out, const std::function<void()>& after_sample) {
  std::string family = f.name;
  if (f.type == prometheus::MetricType::Counter && family.ends_with("_total")) family.resize(family.size() - 6);
  out += "# TYPE " + family + " " + type_name(f.type) + "\n";
  if (!f.help.empty()) {
    out += "# HELP " + family + " ";
    append_label_value(out, f.help);
    out += '\n';
  }
  for (const auto& m : f.metric) {
    switch (f.type) {
      case prometheus::MetricType::Counter: append_sample(out, family + "_total", m.label, m.counter.value); break;
      case prometheus::MetricType::Gauge: append_sample(out, family, m.label, m.gauge.value); break;
      case prometheus::MetricType::Histogram:
        for (const auto& b : m.histogram.bucket) {
          append_sample(out, family + "_bucket", m.label, static_cast<double>(b.cumulative_count), "le", b.upper_bound);
        }
        append_sample(out, family + "_count", m.label, static_cast<double>(m.histogram.sample_count));
        append_sample(out, family + "_sum", m.label, m.histogram.sample_sum);
        break;
      default: append_sample(out, family, m.label, m.untyped.value); break;
    }
    if (after_sample) after_sample();
  }
}

void render_openmetrics(const std::vector<prometheus::MetricFamily>& families, std::string& out) {
  for (const auto& f : families) render_openmetrics(f, out);
  out += kOpenMetricsEnd;
}

}  // namespace agentmetrics::collector
