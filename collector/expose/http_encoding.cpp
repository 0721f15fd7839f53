#include "collector/expose/http_encoding.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

#include "collector/common/header_text.h"

namespace agentmetrics::collector {
namespace {

// One element of a comma-separated header: its media range or coding, its q-value, and its
// other parameters as written (lower case, blanks trimmed, ';' between them).
struct Element {
  std::string_view range;
  double q = 1.0;
  std::string params;
};

// Calls visit(const Element&) for each element of a comma-separated header.
template <typename Visit>
void for_each_element(std::string_view header, Visit&& visit) {
  const std::string h = ascii_lower(header);
  std::string_view rest(h);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view element = trim_blanks(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    Element e;
    const auto semi = element.find(';');
    e.range = trim_blanks(element.substr(0, semi));
    if (semi != std::string_view::npos) {
      std::string_view params = element.substr(semi + 1);
      while (!params.empty()) {
        const auto next = params.find(';');
        const std::string_view param = trim_blanks(params.substr(0, next));
        if (param.starts_with("q=")) {
          e.q = std::strtod(std::string(param.substr(2)).c_str(), nullptr);
        } else if (!param.empty()) {
          e.params += ';';
          e.params += param;
        }
        params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
      }
    }
    visit(e);
  }
}

bool has_param(const std::string& params, std::string_view param) {
  for (std::size_t at = params.find(param); at != std::string::npos; at = params.find(param, at + 1)) {
    const std::size_t end = at + param.size();
    if (params[at - 1] == ';' && (end == params.size() || params[end] == ';')) return true;
  }
  return false;
}

}  // namespace

ScrapeFormat negotiate_format(std::string_view accept, bool openmetrics_allowed) {
  double protobuf = -1;
  double openmetrics = -1;
  double text = -1;
  for_each_element(accept, [&](const Element& e) {
    if (e.range == "application/vnd.google.protobuf" && has_param(e.params, "proto=io.prometheus.client.metricfamily") &&
        has_param(e.params, "encoding=delimited")) {
      protobuf = std::max(protobuf, e.q);
    }
    if (e.range == "application/openmetrics-text" && openmetrics_allowed) openmetrics = std::max(openmetrics, e.q);
    if (e.range == "text/plain" || e.range == "*/*" || e.range == "text/*") text = std::max(text, e.q);
  });
  if (protobuf > 0 && protobuf >= openmetrics && protobuf >= text) return ScrapeFormat::kProtobuf;
  if (openmetrics > 0 && openmetrics >= text) return ScrapeFormat::kOpenMetrics;
  return ScrapeFormat::kText;
}

bool accepts_gzip(std::string_view accept_encoding) {
  double gzip = -1;  // -1: not listed
  double any = -1;
  for_each_element(accept_encoding, [&](const Element& e) {
    if (e.range == "gzip" || e.range == "x-gzip") gzip = std::max(gzip, e.q);
    if (e.range == "*") any = std::max(any, e.q);
  });
  // "*" stands for every coding the header does not list (RFC 9110, 12.5.3).
  return gzip >= 0 ? gzip > 0 : any > 0;
}

void gzip_compress(std::string_view data, std::string& out) {
  z_stream z{};
  // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  out.resize(deflateBound(&z, static_cast<uLong>(data.size())));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
}

GzipStream::GzipStream() {
  // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
}

GzipStream::~GzipStream() { deflateEnd(&z_); }

void GzipStream::write(std::string_view data, bool finish, std::string& out) {
  z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z_.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  do {
    const std::size_t before = out.size();
    out.resize(before + 64 * 1024);
    z_.next_out = reinterpret_cast<Bytef*>(out.data() + before);
    z_.avail_out = 64 * 1024;
    rc = deflate(&z_, finish ? Z_FINISH : Z_NO_FLUSH);
    out.resize(out.size() - z_.avail_out);
    if (rc == Z_STREAM_ERROR) throw std::runtime_error("deflate failed");
  } while (z_.avail_out == 0 || (finish && rc != Z_STREAM_END));
}

}  // namespace agentmetrics::collector
