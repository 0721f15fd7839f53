// GitHub's objects (a pull request, a review, a workflow run, a check suite, a deployment and
// its status, an issue, a pushed commit) as facts. The webhooks' payloads and the REST API's
// answers carry the same objects, so the receiver and the backfill share these, and make the
// same facts under the same keys (docs/webhooks.md).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "collector/intake/webhooks/forge_context.h"
#include "collector/intake/webhooks/forge_fact.h"

namespace agentmetrics::intake {

// "owner/name" of a repository object (`full_name`).
std::string github_repository_name(const nlohmann::json& repository);

// The pull request as it was opened. `at_opening`: the object is as it was then (a webhook's
// "opened"), so a pull request that is not a draft was ready for review from the start; the REST
// API gives today's draft flag, which says nothing of then.
ForgeFacts github_pull_request_opened(const std::string& repository, const nlohmann::json& pull_request, bool at_opening,
                                      const ForgeContext& context);
// Made ready for review (it was opened as a draft), at its updated_at.
ForgeFacts github_pull_request_ready(const std::string& repository, const nlohmann::json& pull_request, const ForgeContext& context);
// Merged: its size, when opened and merged. A closed, unmerged one records nothing.
ForgeFacts github_pull_request_merged(const std::string& repository, const nlohmann::json& pull_request, const ForgeContext& context);
// A review submitted by someone other than the author: a first review candidate.
ForgeFacts github_review(const std::string& repository, const nlohmann::json& pull_request, const nlohmann::json& review,
                         const ForgeContext& context);
// A completed workflow run (GitHub Actions): a pipeline run, its stage the run's name, else
// `workflow_name` (a webhook's workflow object names it when the run does not).
ForgeFacts github_workflow_run(const std::string& repository, const nlohmann::json& run, const std::string& workflow_name,
                               const ForgeContext& context);
// A completed check suite of an app other than GitHub Actions (whose runs are workflow runs).
ForgeFacts github_check_suite(const std::string& repository, const nlohmann::json& suite, const ForgeContext& context);
// A deployment status that ends a deployment (success, failure, error).
ForgeFacts github_deployment_status(const std::string& repository, const nlohmann::json& deployment, const nlohmann::json& status,
                                    const ForgeContext& context);
// An issue carrying a bug label: detected when opened (or labelled), resolved when closed as
// completed, unresolved again when reopened. `action`: opened, labeled, reopened or closed.
ForgeFacts github_issue(const std::string& repository, const nlohmann::json& issue, const std::string& action, const ForgeContext& context);
// The commits of a push to a branch, each a commit event of that push.
ForgeFacts github_push(const nlohmann::json& push, const ForgeContext& context);

}  // namespace agentmetrics::intake
