// Content negotiation and compression for /metrics.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace agentmetrics::collector {

enum class ScrapeFormat { kText, kOpenMetrics, kProtobuf };

// The format an Accept header prefers among those served: the Prometheus protobuf format
// (application/vnd.google.protobuf with proto=io.prometheus.client.MetricFamily and
// encoding=delimited), OpenMetrics when `openmetrics` allows it, else the text format. By
// q-value; a tie goes to the more capable format, which a scraper lists only when it can parse it.
ScrapeFormat negotiate_format(std::string_view accept, bool openmetrics);
// True when Accept-Encoding allows gzip: listed and not q=0, or not listed and "*" is (RFC 9110).
bool accepts_gzip(std::string_view accept_encoding);
// One gzip member (RFC 1952) written in pieces, for a body sent in chunks. Compressed by ISA-L's
// igzip at its level 1, not zlib: zlib's default level was most of a gzipped scrape's CPU time,
// and igzip compresses the same text 20-37 times faster, for a body about 30% larger (a
// twentieth of the text or less either way; docs/benchmarks.md, Scrape cost, has the figures).
class GzipStream {
 public:
  GzipStream();
  ~GzipStream();
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;
  // Compresses `data` and appends what is ready to `out`; with `finish`, the rest and the gzip
  // trailer, after which the stream takes no more. Throws std::runtime_error if igzip fails.
  void write(std::string_view data, bool finish, std::string& out);

 private:
  struct State;  // igzip's stream and its level buffer, about 160 KiB: on the heap
  std::unique_ptr<State> state_;
};

}  // namespace agentmetrics::collector
