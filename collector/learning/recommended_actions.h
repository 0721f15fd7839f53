// The recommended action of a failure pattern, from a table of actions per stage and failure
// type. The built-in table covers the common failure types; a JSON file can add to it or
// override it:
//   {"actions": [{"stage": "test", "failure_type": "timeout", "action": "..."},
//                {"stage": "*", "failure_type": "oom", "action": "..."}]}
// Lookup: (stage, failure_type), then (*, failure_type), then (stage, *), then (*, *). In an
// action, {stage} and {failure_type} are replaced by the pattern's (underscores as spaces).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json_fwd.hpp>

namespace agentmetrics::learning {

class RecommendedActions {
 public:
  // The built-in table.
  RecommendedActions();

  void set(std::string stage, std::string failure_type, std::string action);
  // Adds the entries of a parsed file (format above). Throws LearningError (kConfig) naming
  // what is wrong.
  void merge_json(const nlohmann::ordered_json& document);
  // Reads and merges a file. Throws LearningError (kConfig) when unreadable or invalid.
  void merge_file(const std::string& path);

  std::string action_for(std::string_view stage, std::string_view failure_type) const;
  std::size_t size() const { return table_.size(); }

 private:
  std::map<std::pair<std::string, std::string>, std::string, std::less<>> table_;
};

}  // namespace agentmetrics::learning
