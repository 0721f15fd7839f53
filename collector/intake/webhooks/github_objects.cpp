#include "collector/intake/webhooks/github_objects.h"

#include "collector/intake/webhooks/deployment_fact.h"
#include "collector/intake/webhooks/forge_time.h"
#include "collector/intake/webhooks/issue_fact.h"
#include "collector/intake/webhooks/payload_fields.h"
#include "collector/intake/webhooks/pull_request_fact.h"
#include "collector/intake/webhooks/pushed_commits.h"

namespace agentmetrics::intake {
namespace {

using json = nlohmann::json;

PullRequestStep step_of(PullRequestStep::What what, const std::string& repository, const json& pr) {
  PullRequestStep s = pull_request_step(what, repository, id_member(pr, "number"), '#', forge_time(pr, "created_at").value_or(0));
  const auto additions = number_member(pr, "additions");
  const auto deletions = number_member(pr, "deletions");
  if (additions && deletions) s.lines = *additions + *deletions;
  s.author = text_member(object_member(pr, "user"), "login");
  return s;
}

// The conclusion of a run as (success, failure type); empty for one that neither passed nor
// failed (cancelled, skipped, neutral, stale, action_required).
std::optional<std::pair<bool, std::string>> run_result(const std::string& conclusion) {
  if (conclusion == "success") return std::pair(true, std::string());
  if (conclusion == "failure" || conclusion == "timed_out" || conclusion == "startup_failure") return std::pair(false, conclusion);
  return std::nullopt;
}

// A finished run or suite as a pipeline fact.
ForgeFacts pipeline_run(const std::string& repository, std::string key, const std::string& stage, const json& run,
                        const char* started_key) {
  if (text_member(run, "status") != "completed") return no_facts(repository, "a run that has not completed");
  const std::string conclusion = text_member(run, "conclusion");
  const auto result = run_result(conclusion);
  if (!result) return no_facts(repository, "a run concluded " + (conclusion.empty() ? std::string("with nothing") : conclusion));
  const auto started = forge_time(run, started_key);
  const auto finished = forge_time(run, "updated_at");
  if (!started || !finished) return no_facts(repository, "a run without its times");
  ForgeFact f = make_fact(std::move(key), ipc::OutcomeKind::kPipeline, *finished);
  set_text(f.event, "stage", stage.empty() ? "pipeline" : stage);
  set_text(f.event, "repository", repository);
  f.event.fields["success"] = result->first;
  f.event.fields["duration_seconds"] = *finished - *started;
  set_text(f.event, "failure_type", result->second);
  return {repository, {std::move(f)}, {}};
}

}  // namespace

std::string github_repository_name(const json& repository) { return text_member(repository, "full_name"); }

ForgeFacts github_pull_request_opened(const std::string& repository, const json& pr, bool at_opening, const ForgeContext& context) {
  PullRequestStep s = step_of(PullRequestStep::What::kOpened, repository, pr);
  s.at = s.opened;
  auto fact = pull_request_fact(s, context);
  // Opened ready for review: the wait for a review starts now.
  if (fact && at_opening && !flag_member(pr, "draft", true)) fact->event.fields["ready"] = s.opened;
  return single_fact(repository, std::move(fact), "a pull request without its number or creation time");
}

ForgeFacts github_pull_request_ready(const std::string& repository, const json& pr, const ForgeContext& context) {
  PullRequestStep s = step_of(PullRequestStep::What::kReady, repository, pr);
  s.at = forge_time(pr, "updated_at").value_or(0);
  return single_fact(repository, pull_request_fact(s, context), "a pull request without its number or times");
}

ForgeFacts github_pull_request_merged(const std::string& repository, const json& pr, const ForgeContext& context) {
  const auto merged = forge_time(pr, "merged_at");
  if (!merged) return no_facts(repository, "a pull request closed without being merged");
  PullRequestStep s = step_of(PullRequestStep::What::kMerged, repository, pr);
  s.at = *merged;
  return single_fact(repository, pull_request_fact(s, context), "a pull request without its number or creation time");
}

ForgeFacts github_review(const std::string& repository, const json& pr, const json& review, const ForgeContext& context) {
  const std::string reviewer = text_member(object_member(review, "user"), "login");
  if (!reviewer.empty() && reviewer == text_member(object_member(pr, "user"), "login")) {
    return no_facts(repository, "a review by the pull request's author");
  }
  PullRequestStep s = step_of(PullRequestStep::What::kReviewed, repository, pr);
  s.at = forge_time(review, "submitted_at").value_or(0);
  s.review_id = id_member(review, "id");
  if (s.review_id.empty()) return no_facts(repository, "a review without an id");
  return single_fact(repository, pull_request_fact(s, context), "a review without its pull request's number or times");
}

ForgeFacts github_workflow_run(const std::string& repository, const json& run, const std::string& workflow_name, const ForgeContext&) {
  const std::string id = id_member(run, "id");
  if (id.empty()) return no_facts(repository, "a workflow run without an id");
  const std::string attempt = id_member(run, "run_attempt");
  return pipeline_run(repository, repository + " workflow_run " + id + " attempt " + (attempt.empty() ? "1" : attempt),
                      text_member(run, "name").empty() ? workflow_name : text_member(run, "name"), run,
                      member(run, "run_started_at") ? "run_started_at" : "created_at");
}

ForgeFacts github_check_suite(const std::string& repository, const json& suite, const ForgeContext&) {
  const json& app = object_member(suite, "app");
  if (text_member(app, "slug") == "github-actions") return no_facts(repository, "a GitHub Actions suite, counted as its workflow runs");
  const std::string id = id_member(suite, "id");
  if (id.empty()) return no_facts(repository, "a check suite without an id");
  const std::string slug = text_member(app, "slug");
  return pipeline_run(repository, repository + " check_suite " + id, slug.empty() ? text_member(app, "name") : slug, suite, "created_at");
}

ForgeFacts github_deployment_status(const std::string& repository, const json& deployment, const json& status,
                                    const ForgeContext& context) {
  const std::string state = text_member(status, "state");
  if (state != "success" && state != "failure" && state != "error") return no_facts(repository, "a deployment " + state);
  const std::string id = id_member(status, "id");
  if (id.empty()) return no_facts(repository, "a deployment status without an id");
  FinishedDeployment d;
  d.key = repository + " deployment_status " + id;
  d.repository = repository;
  d.environment = text_member(status, "environment");
  if (d.environment.empty()) d.environment = text_member(deployment, "environment");
  d.sha = text_member(deployment, "sha");
  d.success = state == "success";
  d.at = forge_time(status, "created_at").value_or(0);
  return single_fact(repository, deployment_fact(d, context),
                     "a deployment to an environment not kept (webhooks.environments), or without its time");
}

ForgeFacts github_issue(const std::string& repository, const json& issue, const std::string& action, const ForgeContext& context) {
  if (member(issue, "pull_request")) return no_facts(repository, "a pull request's issue");
  bool bug = false;
  if (const json* labels = member(issue, "labels"); labels && labels->is_array()) {
    for (const auto& label : *labels) bug = bug || context.settings.is_bug_label(text_member(label, "name"));
  }
  if (!bug) return no_facts(repository, "an issue without a bug label");
  const double created = forge_time(issue, "created_at").value_or(0);
  IssueStep::What what = IssueStep::What::kDetected;
  double at = created;
  if (action == "closed") {
    // Closed as not planned (a duplicate, not a bug after all) resolves nothing.
    if (text_member(issue, "state_reason") == "not_planned") return no_facts(repository, "an issue closed as not planned");
    what = IssueStep::What::kResolved;
    at = forge_time(issue, "closed_at").value_or(0);
  } else if (action == "reopened") {
    what = IssueStep::What::kReopened;
    at = forge_time(issue, "updated_at").value_or(0);
  } else if (action != "opened" && action != "labeled" && action != "transferred") {
    return no_facts(repository, "an issue " + action);
  }
  const IssueStep s = issue_step(what, repository, id_member(issue, "number"), created, at, text_member(issue, "body"));
  return single_fact(repository, issue_fact(s, context), "an issue without its number or times");
}

ForgeFacts github_push(const json& push, const ForgeContext& context) {
  const std::string repository = github_repository_name(object_member(push, "repository"));
  if (flag_member(push, "deleted")) return no_facts(repository, "a branch deleted");
  return pushed_commits(repository, text_member(push, "ref"), text_member(push, "after"),
                        member(push, "commits") ? push["commits"] : json(), context);
}

}  // namespace agentmetrics::intake
