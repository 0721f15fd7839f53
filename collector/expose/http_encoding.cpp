#include "collector/expose/http_encoding.h"

#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

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

// Left uninitialised: isal_deflate_init sets up the stream and a new stream clears the hash table
// in the level buffer, so zeroing 160 KiB per scrape would be wasted.
struct GzipStream::State {
  isal_zstream z;
  // What level 1 needs beyond the stream: its hash table and the tokens of a block. The small
  // size (84 KiB; the default is 276 KiB) compressed scrapes as fast and as well in
  // exposition_bench.
  std::array<std::uint8_t, ISAL_DEF_LVL1_SMALL> level_buffer;
};

GzipStream::GzipStream() : state_(std::make_unique_for_overwrite<State>()) {
  isal_zstream& z = state_->z;
  isal_deflate_init(&z);
  z.level = 1;
  z.level_buf = state_->level_buffer.data();
  z.level_buf_size = static_cast<std::uint32_t>(state_->level_buffer.size());
  z.gzip_flag = IGZIP_GZIP;
}

GzipStream::~GzipStream() = default;

void GzipStream::write(std::string_view data, bool finish, std::string& out) {
  isal_zstream& z = state_->z;
  if (z.internal_state.state == ZSTATE_END) throw std::runtime_error("gzip stream already finished");
  // igzip counts in 32 bits: hand it at most 1 GiB at a time.
  constexpr std::size_t kMaxIn = std::size_t{1} << 30;
  constexpr std::size_t kRoom = 64 * 1024;
  do {
    const std::size_t in = std::min(data.size(), kMaxIn);
    z.next_in = reinterpret_cast<std::uint8_t*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<std::uint32_t>(in);
    z.end_of_stream = finish && in == data.size() ? 1 : 0;
    // Until igzip has taken all of `in` and, when finishing, written the trailer; a full output
    // buffer may hold back more.
    for (;;) {
      const std::size_t before = out.size();
      out.resize(before + kRoom);
      z.next_out = reinterpret_cast<std::uint8_t*>(out.data() + before);
      z.avail_out = static_cast<std::uint32_t>(kRoom);
      const std::uint32_t in_before = z.avail_in;
      const int rc = isal_deflate(&z);
      const bool moved = z.avail_in != in_before || z.avail_out != kRoom;
      out.resize(out.size() - z.avail_out);
      if (rc != COMP_OK) throw std::runtime_error("isal_deflate failed: " + std::to_string(rc));
      const bool more = z.avail_in > 0 || z.avail_out == 0 || (z.end_of_stream && z.internal_state.state != ZSTATE_END);
      if (!more) break;
      if (!moved) throw std::runtime_error("isal_deflate made no progress");
    }
    data.remove_prefix(in);
  } while (!data.empty());
}

}  // namespace agentmetrics::collector
