#include "collector/expose/protobuf_exposition.h"

#include <io/prometheus/client/metrics.pb.h>

#include "collector/aggregate/label_text.h"

namespace agentmetrics::collector {
namespace pb = io::prometheus::client;
namespace {

void append_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

// MetricFamily's field 4 (repeated Metric), as protobuf encodes a length-delimited field.
constexpr char kMetricFieldTag = (4 << 3) | 2;

// Dense counts from `first` as spans and deltas: runs of buckets that hold something, a gap of
// up to two empty buckets kept inside a span (cheaper than a new span), as client_golang does.
void append_spans(const std::vector<std::uint64_t>& counts, std::int32_t first, google::protobuf::RepeatedPtrField<pb::BucketSpan>* spans,
                  google::protobuf::RepeatedField<std::int64_t>* deltas) {
  std::int64_t previous = 0;
  std::int32_t span_end = 0;  // index after the last bucket of the current span
  pb::BucketSpan* span = nullptr;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    if (counts[k] == 0) continue;
    const std::int32_t index = first + static_cast<std::int32_t>(k);
    if (!span || index - span_end > 2) {
      const std::int32_t offset = span ? index - span_end : index;
      span = spans->Add();
      span->set_offset(offset);
      span->set_length(0);
    } else {
      for (; span_end < index; ++span_end) {
        deltas->Add(-previous);
        previous = 0;
        span->set_length(span->length() + 1);
      }
    }
    const auto count = static_cast<std::int64_t>(counts[k]);
    deltas->Add(count - previous);
    previous = count;
    span->set_length(span->length() + 1);
    span_end = index + 1;
  }
}

void set_native(pb::Histogram& h, const ExponentialBuckets& native) {
  h.set_schema(native.schema);
  h.set_zero_threshold(native.zero_threshold);
  h.set_zero_count(native.zero_count);
  append_spans(native.positive, native.positive_first, h.mutable_positive_span(), h.mutable_positive_delta());
  append_spans(native.negative, native.negative_first, h.mutable_negative_span(), h.mutable_negative_delta());
  // A native histogram with nothing in it yet and no zero threshold: a span of no buckets says
  // it is native all the same.
  if (h.positive_span_size() == 0 && h.negative_span_size() == 0 && native.zero_threshold <= 0) {
    auto* noop = h.add_positive_span();
    noop->set_offset(0);
    noop->set_length(0);
  }
  h.set_sample_count(native.count());
}

pb::MetricType to_proto(ipc::MetricType type) {
  switch (type) {
    case ipc::MetricType::kCounter: return pb::COUNTER;
    case ipc::MetricType::kGauge: return pb::GAUGE;
    case ipc::MetricType::kHistogram: return pb::HISTOGRAM;
  }
  return pb::UNTYPED;
}

pb::MetricType to_proto(prometheus::MetricType type) {
  switch (type) {
    case prometheus::MetricType::Counter: return pb::COUNTER;
    case prometheus::MetricType::Gauge: return pb::GAUGE;
    case prometheus::MetricType::Summary: return pb::SUMMARY;
    case prometheus::MetricType::Histogram: return pb::HISTOGRAM;
    default: return pb::UNTYPED;
  }
}

}  // namespace

struct ProtobufWriter::Messages {
  pb::MetricFamily header;  // name, help and type: the family message without its metrics
  pb::Metric metric;
  std::string metrics;  // the family's metrics as encoded fields

  void begin(const std::string& name, const std::string& help, pb::MetricType type) {
    header.Clear();
    header.set_name(name);
    if (!help.empty()) header.set_help(help);
    header.set_type(type);
    metrics.clear();
  }
  void add_metric() {
    metrics += kMetricFieldTag;
    append_varint(metrics, metric.ByteSizeLong());
    metric.AppendToString(&metrics);
  }
  // One length-delimited MetricFamily: the header's fields, then the metrics' (fields of one
  // message may come in any order and pieces), handed on in pieces with `after_piece` between
  // them, so that `out` (and the chunk the listener copies it into) stays at the scrape's chunk
  // size: only this family's encoded metrics are held whole, for the length in front of them.
  void end(std::string& out, const std::function<void()>& after_piece) {
    static constexpr std::size_t kPiece = 64 * 1024;
    append_varint(out, header.ByteSizeLong() + metrics.size());
    header.AppendToString(&out);
    for (std::size_t at = 0; at < metrics.size(); at += kPiece) {
      out.append(metrics, at, kPiece);
      if (after_piece) after_piece();
    }
    if (metrics.empty() && after_piece) after_piece();
  }
};

ProtobufWriter::ProtobufWriter() : m_(std::make_unique<Messages>()) {}
ProtobufWriter::~ProtobufWriter() = default;

void ProtobufWriter::write(const RegisteredFamily& family, SeriesReader& reader, std::string& out,
                           const std::function<void()>& after_series) {
  m_->begin(family.decl.name, family.decl.help, to_proto(family.decl.type));
  pb::Metric& metric = m_->metric;
  reader.for_each(family, [&](const MergedSeries& s) {
    metric.Clear();
    for_each_label(s.labels, [&](std::string_view name, std::string_view value) {
      auto* pair = metric.add_label();
      pair->set_name(std::string(name));
      pair->set_value(std::string(value));
    });
    switch (family.decl.type) {
      case ipc::MetricType::kCounter: metric.mutable_counter()->set_value(s.value); break;
      case ipc::MetricType::kGauge: metric.mutable_gauge()->set_value(s.value); break;
      case ipc::MetricType::kHistogram: {
        pb::Histogram& h = *metric.mutable_histogram();
        h.set_sample_count(s.count);
        h.set_sample_sum(s.sum);
        if (family.classic_buckets()) {
          // The +Inf bucket is optional in this format: it is the sample count.
          std::uint64_t cumulative = 0;
          for (std::size_t b = 0; b < family.decl.buckets.size() && b < s.buckets.size(); ++b) {
            cumulative += s.buckets[b];
            auto* bucket = h.add_bucket();
            bucket->set_cumulative_count(cumulative);
            bucket->set_upper_bound(family.decl.buckets[b]);
          }
        }
        if (s.native) set_native(h, *s.native);
        break;
      }
    }
    m_->add_metric();
  });
  m_->end(out, after_series);
}

void ProtobufWriter::write(const prometheus::MetricFamily& family, std::string& out, const std::function<void()>& after_series) {
  m_->begin(family.name, family.help, to_proto(family.type));
  pb::Metric& metric = m_->metric;
  for (const auto& m : family.metric) {
    metric.Clear();
    for (const auto& l : m.label) {
      auto* pair = metric.add_label();
      pair->set_name(l.name);
      pair->set_value(l.value);
    }
    if (m.timestamp_ms != 0) metric.set_timestamp_ms(m.timestamp_ms);
    switch (family.type) {
      case prometheus::MetricType::Counter: metric.mutable_counter()->set_value(m.counter.value); break;
      case prometheus::MetricType::Gauge: metric.mutable_gauge()->set_value(m.gauge.value); break;
      case prometheus::MetricType::Summary: {
        pb::Summary& s = *metric.mutable_summary();
        s.set_sample_count(m.summary.sample_count);
        s.set_sample_sum(m.summary.sample_sum);
        for (const auto& q : m.summary.quantile) {
          auto* quantile = s.add_quantile();
          quantile->set_quantile(q.quantile);
          quantile->set_value(q.value);
        }
        break;
      }
      case prometheus::MetricType::Histogram: {
        pb::Histogram& h = *metric.mutable_histogram();
        h.set_sample_count(m.histogram.sample_count);
        h.set_sample_sum(m.histogram.sample_sum);
        for (const auto& b : m.histogram.bucket) {
          auto* bucket = h.add_bucket();
          bucket->set_cumulative_count(b.cumulative_count);
          bucket->set_upper_bound(b.upper_bound);
        }
        break;
      }
      default: metric.mutable_untyped()->set_value(m.untyped.value); break;
    }
    m_->add_metric();
  }
  m_->end(out, after_series);
}

}  // namespace agentmetrics::collector
