#include "collector/intake/webhooks/gitlab_deliveries.h"

#include <array>
#include <string>
#include <utility>

#include "collector/intake/webhooks/deployment_fact.h"
#include "collector/intake/webhooks/forge_time.h"
#include "collector/intake/webhooks/issue_fact.h"
#include "collector/intake/webhooks/payload_fields.h"
#include "collector/intake/webhooks/pull_request_fact.h"
#include "collector/intake/webhooks/pushed_commits.h"

namespace agentmetrics::intake {
namespace {

using json = nlohmann::json;

constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kEvents = {{{"Merge Request Hook", "merge_request"},
                                                                                   {"Pipeline Hook", "pipeline"},
                                                                                   {"Deployment Hook", "deployment"},
                                                                                   {"Issue Hook", "issue"},
                                                                                   {"Push Hook", "push"}}};

// The change of a boolean attribute in the payload's "changes" (previous -> current).
bool changed(const json& payload, const char* attribute, bool from, bool to) {
  const json& change = object_member(object_member(payload, "changes"), attribute);
  return flag_member(change, "previous", !from) == from && flag_member(change, "current", !to) == to;
}

bool has_bug_label(const json& labels, const ForgeContext& context) {
  if (!labels.is_array()) return false;
  for (const auto& label : labels) {
    if (context.settings.is_bug_label(text_member(label, "title"))) return true;
  }
  return false;
}

ForgeFacts merge_request(const std::string& repository, const json& payload, const ForgeContext& context) {
  const json& mr = object_member(payload, "object_attributes");
  const std::string action = text_member(mr, "action");
  PullRequestStep s =
      pull_request_step(PullRequestStep::What::kOpened, repository, id_member(mr, "iid"), '!', forge_time(mr, "created_at").value_or(0));
  s.author = text_member(object_member(payload, "user"), "username");
  const double updated = forge_time(mr, "updated_at").value_or(0);
  const bool draft = flag_member(mr, "draft", flag_member(mr, "work_in_progress"));
  if (action == "open") {
    s.at = s.opened;
    auto fact = pull_request_fact(s, context);
    if (fact && !draft) fact->event.fields["ready"] = s.opened;
    return single_fact(repository, std::move(fact), "a merge request without its number or creation time");
  }
  if (action == "update" && (changed(payload, "draft", true, false) || changed(payload, "work_in_progress", true, false))) {
    s.what = PullRequestStep::What::kReady;
    s.at = updated;
    return single_fact(repository, pull_request_fact(s, context), "a merge request without its number or times");
  }
  if (action == "approved" || action == "approval") {
    // An approval is GitLab's review; its author is the approver, never the merge request's.
    s.what = PullRequestStep::What::kReviewed;
    s.at = updated;
    s.review_id = "approval " + id_member(object_member(payload, "user"), "id") + " " + std::to_string(static_cast<long long>(updated));
    s.author.clear();
    return single_fact(repository, pull_request_fact(s, context), "an approval without its merge request's number or times");
  }
  if (action == "merge") {
    s.what = PullRequestStep::What::kMerged;
    s.at = forge_time(mr, "merged_at").value_or(updated);
    return single_fact(repository, pull_request_fact(s, context), "a merge without its merge request's number or times");
  }
  return no_facts(repository, "a merge request " + (action.empty() ? std::string("without an action") : action));
}

ForgeFacts pipeline(const std::string& repository, const json& payload) {
  const json& p = object_member(payload, "object_attributes");
  const std::string status = text_member(p, "status");
  if (status != "success" && status != "failed") return no_facts(repository, "a pipeline " + status);
  const std::string id = id_member(p, "id");
  const auto created = forge_time(p, "created_at");
  const auto finished = forge_time(p, "finished_at");
  if (id.empty() || !created || !finished) return no_facts(repository, "a pipeline without its id or times");
  // A pipeline retried after failing finishes again: each finish is a run.
  ForgeFact f = make_fact(repository + " pipeline " + id + " " + status + " " + std::to_string(static_cast<long long>(*finished)),
                          ipc::OutcomeKind::kPipeline, *finished);
  const bool success = status == "success";
  std::string stage = text_member(p, "name");
  std::string failure;
  if (!success) {
    // The stage that failed: its first failed job that was not allowed to fail.
    if (const json* builds = member(payload, "builds"); builds && builds->is_array()) {
      for (const auto& build : *builds) {
        if (text_member(build, "status") != "failed" || flag_member(build, "allow_failure")) continue;
        stage = text_member(build, "stage");
        failure = text_member(build, "failure_reason");
        break;
      }
    }
    if (failure.empty()) failure = "failed";
  }
  set_text(f.event, "stage", stage.empty() ? "pipeline" : stage);
  set_text(f.event, "repository", repository);
  f.event.fields["success"] = success;
  f.event.fields["duration_seconds"] = number_member(p, "duration").value_or(*finished - *created);
  set_text(f.event, "failure_type", failure);
  return {repository, {std::move(f)}, {}};
}

ForgeFacts deployment(const std::string& repository, const json& payload, const ForgeContext& context) {
  const std::string status = text_member(payload, "status");
  if (status != "success" && status != "failed") return no_facts(repository, "a deployment " + status);
  FinishedDeployment d;
  d.key = repository + " deployment " + id_member(payload, "deployment_id") + " " + status;
  d.repository = repository;
  d.environment = text_member(payload, "environment");
  // The full hash is the last part of commit_url; short_sha otherwise.
  const std::string url = text_member(payload, "commit_url");
  d.sha = url.substr(url.rfind('/') + 1);
  if (d.sha.size() != 40) d.sha = text_member(payload, "short_sha");
  d.success = status == "success";
  d.at = forge_time(payload, "status_changed_at").value_or(0);
  if (id_member(payload, "deployment_id").empty()) return no_facts(repository, "a deployment without an id");
  return single_fact(repository, deployment_fact(d, context),
                     "a deployment to an environment not kept (webhooks.environments), or without its time");
}

ForgeFacts issue(const std::string& repository, const json& payload, const ForgeContext& context) {
  const json& i = object_member(payload, "object_attributes");
  const json* labels = member(i, "labels");
  if (!labels) labels = member(payload, "labels");
  if (!labels || !has_bug_label(*labels, context)) return no_facts(repository, "an issue without a bug label");
  const std::string action = text_member(i, "action");
  const double created = forge_time(i, "created_at").value_or(0);
  IssueStep::What what = IssueStep::What::kDetected;
  double at = created;
  if (action == "close") {
    what = IssueStep::What::kResolved;
    at = forge_time(i, "closed_at").value_or(forge_time(i, "updated_at").value_or(0));
  } else if (action == "reopen") {
    what = IssueStep::What::kReopened;
    at = forge_time(i, "updated_at").value_or(0);
  } else if (action != "open" && action != "update") {
    return no_facts(repository, "an issue " + (action.empty() ? std::string("without an action") : action));
  }
  const IssueStep s = issue_step(what, repository, id_member(i, "iid"), created, at, text_member(i, "description"));
  return single_fact(repository, issue_fact(s, context), "an issue without its number or times");
}

}  // namespace

std::string_view gitlab_event_label(std::string_view event_header) {
  for (const auto& [header, label] : kEvents) {
    if (header == event_header) return label;
  }
  return "other";
}

ForgeFacts gitlab_delivery_facts(const json& payload, const ForgeContext& context) {
  const std::string repository = text_member(object_member(payload, "project"), "path_with_namespace");
  const std::string kind = text_member(payload, "object_kind");
  if (kind == "merge_request") return merge_request(repository, payload, context);
  if (kind == "pipeline") return pipeline(repository, payload);
  if (kind == "deployment") return deployment(repository, payload, context);
  if (kind == "issue") return issue(repository, payload, context);
  if (kind == "push") {
    return pushed_commits(repository, text_member(payload, "ref"), text_member(payload, "after"),
                          member(payload, "commits") ? payload["commits"] : json(), context);
  }
  return no_facts(repository,
                  "the event " + (kind.empty() ? std::string("without an object_kind") : kind) + " is not one that is recorded");
}

}  // namespace agentmetrics::intake
