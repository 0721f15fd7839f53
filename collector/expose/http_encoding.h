// Content negotiation and compression for /metrics.
#pragma once

#include <string>
#include <string_view>

#include <zlib.h>

namespace agentmetrics::collector {

enum class ScrapeFormat { kText, kOpenMetrics, kProtobuf };

// The format an Accept header prefers among those served: the Prometheus protobuf format
// (application/vnd.google.protobuf with proto=io.prometheus.client.MetricFamily and
// encoding=delimited), OpenMetrics when `openmetrics` allows it, else the text format. By
// q-value; a tie goes to the more capable format, which a scraper lists only when it can parse it.
ScrapeFormat negotiate_format(std::string_view accept, bool openmetrics);
// True when Accept-Encoding allows gzip: listed and not q=0, or not listed and "*" is (RFC 9110).
bool accepts_gzip(std::string_view accept_encoding);
// A gzip member (RFC 1952) holding `data`. Throws std::runtime_error if zlib fails.
// `out` is replaced; its capacity is reused.
void gzip_compress(std::string_view data, std::string& out);

// One gzip member written in pieces, for a body sent in chunks.
class GzipStream {
 public:
  GzipStream();  // throws std::runtime_error if zlib cannot start
  ~GzipStream();
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;
  // Compresses `data` and appends what zlib has ready to `out`; with `finish`, the rest and the
  // gzip trailer.
  void write(std::string_view data, bool finish, std::string& out);

 private:
  z_stream z_{};
};
inline std::string gzip_compress(std::string_view data) {
  std::string out;
  gzip_compress(data, out);
  return out;
}

}  // namespace agentmetrics::collector
