// One decoder for the requests of every front-end: `cm` (its options gathered into an object),
// the HTTP routes (the JSON body, or the query string, where every value is a string) and the
// MCP tools (the arguments). Each field has one name everywhere and the same accepted values;
// older spellings are accepted as aliases (docs/api.md, "Learning requests"):
//
//   context        task, limit
//   mark           id, feedback (alias kind): helpful|harmful, reason, session_id (alias session)
//   outcome        status (alias outcome): success|failure, rules, stage, failure_type,
//                  session_id (alias session)
//   playbook list  kind, source, include_retired (alias all), limit, offset
//   playbook add   content, kind, tags, source: manual|import, confidence
//   playbook remove id
//
// Lists (rules, tags) are an array of strings or one comma-separated string; whole numbers and
// booleans may also be written as strings ("5", "true"), as a query string has nothing else;
// null or an empty string is an absent field. Errors are LearningError (kInput):
// MISSING_ARGUMENT, INVALID_ARGUMENT, or the codes of the values' own parsers (INVALID_KIND ...).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "collector/learning/learning_service.h"
#include "collector/learning/playbook.h"

namespace agentmetrics::learning {

struct ContextRequest {
  std::string task;
  std::optional<int> limit;  // beyond int's range: saturated, for the service to refuse
  std::string project;       // the task's project: its rules beside every project's
};

// `fields` must be a JSON object (anything else: INVALID_ARGUMENT).
ContextRequest decode_context_request(const nlohmann::ordered_json& fields);
MarkRequest decode_mark_request(const nlohmann::ordered_json& fields);
OutcomeRequest decode_outcome_request(const nlohmann::ordered_json& fields);
PlaybookListRequest decode_playbook_list_request(const nlohmann::ordered_json& fields);
NewBullet decode_playbook_add_request(const nlohmann::ordered_json& fields);
// The id of the rule to remove.
std::string decode_playbook_remove_request(const nlohmann::ordered_json& fields);

FeedbackKind parse_feedback_kind(std::string_view text);

}  // namespace agentmetrics::learning
