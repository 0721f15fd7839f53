#include "collector/ingest/cobertura_report.h"

#include <cstring>

#include "collector/common/unix_time.h"
#include "collector/ingest/report_values.h"
#include "collector/ingest/xml_report.h"

namespace agentmetrics::ingest {
namespace {

// A timestamp above this many seconds (year 5138) must be in milliseconds.
constexpr double kLargestSecondsTimestamp = 1e11;

double report_time(const XmlReport& report, pugi::xml_node coverage) {
  const auto stamp = report.number(coverage, "timestamp");
  if (!stamp || *stamp <= 0) return unix_now();
  return *stamp > kLargestSecondsTimestamp ? *stamp / 1000 : *stamp;
}

}  // namespace

std::vector<ipc::OutcomeEvent> ingest_cobertura(const std::string& path) {
  const XmlReport report(path);
  const pugi::xml_node coverage = report.root();
  if (std::strcmp(coverage.name(), "coverage") != 0) {
    report.fail(coverage, std::string("the root element is <") + coverage.name() + ">, not <coverage>");
  }
  ipc::OutcomeEvent event;
  event.kind = ipc::OutcomeKind::kCoverage;
  event.time = report_time(report, coverage);

  const auto covered = report.count(coverage, "lines-covered");
  const auto valid = report.count(coverage, "lines-valid");
  if (covered.has_value() != valid.has_value()) {
    report.fail(coverage, "<coverage> has only one of lines-covered and lines-valid");
  }
  if (valid) {
    if (*valid == 0) report.fail(coverage, "no instrumented lines: lines-valid is 0");
    if (*covered > *valid) report.fail(coverage, "lines-covered is more than lines-valid");
    event.fields["percent"] = 100.0 * *covered / *valid;
    event.fields["lines_covered"] = *covered;
    event.fields["lines_total"] = *valid;
  } else {
    const auto rate = report.number(coverage, "line-rate");
    if (!rate) report.fail(coverage, "<coverage> has neither lines-valid nor line-rate");
    if (*rate > 1) report.fail(coverage, "line-rate is more than 1");
    event.fields["percent"] = 100.0 * *rate;
  }
  std::vector<ipc::OutcomeEvent> events{std::move(event)};
  require_valid_events(path, events);
  return events;
}

}  // namespace agentmetrics::ingest
