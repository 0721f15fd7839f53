// The Prometheus protobuf exposition format: length-delimited io.prometheus.client.MetricFamily
// messages (Prometheus's own metrics.proto, compiled at build time), the one format that carries
// native histograms. A family's metrics are encoded series by series into a buffer of its own
// (the message's length comes first), then handed on in pieces, so a scrape's working set is one
// family's encoded metrics.
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
  // `after_series` is called after each piece of the family's message once it is encoded whole.
  void write(const RegisteredFamily& family, SeriesReader& reader, std::string& out,
             const std::function<void()>& after_series = nullptr) override;
  void write(const prometheus::MetricFamily& family, std::string& out, const std::function<void()>& after_series = nullptr) override;

 private:
  struct Messages;  // the generated classes, reused from series to series
  std::unique_ptr<Messages> m_;
};

}  // namespace agentmetrics::collector
