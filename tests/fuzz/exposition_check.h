// An oracle for the fuzz targets that render what they decoded: every line of a Prometheus
// text (0.0.4) or OpenMetrics body must be well formed. A producer's names and label values
// may be refused or escaped, never emitted so that a scraper misreads them.
#pragma once

#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_support.h"
#include "ipc/names.h"

namespace agentmetrics::fuzz {

inline bool exposition_label_name(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

inline bool exposition_value(std::string_view s) {
  if (s == "Nan" || s == "NaN" || s == "+Inf" || s == "-Inf") return true;
  if (s.empty()) return false;
  const std::string copy(s);
  char* end = nullptr;
  std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size();
}

// Escaped text up to `stop` (a closing quote, or the end of a HELP line): only \\, \" and \n
// escapes. Returns the position after the text or npos.
inline std::size_t escaped_text(std::string_view line, std::size_t at, bool quoted, bool allow_quote_escape) {
  std::string raw;
  while (at < line.size()) {
    const char c = line[at];
    if (quoted && c == '"') break;
    // OpenMetrics HELP text may hold a double quote only escaped.
    if (!quoted && allow_quote_escape && c == '"') return std::string_view::npos;
    if (c == '\\') {
      if (at + 1 >= line.size()) return std::string_view::npos;
      const char e = line[at + 1];
      if (e == '\\' || e == 'n' || (allow_quote_escape && e == '"')) {
        raw += e == 'n' ? '\n' : e;
        at += 2;
        continue;
      }
      return std::string_view::npos;
    }
    raw += c;
    ++at;
  }
  if (quoted && at >= line.size()) return std::string_view::npos;
  if (!ipc::is_valid_utf8_text(raw) && !raw.empty()) return std::string_view::npos;
  return at;
}

inline void check_sample_line(std::string_view line, const std::string& body) {
  std::size_t at = 0;
  while (at < line.size() && line[at] != '{' && line[at] != ' ') ++at;
  if (!ipc::is_valid_metric_name(line.substr(0, at))) fail("bad metric name in line", std::string(line) + "\n--- body ---\n" + body);
  if (at < line.size() && line[at] == '{') {
    ++at;
    while (at < line.size() && line[at] != '}') {
      const std::size_t eq = line.find('=', at);
      if (eq == std::string_view::npos || !exposition_label_name(line.substr(at, eq - at))) fail("bad label name", std::string(line));
      if (eq + 1 >= line.size() || line[eq + 1] != '"') fail("label value not quoted", std::string(line));
      const std::size_t close = escaped_text(line, eq + 2, true, true);
      if (close == std::string_view::npos) fail("bad label value", std::string(line));
      at = close + 1;
      if (at < line.size() && line[at] == ',') ++at;
    }
    if (at >= line.size()) fail("labels not closed", std::string(line));
    ++at;
  }
  if (at >= line.size() || line[at] != ' ') fail("no value", std::string(line));
  std::string_view rest = line.substr(at + 1);
  // An optional timestamp (not written by agentmetricsd, accepted by the format).
  if (const auto space = rest.find(' '); space != std::string_view::npos) rest = rest.substr(0, space);
  if (!exposition_value(rest)) fail("bad sample value", std::string(line));
}

// Checks a whole body; `openmetrics` requires the final "# EOF".
inline void check_exposition(const std::string& body, bool openmetrics) {
  if (!body.empty() && body.back() != '\n') fail("body does not end with a newline");
  std::size_t start = 0;
  bool saw_eof = false;
  while (start < body.size()) {
    const std::size_t end = body.find('\n', start);
    const std::string_view line(body.data() + start, end - start);
    start = end + 1;
    if (saw_eof) fail("text after # EOF");
    if (line.empty()) fail("empty line in exposition");
    if (line == "# EOF") {
      saw_eof = true;
      continue;
    }
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ") || line.starts_with("# UNIT ")) {
      const std::size_t name_end = line.find(' ', 7);
      const std::string_view name = line.substr(7, name_end == std::string_view::npos ? std::string_view::npos : name_end - 7);
      if (!ipc::is_valid_metric_name(name)) fail("bad family name", std::string(line));
      if (line.starts_with("# TYPE ")) {
        const std::string_view type = name_end == std::string_view::npos ? std::string_view() : line.substr(name_end + 1);
        if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" && type != "untyped" && type != "unknown") {
          fail("bad type", std::string(line));
        }
      } else if (name_end != std::string_view::npos && escaped_text(line, name_end + 1, false, openmetrics) == std::string_view::npos) {
        fail("bad help text", std::string(line));
      }
      continue;
    }
    if (line.starts_with("#")) fail("unknown comment line", std::string(line));
    check_sample_line(line, body);
  }
  if (openmetrics && !saw_eof) fail("OpenMetrics body without # EOF");
}

}  // namespace agentmetrics::fuzz
