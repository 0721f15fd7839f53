// The OpenMetrics 1.0 text format, which prometheus-cpp 1.0 does not write. Counters are
// announced without their _total suffix and sampled with it, and the body ends in "# EOF".
#pragma once

#include <prometheus/metric_family.h>

#include <functional>
#include <string>
#include <vector>

namespace agentmetrics::collector {

inline constexpr const char* kOpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

// Appends to `out`, whose capacity a caller may keep from one scrape to the next. A body is its
// families, then kOpenMetricsEnd.
// `after_sample`, when given, is called after each series (see render_text).
void render_openmetrics(const prometheus::MetricFamily& family, std::string& out, const std::function<void()>& after_sample = nullptr);
void render_openmetrics(const std::vector<prometheus::MetricFamily>& families, std::string& out);
inline constexpr const char* kOpenMetricsEnd = "# EOF\n";
inline std::string render_openmetrics(const std::vector<prometheus::MetricFamily>& families) {
  std::string out;
  render_openmetrics(families, out);
  return out;
}

}  // namespace agentmetrics::collector
