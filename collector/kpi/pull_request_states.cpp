#include "collector/kpi/pull_request_states.h"

#include <algorithm>
#include <map>

namespace agentmetrics::kpi {
namespace {

void take_latest(std::optional<double>& field, const std::optional<double>& value) {
  if (value) field = value;
}

void take_earliest(std::optional<double>& field, const std::optional<double>& value) {
  if (value) field = field ? std::min(*field, *value) : *value;
}

void apply(PullRequestState& s, const PullRequestEvent& e) {
  take_latest(s.opened, e.opened);
  take_latest(s.merged, e.merged);
  take_latest(s.lines, e.lines);
  take_earliest(s.ready, e.ready);
  take_earliest(s.first_review, e.first_review);
}

}  // namespace

std::optional<double> PullRequestState::review_requested() const {
  if (ready && first_review && *ready <= *first_review) return ready;
  return opened;
}

std::vector<PullRequestState> pull_request_states(std::span<const PullRequestEvent> events) {
  std::vector<PullRequestState> states;
  std::map<std::string, std::size_t> by_id;
  for (const PullRequestEvent& e : events) {
    if (!e.id) {
      apply(states.emplace_back(), e);
      continue;
    }
    const auto [it, added] = by_id.try_emplace(*e.id, states.size());
    if (added) states.emplace_back();
    apply(states[it->second], e);
  }
  return states;
}

}  // namespace agentmetrics::kpi
