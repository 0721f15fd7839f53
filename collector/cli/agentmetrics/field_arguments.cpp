#include "collector/cli/agentmetrics/field_arguments.h"

#include <algorithm>
#include <stdexcept>

namespace agentmetrics::cli {

std::vector<std::pair<std::string, std::string>> parse_field_arguments(const std::vector<std::string>& args) {
  std::vector<std::pair<std::string, std::string>> fields;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!arg.starts_with("--") || arg.size() == 2) throw std::invalid_argument("expected --field value, got '" + arg + "'");
    std::string name = arg.substr(2);
    std::string value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      throw std::invalid_argument("--" + name + " needs a value");
    }
    std::replace(name.begin(), name.end(), '-', '_');
    fields.emplace_back(std::move(name), std::move(value));
  }
  return fields;
}

}  // namespace agentmetrics::cli
