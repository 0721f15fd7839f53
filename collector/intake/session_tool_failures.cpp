#include "collector/intake/session_tool_failures.h"

#include <algorithm>
#include <cstdio>

#include "collector/common/tool_call_words.h"
#include "collector/intake/durable_intake.h"

namespace agentmetrics::intake {
namespace {

// Commands failing at once that the tally follows; a session rarely has more than a few.
constexpr std::size_t kMaxStreaks = 64;
// Groups kept per session: beyond these, new ones are not counted (the text keeps fewer still).
constexpr std::size_t kMaxGroups = 256;

}  // namespace

std::string command_ref(std::string_view command) {
  char ref[16];
  std::snprintf(ref, sizeof ref, "c-%08llx",
                static_cast<unsigned long long>(intake_producer_id("command", normalized_command(command)) & 0xffffffffULL));
  return ref;
}

void ToolFailureTally::finished(const FinishedCall& call) {
  if (!is_tool_name(call.tool)) return;  // a name no rule could show: the session's own counts still have the call
  const bool failed = call.result != FinishedCall::Result::kSucceeded;
  const std::pair<std::string, std::string> key{call.tool, call.stage};
  if (auto it = facts_.tools.find(key); it != facts_.tools.end() || facts_.tools.size() < kMaxGroups) {
    auto& c = facts_.tools[key];
    c.calls += 1;
    if (failed) c.failures += 1;
  }
  if (call.edit && failed && facts_.edits.size() < kMaxGroups)
    facts_.edits[{call.tool, std::string(failure_reason(call.detail, call.result == FinishedCall::Result::kRejected))}] += 1;
  if (call.edit && !failed) {
    for (auto& [ref, streak] : streaks_) streak.edited = true;
  }
  if (call.command_ref.empty() || call.result == FinishedCall::Result::kRejected) return;  // a refused command did not run
  const std::string& ref = call.command_ref;
  auto it = streaks_.find(ref);
  if (failed) {
    if (it == streaks_.end()) {
      if (streaks_.size() >= kMaxStreaks) streaks_.erase(streaks_.begin());
      it = streaks_.emplace(ref, Streak{}).first;
    }
    it->second.failures += 1;
    return;
  }
  if (it == streaks_.end()) return;
  if (facts_.retries.contains(ref) || facts_.retries.size() < kMaxGroups) {
    auto& r = facts_.retries[ref];
    r.words = call.command_words;
    r.stage = call.stage;
    r.runs += 1;
    r.most_failures = std::max(r.most_failures, it->second.failures);
    if (!it->second.edited) r.unchanged += 1;
  }
  streaks_.erase(it);
}

nlohmann::json ToolFailureTally::to_state() const {
  nlohmann::json streaks = nlohmann::json::object();
  for (const auto& [ref, s] : streaks_) streaks[ref] = {s.failures, s.edited};
  return {{"facts", facts_.to_text(SIZE_MAX)}, {"streaks", streaks}};
}

ToolFailureTally ToolFailureTally::from_state(const nlohmann::json& state) {
  ToolFailureTally t;
  const std::string text = state.at("facts").get<std::string>();
  if (!text.empty()) {
    auto facts = ToolFailureFacts::parse(text);
    if (!facts) throw nlohmann::json::other_error::create(501, "unknown tool failure state", &state);
    t.facts_ = std::move(*facts);
  }
  for (const auto& [ref, s] : state.at("streaks").items()) t.streaks_[ref] = {s.at(0).get<double>(), s.at(1).get<bool>()};
  return t;
}

}  // namespace agentmetrics::intake
