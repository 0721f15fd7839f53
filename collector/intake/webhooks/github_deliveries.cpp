#include "collector/intake/webhooks/github_deliveries.h"

#include <array>
#include <string>

#include "collector/intake/webhooks/github_objects.h"
#include "collector/intake/webhooks/payload_fields.h"

namespace agentmetrics::intake {
namespace {

constexpr std::array<std::string_view, 8> kEvents = {
    "pull_request", "pull_request_review", "workflow_run", "check_suite", "deployment_status", "issues", "push", "ping"};

}  // namespace

std::string_view github_event_label(std::string_view event) {
  for (const std::string_view known : kEvents) {
    if (known == event) return known;
  }
  return "other";
}

ForgeFacts github_delivery_facts(std::string_view event, const nlohmann::json& payload, const ForgeContext& context) {
  const std::string repository = github_repository_name(object_member(payload, "repository"));
  const std::string action = text_member(payload, "action");
  if (event == "pull_request") {
    const nlohmann::json& pr = object_member(payload, "pull_request");
    if (action == "opened") return github_pull_request_opened(repository, pr, true, context);
    if (action == "ready_for_review") return github_pull_request_ready(repository, pr, context);
    if (action == "closed") return github_pull_request_merged(repository, pr, context);
  } else if (event == "pull_request_review") {
    if (action == "submitted") {
      return github_review(repository, object_member(payload, "pull_request"), object_member(payload, "review"), context);
    }
  } else if (event == "workflow_run") {
    if (action == "completed") {
      return github_workflow_run(repository, object_member(payload, "workflow_run"),
                                 text_member(object_member(payload, "workflow"), "name"), context);
    }
  } else if (event == "check_suite") {
    if (action == "completed") return github_check_suite(repository, object_member(payload, "check_suite"), context);
  } else if (event == "deployment_status") {
    return github_deployment_status(repository, object_member(payload, "deployment"), object_member(payload, "deployment_status"), context);
  } else if (event == "issues") {
    return github_issue(repository, object_member(payload, "issue"), action, context);
  } else if (event == "push") {
    return github_push(payload, context);
  } else {
    return no_facts(repository, "the event " + std::string(github_event_label(event)) + " is not one that is recorded");
  }
  return no_facts(repository, std::string(event) + " " + (action.empty() ? std::string("without an action") : action) + " records nothing");
}

}  // namespace agentmetrics::intake
