// Who gets the credit or the blame for a task's outcome, among the rules injected into it.
//
// Success: every injected rule gets a helpful signal of weight 1 (credit is cheap to give:
// a wrong helpful signal moves a rule a quarter as much as a wrong harmful one).
// Failure: blame goes only to the rules related to what failed. A failure that says where it
// failed (its stage and/or failure type, other than "unknown") counts harmful, with weight 1,
// for each injected rule related to it; rules unrelated to it are left alone, and if none is
// related nobody is blamed. A rule is related when its scope (the stage or failure type it was
// learned from) or one of its tags equals the failure's stage or failure type, or when its
// content mentions them (every word of the failure type, or the stage's word; plurals count).
// A failure that says nothing of where it failed spreads one harmful signal over the n rules:
// weight 1/n each.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "collector/learning/playbook.h"

namespace agentmetrics::learning {

struct FailureContext {
  std::string stage;         // empty or "unknown": not known
  std::string failure_type;  // empty or "unknown": not known
  bool known() const;
};

bool relates_to(const Bullet& bullet, const FailureContext& failure);

// The harmful weight of each rule (same order as `rules`); 0 for rules not blamed.
std::vector<double> blame_failure(const std::vector<Bullet>& rules, const FailureContext& failure);

}  // namespace agentmetrics::learning
