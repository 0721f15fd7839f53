#include "collector/learning/blame.h"

#include <algorithm>
#include <set>

#include "collector/learning/text_tokens.h"

namespace agentmetrics::learning {
namespace {

bool informative(const std::string& label) { return !label.empty() && label != "unknown"; }

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::set<std::string> singular_words(std::string_view text) {
  std::set<std::string> out;
  for (const auto& w : tokenize(text)) out.insert(singular(w));
  return out;
}

bool mentions_all(const std::set<std::string>& words, std::string_view label) {
  const auto wanted = singular_words(label);
  if (wanted.empty()) return false;
  return std::all_of(wanted.begin(), wanted.end(), [&](const std::string& w) { return words.count(w) != 0; });
}

}  // namespace

bool FailureContext::known() const { return informative(stage) || informative(failure_type); }

bool relates_to(const Bullet& bullet, const FailureContext& failure) {
  const std::string stage = informative(failure.stage) ? lower(failure.stage) : std::string();
  const std::string type = informative(failure.failure_type) ? lower(failure.failure_type) : std::string();
  if (stage.empty() && type.empty()) return false;
  if (!stage.empty() && lower(bullet.scope.stage) == stage) return true;
  if (!type.empty() && lower(bullet.scope.failure_type) == type) return true;
  for (const auto& tag : bullet.tags) {
    const std::string t = lower(tag);
    if ((!stage.empty() && t == stage) || (!type.empty() && t == type)) return true;
  }
  const auto words = singular_words(bullet.content);
  return (!type.empty() && mentions_all(words, type)) || (!stage.empty() && mentions_all(words, stage));
}

std::vector<double> blame_failure(const std::vector<Bullet>& rules, const FailureContext& failure) {
  std::vector<double> weights(rules.size(), 0.0);
  if (rules.empty()) return weights;
  if (!failure.known()) {
    std::fill(weights.begin(), weights.end(), 1.0 / static_cast<double>(rules.size()));
    return weights;
  }
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (relates_to(rules[i], failure)) weights[i] = 1.0;
  }
  return weights;
}

}  // namespace agentmetrics::learning
