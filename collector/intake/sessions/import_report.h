// What an import did, for the person or script that ran it: per agent, the sessions stored,
// updated and unchanged, the files and lines read, the tokens and cost of the sessions it
// stored; and every problem with the input, counted by kind and listed (the first hundred) by
// file and line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/intake/model_prices.h"

namespace agentmetrics::intake {

struct ImportProblem {
  std::string file;
  std::uint64_t line = 0;  // 0: the whole file
  std::string kind;        // invalid_json, invalid_utf8, line_too_long, unknown_record, unreadable, locked, ...
  std::string detail;
};

struct AgentImport {
  std::size_t sessions_new = 0, sessions_updated = 0, sessions_unchanged = 0;
  std::size_t files_read = 0, files_unchanged = 0;
  std::uint64_t lines = 0, bytes = 0;
  TokenCounts tokens;  // of the sessions stored or updated, whole
  double cost_usd = 0;
  std::set<std::string> unpriced_models;  // models whose tokens the price table could not price
};

class ImportReport {
 public:
  static constexpr std::size_t kListed = 100;

  void problem(ImportProblem p);
  // A place looked in for sessions, and whether it was there.
  void source(const std::string& agent_type, const std::string& path, bool exists);
  AgentImport& agent(const std::string& agent_type) { return agents_[agent_type]; }
  void merge(const ImportReport& other);

  const std::map<std::string, AgentImport>& agents() const { return agents_; }
  const std::vector<ImportProblem>& problems() const { return problems_; }
  const std::map<std::string, std::size_t>& problem_counts() const { return problem_counts_; }
  struct Source {
    std::string agent, path;
    bool exists = false;
  };
  const std::vector<Source>& sources() const { return sources_; }
  std::size_t problem_total() const;

  bool dry_run = false;
  double seconds = 0;

  nlohmann::ordered_json to_json() const;
  // A few lines for a person.
  std::string summary() const;

 private:
  std::map<std::string, AgentImport> agents_;
  std::vector<ImportProblem> problems_;
  std::map<std::string, std::size_t> problem_counts_;
  std::vector<Source> sources_;
};

}  // namespace agentmetrics::intake
