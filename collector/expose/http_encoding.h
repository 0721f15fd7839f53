// Content negotiation and compression for /metrics.
#pragma once

#include <string>
#include <string_view>

#include <zlib.h>

namespace agentmetrics::collector {

// True when the Accept header prefers OpenMetrics over the text format (by q-value; a tie goes
// to OpenMetrics, which a scraper only lists when it can parse it).
bool prefers_openmetrics(std::string_view accept);
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
