#include "collector/cli/agentmetrics/event_recording.h"

#include <cstdio>

namespace agentmetrics::cli {

Event to_client_event(const ipc::OutcomeEvent& e) {
  Event event(ipc::find_kind(e.kind)->name);
  for (const auto& field : e.fields) {
    std::visit([&](const auto& v) { event.set(field.first, v); }, field.second);
  }
  event.at(e.time);
  return event;
}

bool record_or_explain(const Event& event) {
  if (event.record()) return true;
  const std::string why = last_error();
  std::fprintf(stderr, "agentmetrics: the event was not written: %s\n",
               why.empty() ? "the ring was full (the collector is not keeping up)" : why.c_str());
  return false;
}

}  // namespace agentmetrics::cli
