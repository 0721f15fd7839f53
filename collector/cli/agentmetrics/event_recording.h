// Writes outcome events through this process's segment, as any instrumented program does, and
// says what happened in the way the command line reports it.
#pragma once

#include <string>

#include "agentmetrics/agentmetrics.hpp"
#include "ipc/outcome_event.h"

namespace agentmetrics::cli {

// The event as the client library records it.
Event to_client_event(const ipc::OutcomeEvent& event);
// Records it; on a drop prints why on stderr and returns false.
bool record_or_explain(const Event& event);

}  // namespace agentmetrics::cli
