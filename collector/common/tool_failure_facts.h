// What one agent session's failing tool calls add up to, in the words of tool_call_words.h: the
// task event's `tool_failures` field (docs/events.md), written by the session importers and the
// OTLP receiver, read by the reflection (learning/session_patterns.h). No command, error text
// or prompt is in it: tools, stages, reasons, a digest of each command and its words from the
// fixed vocabulary, and counts.
//
// Its text is JSON: {"v":1, "tools":[[tool, stage, calls, failures], ...],
//   "edits":[[tool, reason, failures], ...],
//   "retries":[[command_ref, command_words, stage, runs, most_failures, unchanged], ...]}
//   tools    the calls of a tool in a stage, where some failed (or were refused)
//   edits    edits that failed or were refused, by tool and reason
//   retries  a command that failed and then passed in the session: `runs` such runs of
//            failures ended by a pass, the longest `most_failures` failures long, `unchanged` of
//            them with no edit between the first failure and the pass
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace agentmetrics {

struct ToolStageCount {
  double calls = 0, failures = 0;
};

struct CommandRetry {
  std::string words, stage;  // command_words ("" when not in the vocabulary), its stage
  double runs = 0, most_failures = 0, unchanged = 0;
};

struct ToolFailureFacts {
  std::map<std::pair<std::string, std::string>, ToolStageCount> tools;  // (tool, stage)
  std::map<std::pair<std::string, std::string>, double> edits;          // (tool, reason) -> failures
  std::map<std::string, CommandRetry> retries;                          // by command ref ("c-" + 8 hex)

  bool empty() const;
  // Adds `other` (another stream of the same session).
  void merge(const ToolFailureFacts& other);

  // The JSON text, at most `max_bytes`: entries with the most failures first, those that do
  // not fit left out (`dropped`, when given, receives how many). Empty when there is nothing.
  std::string to_text(std::size_t max_bytes, std::size_t* dropped = nullptr) const;
  // Reads the text back, trusting nothing: an entry whose tool, stage, reason, ref or words are
  // not of the vocabulary, or whose counts are not finite, non-negative and bounded, is left
  // out and counted in `rejected`. nullopt when the text is not this format at all.
  static std::optional<ToolFailureFacts> parse(std::string_view text, std::size_t* rejected = nullptr);
};

// Whether `ref` is a command reference: "c-" and 8 lowercase hex digits.
bool is_command_ref(std::string_view ref);

}  // namespace agentmetrics
