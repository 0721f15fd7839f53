// Inline feedback: an agent that says "[cass: helpful b-8f3a2c]" or "[cass: harmful ap-1d2e3f]"
// in its answer grades that rule (cass_memory's markers). A marker counts once per session and
// rule, like every grade, and only for a rule the session was given (session_rules.h): text the
// agent merely read and repeated (a file, a web page) cannot grade a rule it was never shown.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "collector/learning/playbook.h"

namespace agentmetrics::learning {

struct FeedbackMarker {
  std::string rule_id;
  FeedbackKind kind = FeedbackKind::kHelpful;
};

// The markers in `text`, in order, the first of each rule only. Case and spaces inside the
// brackets are free ("[ CASS: Helpful b-8f3a2c ]"); anything else is not a marker.
std::vector<FeedbackMarker> feedback_markers(std::string_view text);

}  // namespace agentmetrics::learning
