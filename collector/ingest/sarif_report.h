// SARIF 2.1.0 static-analysis logs (flawfinder --sarif, clang -fdiagnostics-format=sarif,
// CodeQL, Semgrep...) to one lint event.
#pragma once

#include <string>
#include <vector>

#include "ipc/outcome_event.h"

namespace agentmetrics::ingest {

// One lint event from the log at `path`, counting the results of every run by their level
// (errors, warnings, infos = "note"; "none" is not counted). A result without a level takes
// its rule's defaultConfiguration.level, else "warning"; one whose kind is not "fail" counts
// as "none" (SARIF 2.1.0, 3.27.9 and 3.27.10). Suppressed results (an accepted suppression)
// and results whose baselineState is "absent" are not counted. tool = runs[0].tool.driver.name.
// The event's time is runs[0].invocations[0].startTimeUtc (else endTimeUtc), else now.
// Throws IngestError naming the file, and the line of a JSON syntax error, when the file is
// not a SARIF 2.1.0 log; structural errors (line 0) name the JSON path instead.
std::vector<ipc::OutcomeEvent> ingest_sarif(const std::string& path);

}  // namespace agentmetrics::ingest
