// The collector's own text-format writer against prometheus-cpp's TextSerializer: the same
// bytes for the same families, on randomly generated families with awkward values and labels.
// Where the two differ on purpose (HELP escaping), the test says so.
#include <prometheus/text_serializer.h>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <sstream>

#include "collector/expose/prometheus_text.h"

using namespace agentmetrics::collector;

namespace {

class FamilyGenerator {
 public:
  explicit FamilyGenerator(unsigned seed) : rng_(seed) {}

  std::vector<prometheus::MetricFamily> families(int count) {
    std::vector<prometheus::MetricFamily> out;
    for (int i = 0; i < count; ++i) out.push_back(family(i));
    return out;
  }

 private:
  prometheus::MetricFamily family(int i) {
    prometheus::MetricFamily f;
    f.name = "family_" + std::to_string(i);
    f.help = pick(4) == 0 ? "" : "Help text " + std::to_string(i) + " with (punctuation), 'quotes' and \"doubles\" and ünïcode";
    const prometheus::MetricType types[] = {prometheus::MetricType::Counter, prometheus::MetricType::Gauge,
                                            prometheus::MetricType::Histogram, prometheus::MetricType::Summary,
                                            prometheus::MetricType::Untyped};
    f.type = types[pick(5)];
    const std::size_t labels = pick(4);
    const std::size_t series = pick(6);
    for (std::size_t s = 0; s < series; ++s) f.metric.push_back(metric(f.type, labels));
    return f;
  }

  prometheus::ClientMetric metric(prometheus::MetricType type, std::size_t labels) {
    prometheus::ClientMetric m;
    for (std::size_t l = 0; l < labels; ++l) m.label.push_back({"label_" + std::to_string(l), label_value()});
    if (pick(10) == 0) m.timestamp_ms = static_cast<std::int64_t>(pick(1u << 30)) * 1000;
    switch (type) {
      case prometheus::MetricType::Counter: m.counter.value = std::fabs(value()); break;
      case prometheus::MetricType::Gauge: m.gauge.value = value(); break;
      case prometheus::MetricType::Untyped: m.untyped.value = value(); break;
      case prometheus::MetricType::Summary:
        m.summary.sample_count = pick(1u << 31);
        m.summary.sample_sum = value();
        for (double q : {0.5, 0.9, 0.99}) m.summary.quantile.push_back({q, value()});
        break;
      case prometheus::MetricType::Histogram: {
        std::uint64_t cumulative = 0;
        double bound = 0.001 * static_cast<double>(1 + pick(5));
        const std::size_t buckets = 1 + pick(8);
        for (std::size_t b = 0; b < buckets; ++b) {
          cumulative += pick(1000);
          m.histogram.bucket.push_back({cumulative, bound});
          bound *= 2.5 + static_cast<double>(pick(3));
        }
        // Half end in an explicit +Inf bucket, half leave it to the writer.
        if (pick(2) == 0) m.histogram.bucket.push_back({cumulative + pick(10), std::numeric_limits<double>::infinity()});
        m.histogram.sample_count = m.histogram.bucket.back().cumulative_count;
        m.histogram.sample_sum = std::fabs(value());
        break;
      }
    }
    return m;
  }

  double value() {
    switch (pick(12)) {
      case 0: return std::numeric_limits<double>::quiet_NaN();
      case 1: return pick(2) ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
      case 2: return pick(2) ? 0.0 : -0.0;
      case 3: return static_cast<double>(pick(1u << 31));
      case 4: return std::ldexp(static_cast<double>(pick(1u << 31)), static_cast<int>(pick(40)));  // large whole numbers
      case 5: return 1e15 * static_cast<double>(pick(100));
      default: {
        std::uniform_real_distribution<double> mantissa(-10, 10);
        std::uniform_int_distribution<int> exponent(-300, 300);
        return mantissa(rng_) * std::pow(10.0, exponent(rng_) / (pick(3) + 1));
      }
    }
  }

  std::string label_value() {
    static const std::string alphabet = "abcXYZ019 _-.:/\\\"\n{}=,\xc3\xa9";
    std::string v;
    const std::size_t n = pick(12);
    for (std::size_t i = 0; i < n; ++i) v += alphabet[pick(static_cast<std::uint32_t>(alphabet.size()))];
    return v;
  }

  std::uint32_t pick(std::uint32_t n) { return std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng_); }

  std::mt19937 rng_;
};

std::string prometheus_cpp_text(const std::vector<prometheus::MetricFamily>& families) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace

TEST(TextExposition, WritesWhatPrometheusCppWritesByteForByte) {
  for (unsigned seed = 1; seed <= 200; ++seed) {
    const auto families = FamilyGenerator(seed).families(12);
    const std::string ours = render_text(families);
    const std::string theirs = prometheus_cpp_text(families);
    ASSERT_EQ(ours, theirs) << "seed " << seed;
  }
}

TEST(TextExposition, WritesNumbersLikePrintfPercent16g) {
  prometheus::MetricFamily f;
  f.name = "n";
  f.type = prometheus::MetricType::Gauge;
  for (double v : {0.1, 1e21, 123456789.123456789, 3.0, 1e-7, -0.0, 1e16, 12345678901234567.0, 999999999999999.0, 1e15, -2.5e-300,
                   std::numeric_limits<double>::max(), std::numeric_limits<double>::denorm_min()}) {
    prometheus::ClientMetric m;
    m.gauge.value = v;
    f.metric.push_back(m);
  }
  EXPECT_EQ(render_text({f}), prometheus_cpp_text({f}));
  EXPECT_NE(render_text({f}).find("n 1e+21\n"), std::string::npos);
  EXPECT_NE(render_text({f}).find("n -0\n"), std::string::npos);
}

TEST(TextExposition, EscapesHelpWherePrometheusCppDoesNot) {
  prometheus::MetricFamily f;
  f.name = "x";
  f.help = "line one\nline two \\ backslash";
  f.type = prometheus::MetricType::Gauge;
  // The text format escapes backslash and newline in HELP; TextSerializer writes them raw, which
  // breaks the line. Ours stays one line.
  EXPECT_EQ(render_text({f}), "# HELP x line one\\nline two \\\\ backslash\n# TYPE x gauge\n");
  EXPECT_NE(prometheus_cpp_text({f}), render_text({f}));
}
