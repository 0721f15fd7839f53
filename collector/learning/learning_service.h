// The learning operations as the `cm` command, its MCP server and the collector's HTTP API all
// call them: parsed parameters in, the JSON `data` of the answer out (see json_envelope.h for
// the {success, data, ...} wrapper). Errors are thrown as LearningError with their exit code
// and recovery steps; translate_error() turns any other exception into one.
//
// A service works on one SQLite connection (the store's file: EventStore::open(...)->handle())
// and is used by one thread at a time. Creating it creates or migrates the learning tables.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/learning/learning_error.h"
#include "collector/learning/playbook.h"
#include "collector/learning/reflection.h"

struct sqlite3;

namespace agentmetrics::learning {

struct LearningSettings {
  int context_limit = 5;  // cass_memory.contextLimit
  // Query words found in more than this share of the rules (or of the past tasks) are left
  // out while rarer ones remain (query_terms.h).
  double frequent_term_share = 0.1;
  // How much confidence weighs on relevance: score = bm25 x ((1 - w) + w x max(0.1, c)).
  double confidence_weight = 1.0;
  ReflectionSettings reflection;
  // Unix seconds; empty: the system clock. Tests set it to move time.
  std::function<double()> clock;
};

struct MarkRequest {
  std::string id;
  FeedbackKind kind = FeedbackKind::kHelpful;
  std::string reason;
  std::string session_id;
};

// The specification's recordOutcome(status, ruleIds), with optional details that direct the
// blame (blame.h): where a failure happened, and the session (so a task is counted once).
struct OutcomeRequest {
  std::string status;  // success or failure
  std::vector<std::string> rule_ids;
  std::string stage;
  std::string failure_type;
  std::string session_id;
};

class LearningService {
 public:
  // Throws LearningError (STORE_SCHEMA_NEWER) or StoreError.
  explicit LearningService(sqlite3* db, LearningSettings settings = {});

  // {task, relevantBullets[], antiPatterns[], historySnippets[]} exactly as the specification
  // shows; `limit` (default context_limit) applies to each list. Relevance is FTS5 BM25 over
  // the rule's content and tags, times the rule's decayed confidence (at least 0.1); history
  // snippets by BM25 over title, approach, snippet, task and agent type.
  nlohmann::ordered_json context(std::string_view task, std::optional<int> limit = std::nullopt);
  nlohmann::ordered_json mark(const MarkRequest& request);
  nlohmann::ordered_json outcome(const OutcomeRequest& request);
  nlohmann::ordered_json playbook_list(const Playbook::Filter& filter);
  nlohmann::ordered_json playbook_add(const NewBullet& bullet);
  nlohmann::ordered_json playbook_remove(std::string_view id);
  // Every bullet, retired ones too, in the form playbook_import() reads.
  nlohmann::ordered_json playbook_export();
  // Accepts an array of bullets or {"bullets": [...]} (content required; kind, tags,
  // confidence, evidence_count optional). All are checked before any is added.
  nlohmann::ordered_json playbook_import(const nlohmann::ordered_json& document);
  nlohmann::ordered_json stats();
  nlohmann::ordered_json reflect(std::string_view trigger = "manual");
  // The patterns of the latest reflection.
  nlohmann::ordered_json patterns();

  double now() const;
  const LearningSettings& settings() const { return settings_; }
  Playbook& playbook() { return playbook_; }

 private:
  // Before a search: new task events indexed (a few milliseconds after a busy day, nothing when
  // current) and each full-text index merged into one segment once it has grown
  // (history_index.h). Skipped, with a debug line, on a read-only or busy store.
  void refresh_search_indexes();

  sqlite3* db_;
  LearningSettings settings_;
  Playbook playbook_;
};

}  // namespace agentmetrics::learning
