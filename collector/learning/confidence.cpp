#include "collector/learning/confidence.h"

#include <algorithm>
#include <cmath>

namespace agentmetrics::learning {

double ConfidenceModel::decayed(double confidence, double since, double now) const {
  const double age_days = std::max(0.0, now - since) / kSecondsPerDay;
  return confidence * std::pow(0.5, age_days / half_life_days);
}

double ConfidenceModel::after_helpful(double confidence, double weight) const {
  return std::min(max_confidence, confidence + helpful_step * weight);
}

double ConfidenceModel::after_harmful(double confidence, double weight) const { return std::max(0.0, confidence - harmful_step * weight); }

bool ConfidenceModel::should_invert(double helpful, double harmful) const {
  // A small tolerance: weights of 1/n add up to 2.9999... for three thirds.
  return harmful + 1e-9 >= invert_min_harmful && harmful > invert_ratio * helpful;
}

Maturity maturity(double helpful, double harmful, bool retired) {
  if (retired) return Maturity::kDeprecated;
  const double total = helpful + harmful;
  if (total < 3.0 - 1e-9) return Maturity::kCandidate;
  const double harmful_share = harmful / total;
  if (harmful_share > 0.3) return Maturity::kDeprecated;
  if (helpful >= 10.0 && harmful_share < 0.1) return Maturity::kProven;
  return Maturity::kEstablished;
}

std::string_view to_string(Maturity m) {
  switch (m) {
    case Maturity::kCandidate: return "candidate";
    case Maturity::kEstablished: return "established";
    case Maturity::kProven: return "proven";
    case Maturity::kDeprecated: return "deprecated";
  }
  return "candidate";
}

}  // namespace agentmetrics::learning
