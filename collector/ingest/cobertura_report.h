// Cobertura XML coverage reports (gcovr --xml, coverage.py xml, JaCoCo-to-Cobertura...) to
// one coverage event.
#pragma once

#include <string>
#include <vector>

#include "ipc/outcome_event.h"

namespace agentmetrics::ingest {

// One coverage event from the report at `path`: lines_covered and lines_total are the
// lines-covered and lines-valid attributes of <coverage>, percent their ratio; a report
// without them (Cobertura 1.x) gives percent = 100 * line-rate and no counts. The event's
// time is the report's timestamp (seconds, or milliseconds as Cobertura itself writes),
// else now. Throws IngestError naming the file and line for malformed XML, another root
// element, malformed or inconsistent numbers, or a report with no instrumented line.
std::vector<ipc::OutcomeEvent> ingest_cobertura(const std::string& path);

}  // namespace agentmetrics::ingest
