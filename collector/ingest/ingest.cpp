#include "collector/ingest/ingest.h"

#include <array>
#include <stdexcept>

#include "collector/ingest/cobertura_report.h"
#include "collector/ingest/git_history.h"
#include "collector/ingest/junit_report.h"
#include "collector/ingest/lcov_report.h"
#include "collector/ingest/sarif_report.h"

namespace agentmetrics::ingest {
namespace {

constexpr std::array<std::string_view, 5> kFormats = {"junit", "lcov", "cobertura", "sarif", "git"};

}  // namespace

std::span<const std::string_view> ingest_formats() { return kFormats; }

std::vector<ipc::OutcomeEvent> ingest(std::string_view format, const std::string& path) {
  if (format == "junit") return ingest_junit(path);
  if (format == "lcov") return ingest_lcov(path);
  if (format == "cobertura") return ingest_cobertura(path);
  if (format == "sarif") return ingest_sarif(path);
  if (format == "git") return ingest_git_history(path);
  std::string known;
  for (std::string_view f : kFormats) known += (known.empty() ? "" : ", ") + std::string(f);
  throw std::invalid_argument("unknown report format \"" + std::string(format) + "\" (known: " + known + ")");
}

}  // namespace agentmetrics::ingest
