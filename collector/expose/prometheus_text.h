// Where the Prometheus text format 0.0.4 is written: the producers' families straight from the
// shards (TextWriter), and the collector's own from prometheus-cpp's model (render_text).
#pragma once

#include <prometheus/metric_family.h>

#include <functional>
#include <string>
#include <vector>

#include "collector/expose/family_writer.h"
#include "collector/expose/text_primitives.h"

namespace agentmetrics::collector {

inline constexpr const char* kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

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

// The same bytes for the producers' families, written from the shards one series at a time.
class TextWriter final : public FamilyWriter {
 public:
  void write(const RegisteredFamily& family, SeriesReader& reader, std::string& out,
             const std::function<void()>& after_series = nullptr) override;
  void write(const prometheus::MetricFamily& family, std::string& out, const std::function<void()>& after_series = nullptr) override {
    render_text(family, out, after_series);
  }

 private:
  HistogramHeads heads_;  // reused from family to family
};

}  // namespace agentmetrics::collector
