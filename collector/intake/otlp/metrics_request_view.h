// An OTLP metrics export request read in place: the parts the mapping reads (resources'
// attributes, scope and metric names, monotonic sums' and histograms' points with their
// attributes), their strings views of the request's bytes. The generated classes of Debian's
// protobuf 3.21 copy every string into a std::string of its own, half of the receiver's CPU on
// the agents' exports (docs/benchmarks.md); this reads the same wire format on raw pointers into
// the request and allocates nothing per string.
//
// It reads only the common shape and declines the rest: anything it does not take (gauges,
// summaries, exponential histograms, exemplars, array or key-value attribute values, metadata,
// groups, a message field given twice) makes decode() false, and so does every input the
// generated parser refuses (truncated, not UTF-8 where proto3 requires it). The caller then
// parses the request with the generated classes, which decide: so what is accepted, refused and
// how it is answered stays theirs, and this is only ever a faster way to the same request.
//
// The types mirror the generated classes' accessors that the mapping uses, so one mapping
// (OtlpIntake::take, a template over both) reads either.
#pragma once

#include <opentelemetry/proto/common/v1/common.pb.h>
#include <opentelemetry/proto/metrics/v1/metrics.pb.h>

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace agentmetrics::intake {

class MetricsRequestView;

class AnyValueView {
 public:
  using ValueCase = opentelemetry::proto::common::v1::AnyValue::ValueCase;
  ValueCase value_case() const { return case_; }
  std::string_view string_value() const { return case_ == ValueCase::kStringValue ? text_ : std::string_view(); }
  std::int64_t int_value() const { return int_; }
  double double_value() const { return double_; }
  bool bool_value() const { return bool_; }

 private:
  friend class MetricsRequestView;
  ValueCase case_ = ValueCase::VALUE_NOT_SET;
  std::string_view text_;  // a string's, or a bytes value's
  std::int64_t int_ = 0;
  double double_ = 0;
  bool bool_ = false;
};

class KeyValueView {
 public:
  std::string_view key() const { return key_; }
  const AnyValueView& value() const { return value_; }

 private:
  friend class MetricsRequestView;
  std::string_view key_;
  AnyValueView value_;
};

using AttributeViews = std::span<const KeyValueView>;

// Children of a message, kept in one of the request's pools: where they start while the request
// is read (the pool may still move), a span once it is read.
template <typename T>
class Children {
 public:
  const std::span<const T>& get() const { return span_; }

 private:
  friend class MetricsRequestView;
  std::size_t first_ = 0, count_ = 0;
  std::span<const T> span_;
};

class NumberPointView {
 public:
  using ValueCase = opentelemetry::proto::metrics::v1::NumberDataPoint::ValueCase;
  const AttributeViews& attributes() const { return attributes_.get(); }
  std::uint64_t start_time_unix_nano() const { return start_ns_; }
  std::uint64_t time_unix_nano() const { return time_ns_; }
  ValueCase value_case() const { return case_; }
  std::int64_t as_int() const { return case_ == ValueCase::kAsInt ? int_ : 0; }
  double as_double() const { return case_ == ValueCase::kAsDouble ? double_ : 0; }

 private:
  friend class MetricsRequestView;
  Children<KeyValueView> attributes_;
  std::uint64_t start_ns_ = 0, time_ns_ = 0;
  ValueCase case_ = ValueCase::VALUE_NOT_SET;
  std::int64_t int_ = 0;
  double double_ = 0;
};

class HistogramPointView {
 public:
  const AttributeViews& attributes() const { return attributes_.get(); }
  std::uint64_t start_time_unix_nano() const { return start_ns_; }
  std::uint64_t time_unix_nano() const { return time_ns_; }
  bool has_sum() const { return has_sum_; }
  double sum() const { return sum_; }

 private:
  friend class MetricsRequestView;
  Children<KeyValueView> attributes_;
  std::uint64_t start_ns_ = 0, time_ns_ = 0;
  bool has_sum_ = false;
  double sum_ = 0;
};

// A sum's or a histogram's points and how they add up.
template <typename Point>
class PointsView {
 public:
  const std::span<const Point>& data_points() const { return points_.get(); }
  opentelemetry::proto::metrics::v1::AggregationTemporality aggregation_temporality() const { return temporality_; }
  bool is_monotonic() const { return monotonic_; }

 private:
  friend class MetricsRequestView;
  Children<Point> points_;
  opentelemetry::proto::metrics::v1::AggregationTemporality temporality_{};
  bool monotonic_ = false;
};

class MetricView {
 public:
  std::string_view name() const { return name_; }
  bool has_sum() const { return data_ == Data::kSum; }
  bool has_histogram() const { return data_ == Data::kHistogram; }
  // A request with one is read by the generated classes.
  static constexpr bool has_exponential_histogram() { return false; }
  const PointsView<NumberPointView>& sum() const { return sum_; }
  const PointsView<HistogramPointView>& histogram() const { return histogram_; }

 private:
  friend class MetricsRequestView;
  enum class Data { kNone, kSum, kHistogram };
  std::string_view name_;
  Data data_ = Data::kNone;
  PointsView<NumberPointView> sum_;
  PointsView<HistogramPointView> histogram_;
};

class ScopeView {
 public:
  std::string_view name() const { return name_; }

 private:
  friend class MetricsRequestView;
  std::string_view name_;
};

class ScopeMetricsView {
 public:
  const ScopeView& scope() const { return scope_; }
  const std::span<const MetricView>& metrics() const { return metrics_.get(); }

 private:
  friend class MetricsRequestView;
  ScopeView scope_;
  Children<MetricView> metrics_;
};

class ResourceView {
 public:
  const AttributeViews& attributes() const { return attributes_.get(); }

 private:
  friend class MetricsRequestView;
  Children<KeyValueView> attributes_;
};

class ResourceMetricsView {
 public:
  const ResourceView& resource() const { return resource_; }
  const std::span<const ScopeMetricsView>& scope_metrics() const { return scopes_.get(); }

 private:
  friend class MetricsRequestView;
  ResourceView resource_;
  Children<ScopeMetricsView> scopes_;
};

// One request's views. Reused from one request to the next, its pools keep their memory.
class MetricsRequestView {
 public:
  // Reads `bytes` (an ExportMetricsServiceRequest), which must outlive the views; false when
  // the generated classes are to read it (see above).
  bool decode(std::string_view bytes);
  const std::span<const ResourceMetricsView>& resource_metrics() const { return resources_.get(); }

 private:
  class Reader;
  void link();

  std::vector<KeyValueView> attributes_;
  std::vector<NumberPointView> numbers_;
  std::vector<HistogramPointView> histograms_;
  std::vector<MetricView> metrics_;
  std::vector<ScopeMetricsView> scopes_;
  std::vector<ResourceMetricsView> resource_pool_;
  Children<ResourceMetricsView> resources_;
};

}  // namespace agentmetrics::intake
