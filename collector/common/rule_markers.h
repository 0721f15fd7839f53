// What a session's text says about the playbook's rules, read wherever that text turns up: the
// Claude Code hook reads a transcript's tail (learning/api), the session import whole sessions
// (intake/sessions). Two things:
//   - the rules cm showed the session, in the forms cm writes them: the lines of its context
//     ("## From agentmetrics memory", then "- [b-8f3a2c] ...") and of its AGENTS.md block
//     ("- ... (b-8f3a2c)" between the block's markers);
//   - inline feedback: an agent that says "[cass: helpful b-8f3a2c]" or "[cass: harmful
//     ap-1d2e3f]" in its answer grades that rule (cass_memory's markers). A marker counts once per
//     session and rule, like every grade, and only for a rule cm showed the session: text the
//     agent merely read and repeated (a file, a web page) cannot grade a rule by showing it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace agentmetrics {

// The first line of cm's context (learning/context_text.h) and the markers of its AGENTS.md
// block (learning/agents_md.h).
inline constexpr std::string_view kContextHeading = "## From agentmetrics memory";
inline constexpr std::string_view kAgentsMdBegin = "<!-- agentmetrics:begin (cm export --format agents.md) -->";
inline constexpr std::string_view kAgentsMdEnd = "<!-- agentmetrics:end -->";
// The line cm's context ends with where its reader can answer (a hook, an AGENTS.md block): how
// to give inline feedback.
inline constexpr std::string_view kMarkerInvitation =
    "If a rule above helped or misled you, say so in your answer: [cass: helpful <id>] or [cass: harmful <id>].";

// "b-8f3a2c", "ap-1d2e3f4a": the ids the playbook gives (learning/playbook.h), in lower case.
bool is_rule_id(std::string_view id);

struct FeedbackMarker {
  std::string rule_id;
  bool helpful = true;  // false: harmful
};

// The markers in `text`, in order, the first of each rule only, at most `max`. Case and spaces
// inside the brackets are free ("[ CASS: Helpful b-8f3a2c ]"); anything else is not a marker.
// Linear in the text, whatever it holds.
std::vector<FeedbackMarker> feedback_markers(std::string_view text, std::size_t max = 64);

// Markers as a task event's rule_feedback field carries them: "+b-8f3a2c -ap-1d2e3f" (+ helpful,
// - harmful), whole entries only, at most `max_bytes`. The parse skips an entry that is not one.
std::string rule_feedback_text(const std::vector<FeedbackMarker>& markers, std::size_t max_bytes);
std::vector<FeedbackMarker> parse_rule_feedback(std::string_view text);

// The rules `text` shows in cm's forms, each once, at most `max`: those of its contexts, then
// those of its AGENTS.md blocks. A rule id elsewhere (in prose, in a line of another shape,
// outside the AGENTS.md block's markers) is not one cm showed. Linear in the text.
std::vector<std::string> rules_shown_in(std::string_view text, std::size_t max);

// Whether a tool call fetches cm's context, so that its output shows rules: the MCP tool
// cm_context (under any client's prefix), or a shell command that runs cm with the word context.
// Any other tool's output (a file, a web page) shows none, whatever it holds.
bool fetches_cm_context(std::string_view tool, std::string_view command);

}  // namespace agentmetrics
