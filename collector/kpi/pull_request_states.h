// A pull request's state from its events. A forge reports a pull request piece by piece (opened,
// marked ready, reviewed, merged), each event carrying what it knows, so of one id's events
// each field is taken from the latest that has it; the first review and the moment it was made
// ready are the earliest given. Events without an id are each a pull request of their own.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace agentmetrics::kpi {

struct PullRequestEvent {
  std::optional<std::string> id;
  std::optional<double> opened, ready, first_review, merged, lines;
};

struct PullRequestState {
  std::optional<double> opened, ready, first_review, merged, lines;
  // When it was waiting for review: when made ready if that came before the first review,
  // else when opened.
  std::optional<double> review_requested() const;
};

// `events` in the order they happened (then as stored).
std::vector<PullRequestState> pull_request_states(std::span<const PullRequestEvent> events);

}  // namespace agentmetrics::kpi
