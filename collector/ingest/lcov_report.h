// lcov tracefiles (.info, as lcov --capture and geninfo write them) to one coverage event.
#pragma once

#include <string>
#include <vector>

#include "ipc/outcome_event.h"

namespace agentmetrics::ingest {

// One coverage event from the tracefile at `path`: lines_total and lines_covered count the
// instrumented lines (DA records) and those executed at least once, a source file listed in
// several records counted once, as lcov --summary does; a record without DA lines counts its
// LF and LH instead. percent = 100 * lines_covered / lines_total. The event's time is now.
// Throws IngestError naming the file and line for an unknown record, a malformed DA, LF or LH
// value, a record without end_of_record, or a file with no instrumented line.
std::vector<ipc::OutcomeEvent> ingest_lcov(const std::string& path);

}  // namespace agentmetrics::ingest
