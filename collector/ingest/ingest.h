// One entry point for every report format, as the command-line tool names them.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/outcome_event.h"

namespace agentmetrics::ingest {

// "junit", "lcov", "cobertura", "sarif", "git".
std::span<const std::string_view> ingest_formats();

// The events of the report at `path` (for "git", the repository at `path`, all its history).
// Throws std::invalid_argument listing the formats for an unknown `format`, IngestError for a
// report that cannot be read; returns either every event of the report or throws.
std::vector<ipc::OutcomeEvent> ingest(std::string_view format, const std::string& path);

}  // namespace agentmetrics::ingest
