// How the collector's log accounts for the lines of one message (collector/common/log.h): the
// lines written, and those its budget left out, as a later line of the message reports them
// (suppressed=N) or a summary line ("log lines suppressed" message=... count=N) does.
#pragma once

#include <cstddef>
#include <sstream>
#include <string>

namespace agentmetrics::testing {

struct LoggedLines {
  std::size_t written = 0;
  std::size_t left_out = 0;
};

namespace logged_lines_detail {
// The number after `key` in `line`, or 0 when the line has no such key.
inline std::size_t number_after(const std::string& line, const std::string& key) {
  const auto at = line.find(key);
  return at == std::string::npos ? 0 : std::stoul(line.substr(at + key.size()));
}
}  // namespace logged_lines_detail

// `log` in the default text format.
inline LoggedLines logged_lines(const std::string& log, const std::string& message) {
  LoggedLines n;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(" log lines suppressed ") != std::string::npos) {
      if (line.find("message=\"" + message + "\"") != std::string::npos) n.left_out += logged_lines_detail::number_after(line, " count=");
    } else if (line.find(" " + message) != std::string::npos) {
      ++n.written;
      n.left_out += logged_lines_detail::number_after(line, " suppressed=");
    }
  }
  return n;
}

}  // namespace agentmetrics::testing
