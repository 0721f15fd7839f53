#include "collector/intake/webhooks/issue_fact.h"

#include <cctype>

#include "collector/common/header_text.h"

namespace agentmetrics::intake {
namespace {

// Bodies are bounded by the request size; only the first part is searched.
constexpr std::size_t kBodySearched = 64 * 1024;

}  // namespace

std::string root_cause_commit(const std::string& body) {
  const std::string text = ascii_lower(std::string_view(body).substr(0, kBodySearched));
  for (std::size_t at = text.find("root"); at != std::string::npos; at = text.find("root", at + 1)) {
    std::size_t i = at + 4;
    if (i < text.size() && (text[i] == ' ' || text[i] == '-' || text[i] == '_')) ++i;
    if (text.compare(i, 5, "cause") != 0) continue;
    i += 5;
    for (int skipped = 0; skipped < 3 && i < text.size() && !std::isalnum(static_cast<unsigned char>(text[i])); ++skipped) ++i;
    std::size_t end = i;
    while (end < text.size() && std::isxdigit(static_cast<unsigned char>(text[end]))) ++end;
    const bool whole_word = end == text.size() || !std::isalnum(static_cast<unsigned char>(text[end]));
    if (end - i >= 7 && end - i <= 40 && whole_word) return text.substr(i, end - i);
  }
  return {};
}

IssueStep issue_step(IssueStep::What what, const std::string& repository, const std::string& number, double created, double at,
                     std::string body) {
  IssueStep s;
  s.what = what;
  s.repository = repository;
  s.number = number;
  s.id = repository + "#" + number;
  s.created = created;
  s.at = at;
  s.body = std::move(body);
  return s;
}

std::optional<ForgeFact> issue_fact(const IssueStep& step, const ForgeContext& context) {
  if (step.created <= 0 || step.at <= 0 || step.number.empty()) return std::nullopt;
  using What = IssueStep::What;
  std::string key = step.repository + " issue " + step.number + " ";
  switch (step.what) {
    case What::kDetected: key += "detected"; break;
    // An issue can be closed and reopened again: each time is a fact.
    case What::kResolved: key += "resolved " + std::to_string(static_cast<long long>(step.at)); break;
    case What::kReopened: key += "reopened " + std::to_string(static_cast<long long>(step.at)); break;
  }
  ForgeFact f = make_fact(std::move(key), ipc::OutcomeKind::kBug, step.at);
  set_text(f.event, "id", step.id);
  set_text(f.event, "repository", step.repository);
  f.event.fields["detected"] = step.created;
  if (step.what == What::kResolved) f.event.fields["resolved"] = step.at;
  if (const std::string sha = root_cause_commit(step.body); !sha.empty()) {
    if (const auto introduced = context.history.commit_time(step.repository, sha, step.created)) f.event.fields["introduced"] = *introduced;
  }
  return f;
}

}  // namespace agentmetrics::intake
