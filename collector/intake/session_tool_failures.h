// A session's tool calls as they finish, added up into the facts the reflection learns failure
// patterns from (common/tool_failure_facts.h): the calls of each tool by stage, the edits that
// failed by reason, and the commands that failed and then passed. The session importers feed it
// from transcripts, the OTLP receiver from the tool events; a call's command and result text are
// read here and dropped: only the command's digest and its words from the fixed vocabulary are
// kept (common/tool_call_words.h).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "collector/common/tool_failure_facts.h"

namespace agentmetrics::intake {

// The reference of a command: "c-" and 8 hex digits of a digest of its normalized form.
std::string command_ref(std::string_view command);

// One finished tool call, as a reader saw it.
struct FinishedCall {
  std::string tool;
  std::string stage;          // tool_stage()
  std::string command_ref;    // a shell call's command_ref(); empty for other tools
  std::string command_words;  // its command_words()
  bool edit = false;          // an edit of a file
  enum class Result { kSucceeded, kFailed, kRejected } result = Result::kSucceeded;
  std::string_view detail;  // the tool's result or error text, to tell the reason
};

class ToolFailureTally {
 public:
  void finished(const FinishedCall& call);
  const ToolFailureFacts& facts() const { return facts_; }

  // Kept between imports (session_account.h).
  nlohmann::json to_state() const;
  // Throws nlohmann::json::exception for a state this build did not write.
  static ToolFailureTally from_state(const nlohmann::json& state);

 private:
  struct Streak {
    double failures = 0;
    bool edited = false;  // an edit succeeded since its first failure
  };
  ToolFailureFacts facts_;
  std::map<std::string, Streak, std::less<>> streaks_;  // failing commands by ref, until they pass
};

}  // namespace agentmetrics::intake
