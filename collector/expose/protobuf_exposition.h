// The Prometheus protobuf exposition format: length-delimited io.prometheus.client.MetricFamily
// messages (Prometheus's own metrics.proto, compiled at build time), the one format that carries
// native histograms. A family's message is built series by series into a buffer of its own and
// appended whole, so a scrape's working set is one family.
#pragma once

#include <memory>

#include "collector/expose/family_writer.h"

namespace agentmetrics::collector {

inline constexpr const char* kProtobufContentType =
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

class ProtobufWriter final : public FamilyWriter {
 public:
  ProtobufWriter();
  ~ProtobufWriter() override;
  // `after_series` is called once the family's message is appended: a message is sent whole.
  void write(const RegisteredFamily& family, SeriesReader& reader, std::string& out,
             const std::function<void()>& after_series = nullptr) override;
  void write(const prometheus::MetricFamily& family, std::string& out, const std::function<void()>& after_series = nullptr) override;

 private:
  struct Messages;  // the generated classes, reused from series to series
  std::unique_ptr<Messages> m_;
};

}  // namespace agentmetrics::collector
