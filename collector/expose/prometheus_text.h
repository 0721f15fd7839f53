// Where the Prometheus text format 0.0.4 is written, from the families merge_shards.h makes.
#pragma once

#include <prometheus/metric_family.h>

#include <functional>
#include <string>
#include <vector>

namespace agentmetrics::collector {

// The Prometheus text format 0.0.4, byte for byte what prometheus-cpp's TextSerializer writes,
// except that HELP texts are escaped as the format requires (TextSerializer writes them raw).
// Appends to `out`, whose capacity a caller may keep from one scrape to the next. `after_sample`,
// when given, is called after each series, so that a caller can send `out` in pieces.
void render_text(const prometheus::MetricFamily& family, std::string& out, const std::function<void()>& after_sample = nullptr);
void render_text(const std::vector<prometheus::MetricFamily>& families, std::string& out);
inline std::string render_text(const std::vector<prometheus::MetricFamily>& families) {
  std::string out;
  render_text(families, out);
  return out;
}
inline constexpr const char* kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace agentmetrics::collector
