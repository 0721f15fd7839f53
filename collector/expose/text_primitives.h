// The pieces both exposition formats (Prometheus text 0.0.4 and OpenMetrics 1.0) are written
// with, appended to a std::string: numbers as prometheus-cpp's serializer writes them, escaped
// help texts, and the head of a sample line split where the series' label text goes.
#pragma once

#include <prometheus/client_metric.h>
#include <prometheus/metric_type.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collector/aggregate/family_registry.h"
#include "collector/aggregate/label_text.h"
#include "collector/aggregate/series_reader.h"
#include "ipc/string_table.h"

namespace agentmetrics::collector {

// A double as prometheus-cpp 1.0's TextSerializer writes it (printf's %.16g; Nan, +Inf, -Inf),
// without its stream.
void append_value(std::string& out, double value);
void append_integer(std::string& out, std::uint64_t value);
// A HELP text: backslash and newline escaped.
void append_help(std::string& out, std::string_view help);
// append_value's text on its own, for a label value such as `le`.
std::string value_text(double value);

// The head of a sample line, `name{labels,extra="value"} ` (`name ` without any label), split
// where a series' label text goes: prefix + labels + suffix. Built once per family and scrape,
// so that a series' line is three appends and its number.
struct SampleHead {
  std::string prefix;
  std::string suffix;
  void append(std::string& out, std::string_view labels) const {
    out += prefix;
    out += labels;
    out += suffix;
  }
};
// `labelled`: the family's series have label text. `extra_name`, when not empty, is one more
// label after the series' own (le, quantile) with the already formatted `extra_value`.
SampleHead sample_head(std::string_view name, bool labelled, std::string_view extra_name = {}, std::string_view extra_value = {});

// The heads of a histogram family's lines, built once per family and scrape: _count, _sum and
// a _bucket for each declared bound (when the family keeps classic buckets), then +Inf.
struct HistogramHeads {
  SampleHead count;
  SampleHead sum;
  std::vector<SampleHead> buckets;

  // `name`: the family's name as the format writes it before the suffixes.
  void build(const std::string& name, const RegisteredFamily& family);
  // One series' _count line, and its cumulative _bucket lines.
  void append_count(std::string& out, const MergedSeries& series) const;
  void append_buckets(std::string& out, const MergedSeries& series) const;
};

// A prometheus-cpp metric's labels as label_text() builds a series' (label_text.h).
std::string label_text(const std::vector<prometheus::ClientMetric::Label>& labels);

// A family's type as the text formats name it in # TYPE; `other` names any other type
// ("untyped" in the text format, "unknown" in OpenMetrics).
const char* type_name(prometheus::MetricType type, const char* other);
const char* type_name(ipc::MetricType type);

}  // namespace agentmetrics::collector
