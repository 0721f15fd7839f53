// A GitLab webhook delivery's payload as facts, by its object_kind:
//   merge_request  open, update (made ready: draft to not draft), approved/approval, merge
//   pipeline       success, failed (the failed job's stage is the stage)
//   deployment     success, failed
//   issue          open, update (given a bug label), close, reopen (with a bug label)
//   push           to a branch
// Any other kind or action records nothing (the receiver answers 202). GitLab's payloads give
// no line counts for a merge request.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "collector/intake/webhooks/forge_context.h"
#include "collector/intake/webhooks/forge_fact.h"

namespace agentmetrics::intake {

ForgeFacts gitlab_delivery_facts(const nlohmann::json& payload, const ForgeContext& context);

// The event (X-Gitlab-Event, "Merge Request Hook") as a metric label: merge_request, pipeline,
// deployment, issue, push, or other.
std::string_view gitlab_event_label(std::string_view event_header);

}  // namespace agentmetrics::intake
