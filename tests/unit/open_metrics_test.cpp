// The OpenMetrics 1.0 text rendering of hand-built prometheus-cpp metric families.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>

#include "collector/expose/prometheus_text.h"
#include "collector/expose/openmetrics_text.h"

using namespace agentmetrics::collector;
using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

namespace {

MetricFamily family(std::string name, std::string help, MetricType type, std::vector<ClientMetric> metrics) {
  return MetricFamily{std::move(name), std::move(help), type, std::move(metrics)};
}

ClientMetric counter(std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric m;
  m.label = std::move(labels);
  m.counter.value = value;
  return m;
}

ClientMetric gauge(double value) {
  ClientMetric m;
  m.gauge.value = value;
  return m;
}

ClientMetric histogram(std::vector<ClientMetric::Label> labels, std::vector<ClientMetric::Bucket> buckets, double sum) {
  ClientMetric m;
  m.label = std::move(labels);
  m.histogram.bucket = std::move(buckets);
  m.histogram.sample_count = m.histogram.bucket.back().cumulative_count;
  m.histogram.sample_sum = sum;
  return m;
}

}  // namespace

TEST(OpenMetrics, RendersCountersGaugesAndHistograms) {
  const std::string text = render_openmetrics({
      family("opencode_task_total", "Total tasks executed", MetricType::Counter,
             {counter({{"agent_type", "build"}, {"success", "true"}}, 5), counter({{"agent_type", "plan"}, {"success", "false"}}, 2)}),
      family("opencode_code_coverage_percent", "Code coverage percentage", MetricType::Gauge, {gauge(81.5)}),
      family("opencode_pipeline_duration_seconds", "Pipeline execution duration", MetricType::Histogram,
             {histogram({{"stage", "test"}}, {{1, 2.5}, {2, 60}, {3, INFINITY}}, 555.25)}),
  });
  EXPECT_EQ(text,
            "# TYPE opencode_task counter\n"
            "# HELP opencode_task Total tasks executed\n"
            "opencode_task_total{agent_type=\"build\",success=\"true\"} 5\n"
            "opencode_task_total{agent_type=\"plan\",success=\"false\"} 2\n"
            "# TYPE opencode_code_coverage_percent gauge\n"
            "# HELP opencode_code_coverage_percent Code coverage percentage\n"
            "opencode_code_coverage_percent 81.5\n"
            "# TYPE opencode_pipeline_duration_seconds histogram\n"
            "# HELP opencode_pipeline_duration_seconds Pipeline execution duration\n"
            "opencode_pipeline_duration_seconds_bucket{stage=\"test\",le=\"2.5\"} 1\n"
            "opencode_pipeline_duration_seconds_bucket{stage=\"test\",le=\"60\"} 2\n"
            "opencode_pipeline_duration_seconds_bucket{stage=\"test\",le=\"+Inf\"} 3\n"
            "opencode_pipeline_duration_seconds_count{stage=\"test\"} 3\n"
            "opencode_pipeline_duration_seconds_sum{stage=\"test\"} 555.25\n"
            "# EOF\n");
}

TEST(OpenMetrics, CounterWithoutTotalSuffixIsSampledWithIt) {
  const std::string text = render_openmetrics({family("lint_errors", "", MetricType::Counter, {counter({}, 3)})});
  EXPECT_EQ(text, "# TYPE lint_errors counter\nlint_errors_total 3\n# EOF\n");  // no help: no # HELP line
}

TEST(OpenMetrics, HistogramWithoutLabelsHasOnlyLe) {
  const std::string text =
      render_openmetrics({family("wait_seconds", "w", MetricType::Histogram, {histogram({}, {{0, 0.1}, {4, INFINITY}}, 0)})});
  EXPECT_NE(text.find("wait_seconds_bucket{le=\"0.1\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("wait_seconds_bucket{le=\"+Inf\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("wait_seconds_count 4\nwait_seconds_sum 0\n"), std::string::npos) << text;
}

// Prometheus 2 keeps `le` as a string: a bucket must carry the same one in both formats.
TEST(OpenMetrics, BucketBoundsAreWrittenAsInTheTextFormat) {
  const std::vector<MetricFamily> families{
      family("h", "h", MetricType::Histogram,
             {histogram({}, {{1, 0.005}, {2, 0.1 * 3}, {3, 2.5}, {4, 1e-7}, {5, 1e21}, {6, 1e15}, {7, INFINITY}}, 1)})};
  const std::regex le("le=\"([^\"]*)\"");
  auto bounds = [&](const std::string& text) {
    std::vector<std::string> found;
    for (std::sregex_iterator it(text.begin(), text.end(), le), end; it != end; ++it) found.push_back((*it)[1]);
    return found;
  };
  const auto om = bounds(render_openmetrics(families));
  EXPECT_EQ(om, bounds(render_text(families)));
  EXPECT_EQ(om, (std::vector<std::string>{"0.005", "0.3", "2.5", "1e-07", "1e+21", "1000000000000000", "+Inf"}));
}

TEST(OpenMetrics, SampleValuesAreExact) {
  const std::string text =
      render_openmetrics({family("a", "", MetricType::Gauge, {gauge(0.1)}), family("b", "", MetricType::Gauge, {gauge(0.1 + 0.2)})});
  EXPECT_NE(text.find("\na 0.1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nb 0.30000000000000004\n"), std::string::npos) << text;  // reads back as the same double
}

TEST(OpenMetrics, EscapesLabelValuesAndHelp) {
  const std::string text =
      render_openmetrics({family("x_total", "a \"quoted\\\" help\nline", MetricType::Counter, {counter({{"v", "a\"b\\c\nd"}}, 1)})});
  EXPECT_NE(text.find("# HELP x a \\\"quoted\\\\\\\" help\\nline\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_total{v=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos) << text;
}

TEST(OpenMetrics, SpecialValues) {
  const std::string text =
      render_openmetrics({family("g", "", MetricType::Gauge, {gauge(NAN)}), family("h", "", MetricType::Gauge, {gauge(-INFINITY)}),
                          family("k", "", MetricType::Gauge, {gauge(-3)})});
  EXPECT_EQ(text, "# TYPE g gauge\ng NaN\n# TYPE h gauge\nh -Inf\n# TYPE k gauge\nk -3\n# EOF\n");
}

TEST(OpenMetrics, BodyEndsWithOneEof) {
  EXPECT_EQ(render_openmetrics({}), "# EOF\n");
  const std::string text = render_openmetrics({family("up", "u", MetricType::Gauge, {gauge(1)})});
  ASSERT_TRUE(text.ends_with("\n# EOF\n")) << text;
  EXPECT_EQ(text.find("# EOF"), text.size() - 6);  // exactly one, at the very end
}
