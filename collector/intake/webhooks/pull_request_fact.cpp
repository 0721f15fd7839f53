#include "collector/intake/webhooks/pull_request_fact.h"

namespace agentmetrics::intake {

PullRequestStep pull_request_step(PullRequestStep::What what, const std::string& repository, const std::string& number, char separator,
                                  double opened) {
  PullRequestStep s;
  s.what = what;
  s.repository = repository;
  s.number = number;
  s.id = repository + separator + number;
  s.opened = opened;
  return s;
}

std::optional<ForgeFact> pull_request_fact(const PullRequestStep& step, const ForgeContext& context) {
  if (step.at <= 0 || step.opened <= 0 || step.number.empty()) return std::nullopt;
  using What = PullRequestStep::What;
  std::string key = step.repository + " pull " + step.number + " ";
  switch (step.what) {
    case What::kOpened: key += "opened"; break;
    // A pull request can go back to draft and be made ready again: each time is a step.
    case What::kReady: key += "ready " + std::to_string(static_cast<long long>(step.at)); break;
    case What::kReviewed: key += "review " + step.review_id; break;
    case What::kMerged: key += "merged"; break;
  }
  ForgeFact f = make_fact(std::move(key), ipc::OutcomeKind::kPullRequest, step.at);
  auto& fields = f.event.fields;
  set_text(f.event, "id", step.id);
  set_text(f.event, "repository", step.repository);
  fields["opened"] = step.opened;
  if (step.lines) fields["lines_changed"] = *step.lines;
  if (step.what == What::kReady) fields["ready"] = step.at;
  if (step.what == What::kReviewed) fields["first_review"] = step.at;
  if (step.what == What::kMerged) fields["merged"] = step.at;
  if (context.settings.keep_authors) set_text(f.event, "author", step.author);
  return f;
}

}  // namespace agentmetrics::intake
