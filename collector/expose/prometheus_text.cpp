#include "collector/expose/prometheus_text.h"

#include <cstdint>
#include <limits>

#include "collector/expose/text_primitives.h"

namespace agentmetrics::collector {
namespace {

void append_line_head(std::string& out, const std::string& name, const char* suffix, const std::string& labels,
                      std::string_view extra_name = {}, std::string_view extra_value = {}) {
  sample_head(name + suffix, !labels.empty(), extra_name, extra_value).append(out, labels);
}

void append_tail(std::string& out, std::int64_t timestamp_ms) {
  if (timestamp_ms != 0) {
    out += ' ';
    out += std::to_string(timestamp_ms);
  }
  out += '\n';
}

// The _count and _sum samples that histograms and summaries both have.
void append_count_and_sum(std::string& out, const std::string& name, const std::string& labels, std::int64_t ts, std::uint64_t count,
                          double sum) {
  append_line_head(out, name, "_count", labels);
  append_integer(out, count);
  append_tail(out, ts);
  append_line_head(out, name, "_sum", labels);
  append_value(out, sum);
  append_tail(out, ts);
}

void append_histogram(std::string& out, const std::string& name, const std::string& labels, const prometheus::ClientMetric& m) {
  append_count_and_sum(out, name, labels, m.timestamp_ms, m.histogram.sample_count, m.histogram.sample_sum);
  double last = -std::numeric_limits<double>::infinity();
  for (const auto& b : m.histogram.bucket) {
    append_line_head(out, name, "_bucket", labels, "le", value_text(b.upper_bound));
    append_integer(out, b.cumulative_count);
    append_tail(out, m.timestamp_ms);
    last = b.upper_bound;
  }
  if (last != std::numeric_limits<double>::infinity()) {
    append_line_head(out, name, "_bucket", labels, "le", "+Inf");
    append_integer(out, m.histogram.sample_count);
    append_tail(out, m.timestamp_ms);
  }
}

void append_summary(std::string& out, const std::string& name, const std::string& labels, const prometheus::ClientMetric& m) {
  append_count_and_sum(out, name, labels, m.timestamp_ms, m.summary.sample_count, m.summary.sample_sum);
  for (const auto& q : m.summary.quantile) {
    append_line_head(out, name, "", labels, "quantile", value_text(q.quantile));
    append_value(out, q.value);
    append_tail(out, m.timestamp_ms);
  }
}

void append_text_header(std::string& out, const std::string& name, const std::string& help, const char* type) {
  if (!help.empty()) {
    out += "# HELP ";
    out += name;
    out += ' ';
    append_help(out, help);
    out += '\n';
  }
  out += "# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

}  // namespace

void render_text(const prometheus::MetricFamily& f, std::string& out, const std::function<void()>& after_sample) {
  append_text_header(out, f.name, f.help, type_name(f.type, "untyped"));
  for (const auto& m : f.metric) {
    const std::string labels = label_text(m.label);
    switch (f.type) {
      case prometheus::MetricType::Histogram: append_histogram(out, f.name, labels, m); break;
      case prometheus::MetricType::Summary: append_summary(out, f.name, labels, m); break;
      default: {
        append_line_head(out, f.name, "", labels);
        const double value = f.type == prometheus::MetricType::Counter ? m.counter.value
                             : f.type == prometheus::MetricType::Gauge ? m.gauge.value
                                                                       : m.untyped.value;
        append_value(out, value);
        append_tail(out, m.timestamp_ms);
      }
    }
    if (after_sample) after_sample();
  }
}

void render_text(const std::vector<prometheus::MetricFamily>& families, std::string& out) {
  for (const auto& f : families) render_text(f, out);
}

void TextWriter::write(const RegisteredFamily& family, SeriesReader& reader, std::string& out, const std::function<void()>& after_series) {
  const std::string& name = family.decl.name;
  append_text_header(out, name, family.decl.help, type_name(family.decl.type));
  const bool labelled = !family.decl.label_names.empty();
  if (family.decl.type != ipc::MetricType::kHistogram) {
    const SampleHead head = sample_head(name, labelled);
    reader.for_each(family, [&](const MergedSeries& s) {
      head.append(out, s.labels);
      append_value(out, s.value);
      out += '\n';
      if (after_series) after_series();
    });
    return;
  }
  // The order prometheus-cpp writes: _count, _sum, then the cumulative buckets.
  heads_.build(name, family);
  reader.for_each(family, [&](const MergedSeries& s) {
    heads_.append_count(out, s);
    heads_.sum.append(out, s.labels);
    append_value(out, s.sum);
    out += '\n';
    heads_.append_buckets(out, s);
    if (after_series) after_series();
  });
}

}  // namespace agentmetrics::collector
