// A step in a pull request's (GitHub) or merge request's (GitLab) life as a pull_request fact:
// opened, made ready for review, reviewed, merged. Each carries what that step knows; the KPI
// engine puts an id's steps together (collector/kpi/pull_request_states.h).
#pragma once

#include <optional>
#include <string>

#include "collector/intake/webhooks/forge_context.h"
#include "collector/intake/webhooks/forge_fact.h"

namespace agentmetrics::intake {

struct PullRequestStep {
  enum class What { kOpened, kReady, kReviewed, kMerged };
  What what = What::kOpened;
  std::string repository;
  std::string number;  // the forge's number in the repository (GitLab: iid)
  std::string id;      // as stored: "owner/name#12" (GitLab: "group/project!12")
  double at = 0;       // when the step happened
  double opened = 0;
  std::optional<double> lines;  // additions + deletions, when the forge says
  std::string review_id;        // kReviewed: the review, which keys the fact
  std::string author;           // kept only with keep_authors
};

// A step of pull request `number` of `repository`, whose id is the two joined by `separator`
// ('#' on GitHub, '!' on GitLab), opened at `opened`; `at` and the rest are the caller's.
PullRequestStep pull_request_step(PullRequestStep::What what, const std::string& repository, const std::string& number, char separator,
                                  double opened);

// Empty when its number or a time it needs is missing.
std::optional<ForgeFact> pull_request_fact(const PullRequestStep& step, const ForgeContext& context);

}  // namespace agentmetrics::intake
