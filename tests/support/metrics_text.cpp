#include "tests/support/metrics_text.h"

#include <cmath>
#include <sstream>

namespace agentmetrics::testing {

Samples parse_samples(const std::string& body) {
  Samples samples;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    const std::string value = line.substr(space + 1);
    double v = 0;
    if (value == "+Inf") {
      v = INFINITY;
    } else if (value == "-Inf") {
      v = -INFINITY;
    } else if (value == "NaN") {
      v = NAN;
    } else {
      v = std::stod(value);
    }
    samples[line.substr(0, space)] = v;
  }
  return samples;
}

std::optional<double> sample(const Samples& samples, const std::string& key) {
  auto it = samples.find(key);
  if (it == samples.end()) return std::nullopt;
  return it->second;
}

}  // namespace agentmetrics::testing
