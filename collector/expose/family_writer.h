// One exposition format, written a family at a time: the producers' families straight from the
// shards (one series at a time, its label text as admitted), and the collector's own families
// from prometheus-cpp's model. Each format (prometheus_text.h, openmetrics_text.h,
// protobuf_exposition.h) implements it; scrape.h drives it.
#pragma once

#include <prometheus/metric_family.h>

#include <functional>
#include <string>

#include "collector/aggregate/family_registry.h"
#include "collector/aggregate/series_reader.h"

namespace agentmetrics::collector {

class FamilyWriter {
 public:
  virtual ~FamilyWriter() = default;
  // Appends a producers' family and its series to `out`. `after_series`, when given, is called
  // whenever the bytes written so far may be sent (after each series in the text formats).
  virtual void write(const RegisteredFamily& family, SeriesReader& reader, std::string& out,
                     const std::function<void()>& after_series = nullptr) = 0;
  // Appends one of the collector's own families.
  virtual void write(const prometheus::MetricFamily& family, std::string& out, const std::function<void()>& after_series = nullptr) = 0;
  // Appends what ends a body (OpenMetrics' # EOF).
  virtual void finish(std::string& out) { (void)out; }
};

}  // namespace agentmetrics::collector
