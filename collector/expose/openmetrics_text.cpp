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
    char buf[24];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), static_cast<long long>(v));
    out.append(buf, end);
  } else {
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, end);
  }
}

// An `le` bound is written as the text format writes it, so that a bucket is the same series in
// both formats: Prometheus 2 keeps `le` as a string.
void append_sample(std::string& out, const std::string& name, const std::string& labels, double value, std::string_view extra_name = {},
                   std::string_view extra_value = {}) {
  sample_head(name, !labels.empty(), extra_name, extra_value).append(out, labels);
  append_number(out, value);
  out += '\n';
}

// The family's name in its # TYPE and # HELP lines: a counter's without _total.
std::string announced_name(const std::string& name, bool counter) {
  return counter && name.ends_with("_total") ? name.substr(0, name.size() - 6) : name;
}

void append_openmetrics_header(std::string& out, const std::string& family, const std::string& help, const char* type) {
  out += "# TYPE ";
  out += family;
  out += ' ';
  out += type;
  out += '\n';
  if (!help.empty()) {
    out += "# HELP ";
    out += family;
    out += ' ';
    append_label_value(out, help);
    out += '\n';
  }
}

}  // namespace

void render_openmetrics(const prometheus::MetricFamily& f, std::string& out, const std::function<void()>& after_sample) {
  const std::string family = announced_name(f.name, f.type == prometheus::MetricType::Counter);
  append_openmetrics_header(out, family, f.help, type_name(f.type, "unknown"));
  for (const auto& m : f.metric) {
    const std::string labels = label_text(m.label);
    switch (f.type) {
      case prometheus::MetricType::Counter: append_sample(out, family + "_total", labels, m.counter.value); break;
      case prometheus::MetricType::Gauge: append_sample(out, family, labels, m.gauge.value); break;
      case prometheus::MetricType::Histogram:
        for (const auto& b : m.histogram.bucket) {
          append_sample(out, family + "_bucket", labels, static_cast<double>(b.cumulative_count), "le", value_text(b.upper_bound));
        }
        append_sample(out, family + "_count", labels, static_cast<double>(m.histogram.sample_count));
        append_sample(out, family + "_sum", labels, m.histogram.sample_sum);
        break;
      default: append_sample(out, family, labels, m.untyped.value); break;
    }
    if (after_sample) after_sample();
  }
}

void render_openmetrics(const std::vector<prometheus::MetricFamily>& families, std::string& out) {
  for (const auto& f : families) render_openmetrics(f, out);
  out += kOpenMetricsEnd;
}

void OpenMetricsWriter::write(const RegisteredFamily& f, SeriesReader& reader, std::string& out,
                              const std::function<void()>& after_series) {
  const bool counter = f.decl.type == ipc::MetricType::kCounter;
  const std::string family = announced_name(f.decl.name, counter);
  append_openmetrics_header(out, family, f.decl.help, type_name(f.decl.type));
  const bool labelled = !f.decl.label_names.empty();
  if (f.decl.type != ipc::MetricType::kHistogram) {
    const SampleHead head = sample_head(counter ? family + "_total" : family, labelled);
    reader.for_each(f, [&](const MergedSeries& s) {
      head.append(out, s.labels);
      append_number(out, s.value);
      out += '\n';
      if (after_series) after_series();
    });
    return;
  }
  heads_.build(family, f);
  reader.for_each(f, [&](const MergedSeries& s) {
    heads_.append_buckets(out, s);
    heads_.append_count(out, s);
    heads_.sum.append(out, s.labels);
    append_number(out, s.sum);
    out += '\n';
    if (after_series) after_series();
  });
}

}  // namespace agentmetrics::collector
