// Reads a Prometheus text-format body into "name{labels}" -> value, the way a test wants to
// look values up. Labels are kept exactly as exposed (order and quoting).
#pragma once

#include <map>
#include <optional>
#include <string>

namespace agentmetrics::testing {

using Samples = std::map<std::string, double>;

Samples parse_samples(const std::string& body);
// The value of one sample, or nullopt if absent.
std::optional<double> sample(const Samples& samples, const std::string& key);

}  // namespace agentmetrics::testing
