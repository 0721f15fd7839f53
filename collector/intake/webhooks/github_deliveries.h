// A GitHub webhook delivery's payload as facts, by its event (X-GitHub-Event) and action:
//   pull_request         opened, ready_for_review, closed (merged)
//   pull_request_review  submitted
//   workflow_run         completed
//   check_suite          completed (apps other than GitHub Actions)
//   deployment_status    created (success, failure, error)
//   issues               opened, labeled, closed, reopened (with a bug label)
//   push                 to a branch
// Any other event or action records nothing (the receiver answers 202).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "collector/intake/webhooks/forge_context.h"
#include "collector/intake/webhooks/forge_fact.h"

namespace agentmetrics::intake {

ForgeFacts github_delivery_facts(std::string_view event, const nlohmann::json& payload, const ForgeContext& context);

// The event's name as a metric label: one of the events above, "ping", or "other".
std::string_view github_event_label(std::string_view event);

}  // namespace agentmetrics::intake
