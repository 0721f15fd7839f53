// The one error the report parsers throw: which file (or repository), which line, what is wrong.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

namespace agentmetrics::ingest {

struct IngestError : std::runtime_error {
  // `line` is 1-based; 0 when the problem has no line (a missing file, a git failure).
  IngestError(std::string file_, std::size_t line_, std::string message_)
      : std::runtime_error(file_ + (line_ > 0 ? ":" + std::to_string(line_) : std::string()) + ": " + message_),
        file(std::move(file_)),
        line(line_),
        message(std::move(message_)) {}

  std::string file;
  std::size_t line;
  std::string message;
};

}  // namespace agentmetrics::ingest
