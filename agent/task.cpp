// The Task scope: the specification's executeTask instrumentation as an RAII object.
#include <stdexcept>

#include "agentmetrics/agentmetrics.hpp"
#include "agent/client.h"

namespace agentmetrics {

// The label values are checked when the task starts, so bad ones throw where the caller can
// see them and the destructor only records.
Task::Task(const std::string& agent_type, const std::string& task_type, const std::string& stage)
    : event_("task"), start_(std::chrono::steady_clock::now()) {
  event_.set("agent_type", agent_type).set("task_type", task_type).set("stage", stage);
}

Task::~Task() {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  try {
    event_.set("success", success_).set("duration_seconds", seconds).record();
  } catch (const std::exception&) {
    // Only an allocation failure can land here (every field was checked); a destructor must
    // not throw, and the lost event is one a full ring would also have lost.
    agent::Client::instance().count_local_drop();
  }
}

}  // namespace agentmetrics
