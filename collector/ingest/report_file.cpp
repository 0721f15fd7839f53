#include "collector/ingest/report_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "collector/ingest/ingest_error.h"

namespace agentmetrics::ingest {

std::string read_report_file(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec) throw IngestError(path, 0, "cannot read the file: " + ec.message());
  // Checked before opening so that a FIFO or a device cannot block or feed us forever.
  if (!std::filesystem::is_regular_file(status)) throw IngestError(path, 0, "not a regular file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw IngestError(path, 0, "cannot read the file: " + ec.message());
  if (size > kMaxReportBytes) {
    throw IngestError(
        path, 0,
        "the file has " + std::to_string(size) + " bytes, more than the " + std::to_string(kMaxReportBytes) + " a report may have");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IngestError(path, 0, std::string("cannot open the file: ") + std::strerror(errno));
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  // A file that shrank while being read is read as far as it goes.
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) throw IngestError(path, 0, "cannot read the file");
  return text;
}

std::size_t line_at(std::string_view text, std::size_t offset) {
  std::size_t at = std::min(offset, text.size());
  // The end of a file that ends with a newline is still on its last line, not on a new one.
  if (at == text.size() && at > 0 && text[at - 1] == '\n') --at;
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

}  // namespace agentmetrics::ingest
