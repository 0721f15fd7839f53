// The OpenMetrics 1.0 text format, which prometheus-cpp 1.0 does not write. Counters are
// announced without their _total suffix and sampled with it, and the body ends in "# EOF".
#pragma once

#include <prometheus/metric_family.h>

#include <functional>
#include <string>
#include <vector>

#include "collector/expose/family_writer.h"
#include "collector/expose/text_primitives.h"

namespace agentmetrics::collector {

inline constexpr const char* kOpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
inline constexpr const char* kOpenMetricsEnd = "# EOF\n";

// Appends to `out`, whose capacity a caller may keep from one scrape to the next. A body is its
// families, then kOpenMetricsEnd.
// `after_sample`, when given, is called after each series (see render_text).
void render_openmetrics(const prometheus::MetricFamily& family, std::string& out, const std::function<void()>& after_sample = nullptr);
void render_openmetrics(const std::vector<prometheus::MetricFamily>& families, std::string& out);
inline std::string render_openmetrics(const std::vector<prometheus::MetricFamily>& families) {
  std::string out;
  render_openmetrics(families, out);
  return out;
}

// The producers' families in OpenMetrics, written from the shards one series at a time.
class OpenMetricsWriter final : public FamilyWriter {
 public:
  void write(const RegisteredFamily& family, SeriesReader& reader, std::string& out,
             const std::function<void()>& after_series = nullptr) override;
  void write(const prometheus::MetricFamily& family, std::string& out, const std::function<void()>& after_series = nullptr) override {
    render_openmetrics(family, out, after_series);
  }
  void finish(std::string& out) override { out += kOpenMetricsEnd; }

 private:
  HistogramHeads heads_;  // reused from family to family
};

}  // namespace agentmetrics::collector
