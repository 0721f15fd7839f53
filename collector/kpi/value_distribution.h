// The mean, median and 75th percentile of a KPI's per-item values (hours of lead time, lines of
// a pull request...): DORA reports medians, the specification means, and both are kept.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace agentmetrics::kpi {

struct Distribution {
  std::size_t count = 0;
  double mean = 0;
  double median = 0;
  double p75 = 0;
};

// Empty for no values. Quantiles interpolate linearly between the closest ranks (numpy's and
// Excel's PERCENTILE.INC default): the median of {1, 2, 3, 10} is 2.5, its p75 4.75.
std::optional<Distribution> distribution_of(std::vector<double> values);

// The q-quantile (0..1) of sorted, non-empty `values`, as above.
double quantile(const std::vector<double>& sorted, double q);

}  // namespace agentmetrics::kpi
