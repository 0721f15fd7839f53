// How much the playbook trusts a rule, and how that moves.
//
// A rule's confidence c (0..1) is stored with the time it was computed for. From then on it
// decays with a half-life (90 days): c(t) = c * 0.5^((t - t0) / half_life). Nothing but a
// confirmation stops the decay: helpful feedback, or a reflection that finds the rule's pattern
// again, raises c (and sets last_validated); harmful feedback lowers it by four times as much
// as helpful feedback raises it (the weight cass_memory gives harmful signals):
//   helpful(w): c = min(max_confidence, c + helpful_step * w)      helpful_step = 0.05
//   harmful(w): c = max(0, c - harmful_step * w)                   harmful_step = 0.20
// w is the share of the signal the rule gets (see blame.h). A rule whose weighted harmful
// count reaches 3 and is more than twice its helpful count is inverted into an anti-pattern;
// a rule whose confidence falls below retire_below (0.1) is retired, never deleted.
#pragma once

#include <string_view>

namespace agentmetrics::learning {

inline constexpr double kSecondsPerDay = 86400.0;

struct ConfidenceModel {
  double half_life_days = 90.0;
  double helpful_step = 0.05;
  double harmful_step = 0.20;
  double max_confidence = 0.99;
  double retire_below = 0.10;
  double invert_min_harmful = 3.0;
  double invert_ratio = 2.0;
  double stale_after_days = 90.0;  // not validated for this long: reported as stale

  // c, computed at `since`, as of `now` (no growth for now < since).
  double decayed(double confidence, double since, double now) const;
  double after_helpful(double confidence, double weight) const;
  double after_harmful(double confidence, double weight) const;
  bool should_invert(double helpful, double harmful) const;
};

// cass_memory's maturity, shown beside each rule: fewer than 3 signals: candidate; harmful
// share above 30% with 3 or more: deprecated (or any retired rule); 10 or more helpful with a
// harmful share below 10%: proven; else established.
enum class Maturity { kCandidate, kEstablished, kProven, kDeprecated };
Maturity maturity(double helpful, double harmful, bool retired);
std::string_view to_string(Maturity m);

}  // namespace agentmetrics::learning
