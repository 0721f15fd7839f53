// The agents' log events, mapped (docs/otlp.md): API requests and their errors and durations,
// tool calls and decisions, prompts, and the tokens of each request, all into the session the
// event belongs to. An event's name is in its `event.name` attribute (Claude Code writes the
// bare name there and `claude_code.<name>` in the body; Codex its `codex.<name>`, with a source
// location as the record's own name); numbers may come as strings. Prompt and tool text are
// never read.
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>

#include "collector/common/tool_call_words.h"
#include "collector/intake/sessions/tool_kinds.h"

#include "collector/intake/otlp/otlp_attributes.h"
#include "collector/intake/otlp/otlp_intake.h"
#include "collector/intake/otlp/otlp_labels.h"

namespace agentmetrics::intake {
namespace {

namespace logs = opentelemetry::proto::logs::v1;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;

// The event's name without its agent's prefix: "api_request", "tool_result", ...
std::string event_name(const logs::LogRecord& record) {
  std::string name = text_attribute(record.attributes(), "event.name");
  if (name.empty()) name = record.event_name();
  if (name.empty() && record.body().value_case() == opentelemetry::proto::common::v1::AnyValue::kStringValue)
    name = record.body().string_value();
  for (const char* prefix : {"claude_code.", "codex.", "gemini_cli."}) {
    if (name.starts_with(prefix)) return name.substr(std::string_view(prefix).size());
  }
  return name;
}

// When it happened, in unix seconds: the record's time, else when it was observed.
double event_time(const logs::LogRecord& record) {
  const std::uint64_t ns = record.time_unix_nano() ? record.time_unix_nano() : record.observed_time_unix_nano();
  return static_cast<double>(ns) / 1e9;
}

double number_or(const Attributes& a, std::string_view key, double fallback) { return number_attribute(a, key).value_or(fallback); }

// The tools whose use is a code edit, by agent.
bool edit_tool(const std::string& tool) {
  return tool == "Edit" || tool == "Write" || tool == "MultiEdit" || tool == "NotebookEdit" || tool == "apply_patch" || tool == "replace" ||
         tool == "write_file";
}

// The command of a shell call, when the event carries it: Codex's `arguments` ({"cmd": ...}),
// Claude Code's `tool_parameters` with OTEL_LOG_TOOL_DETAILS=1 ({"bash_command": ...}). Read for
// its digest and words only (session_tool_failures.h).
std::string shell_command(const Attributes& a) {
  for (const auto& [attribute, keys] :
       {std::pair<std::string_view, std::array<const char*, 2>>{"arguments", {"cmd", "command"}},
        std::pair<std::string_view, std::array<const char*, 2>>{"tool_parameters", {"full_command", "bash_command"}}}) {
    const nlohmann::json j = nlohmann::json::parse(text_attribute(a, attribute), nullptr, false);
    if (!j.is_object()) continue;
    for (const char* key : keys) {
      const auto it = j.find(key);
      if (it == j.end()) continue;
      if (it->is_string()) return it->get<std::string>();
      if (it->is_array()) {
        std::string out;
        for (const auto& part : *it) {
          if (part.is_string()) out += (out.empty() ? "" : " ") + part.get<std::string>();
        }
        return out;
      }
    }
  }
  return {};
}

// A finished call for the session's failure facts: a tool_result, or a tool_decision that
// refused the call (no result follows it).
FinishedCall finished_call(const std::string& tool, const std::string& command, FinishedCall::Result result, std::string_view detail) {
  const ToolKind kind = tool_kind(tool);
  FinishedCall call{tool, std::string(tool_stage(kind, command)), {}, {}, kind == ToolKind::kEdit, result, detail};
  if (kind == ToolKind::kShell && !command.empty()) {
    call.command_ref = command_ref(command);
    call.command_words = command_words(command);
  }
  return call;
}

}  // namespace

IntakeTally OtlpIntake::take(const ExportLogsServiceRequest& request) {
  IntakeTally tally;
  for (const auto& rl : request.resource_logs()) {
    const Attributes& resource = rl.resource().attributes();
    for (const auto& sl : rl.scope_logs()) {
      for (const auto& record : sl.log_records()) {
        const Attributes& a = record.attributes();
        const std::string name = event_name(record);
        const std::string agent = agent_of(rl.resource(), text_attribute(a, "event.name"));
        if (agent.empty() || name.empty()) {
          counters_.records_ignored.fetch_add(1, std::memory_order_relaxed);
          continue;
        }
        // A record sent again (a retried export) is the same in every byte that matters.
        const std::uint64_t digest = attributes_digest(
            a, record.time_unix_nano() ^ (record.observed_time_unix_nano() * 0x9E3779B97F4A7C15ULL) ^ std::hash<std::string>{}(name));
        if (!seen_records_.first_time(digest)) {
          counters_.records_ignored.fetch_add(1, std::memory_order_relaxed);
          continue;
        }
        const double time = event_time(record);
        if (!std::isfinite(time) || time < 0) {
          ++tally.rejected;
          tally.rejection = "a log record with an impossible time";
          counters_.records_rejected.fetch_add(1, std::memory_order_relaxed);
          continue;
        }
        const std::string session = text_attribute(a, agent == "codex" ? "conversation.id" : "session.id");
        const std::string model = label_value(text_attribute(a, "model"));
        std::vector<std::string> extra = extra_label_values(label_attributes_, a, resource);
        const auto labels = [&](std::vector<std::string> own) {
          own.insert(own.begin(), agent);
          own.insert(own.end(), extra.begin(), extra.end());
          return own;
        };
        const auto update = [&](const std::function<void(SessionTask&, SessionEvidence&)>& change) {
          sessions_.update(agent, session, time, change);
        };
        // A tool use accepted or rejected: Claude Code's and Codex's tool_decision, Gemini CLI's
        // tool_call (which carries its decision).
        const auto decided = [&](const std::string& tool, const std::string& decision) {
          families_.add(AgentFamily::kToolDecisions, labels({tool, decision}), 1);
          if (edit_tool(tool) && (decision == "accept" || decision == "reject")) {
            update([&](SessionTask& t, SessionEvidence&) { (decision == "accept" ? t.edits_accepted : t.edits_rejected) += 1; });
          }
        };
        bool mapped = true;
        if (name == "user_prompt") {
          update([](SessionTask& t, SessionEvidence&) { t.prompts += 1; });
        } else if (name == "api_request" && agent == "claude_code") {
          // One per successful model response, with its tokens and the client's cost.
          const TokenCounts tokens{number_or(a, "input_tokens", 0), number_or(a, "output_tokens", 0), number_or(a, "cache_read_tokens", 0),
                                   number_or(a, "cache_creation_tokens", 0)};
          const auto cost = number_attribute(a, "cost_usd");
          if (counts(agent, session)) families_.add(AgentFamily::kApiRequests, labels({model, "200"}), 1);
          if (const auto ms = number_attribute(a, "duration_ms")) families_.observe(AgentFamily::kApiDuration, labels({model}), *ms / 1000);
          update([&](SessionTask&, SessionEvidence& e) {
            e.event_tokens += tokens;
            e.model_tokens[model] += tokens.total();
            if (cost) {
              e.event_cost += *cost;
              e.event_cost_known = true;
            }
            e.last_api_status = 200;
          });
        } else if ((name == "api_request" && agent != "gemini_cli") || name == "api_response") {
          // Codex's api_request and Gemini CLI's api_response: a request and its status. Gemini
          // CLI's api_request is an attempt sent before its answer (api_response or api_error): not
          // counted.
          const double status = number_or(a, agent == "codex" ? "http.response.status_code" : "status_code", 0);
          if (counts(agent, session))
            families_.add(AgentFamily::kApiRequests, labels({model, status > 0 ? std::to_string(static_cast<int>(status)) : "error"}), 1);
          if (const auto ms = number_attribute(a, "duration_ms")) families_.observe(AgentFamily::kApiDuration, labels({model}), *ms / 1000);
          const TokenCounts tokens{std::max(0.0, number_or(a, "input_token_count", 0) - number_or(a, "cached_content_token_count", 0)),
                                   number_or(a, "output_token_count", 0) + number_or(a, "thoughts_token_count", 0),
                                   number_or(a, "cached_content_token_count", 0), 0};
          update([&](SessionTask& t, SessionEvidence& e) {
            if (status >= 400 || status <= 0) t.api_errors += 1;
            e.last_api_status = status > 0 ? static_cast<int>(status) : -1;
            if (agent == "gemini_cli" && tokens.total() > 0) {
              e.event_tokens += tokens;
              e.model_tokens[model] += tokens.total();
            }
          });
        } else if (name == "api_error") {
          const double status = number_or(a, "status_code", 0);
          if (counts(agent, session))
            families_.add(AgentFamily::kApiRequests, labels({model, status > 0 ? std::to_string(static_cast<int>(status)) : "error"}), 1);
          update([&](SessionTask& t, SessionEvidence& e) {
            t.api_errors += 1;
            e.last_api_status = status > 0 ? static_cast<int>(status) : -1;
          });
        } else if (name == "sse_event" && text_attribute(a, "event.kind") == "response.completed" &&
                   find_attribute(a, "input_token_count")) {
          // Codex: a model response's usage; its input counts the cached tokens too.
          const double cached = number_or(a, "cached_token_count", 0);
          const TokenCounts tokens{std::max(0.0, number_or(a, "input_token_count", 0) - cached), number_or(a, "output_token_count", 0),
                                   cached, number_or(a, "cache_write_token_count", 0)};
          update([&](SessionTask&, SessionEvidence& e) {
            e.event_tokens += tokens;
            e.model_tokens[model] += tokens.total();
          });
        } else if (name == "tool_decision") {
          const std::string tool = label_value(text_attribute(a, "tool_name"));
          const std::string decision = decision_value(text_attribute(a, "decision"));
          decided(tool, decision);
          if (decision == "reject") {
            // Refused by the permission rules (source config) or by the user.
            const std::string source = text_attribute(a, "source");
            const FinishedCall call = finished_call(text_attribute(a, "tool_name"), shell_command(a), FinishedCall::Result::kRejected,
                                                    source == "config" || source == "Config" ? "not allowed by permission rules" : "");
            update([&](SessionTask&, SessionEvidence& e) { e.failing_tools.finished(call); });
          }
        } else if (name == "tool_result" || name == "tool_call") {
          const std::string tool = label_value(text_attribute(a, name == "tool_call" ? "function_name" : "tool_name"));
          const bool success = bool_attribute(a, "success").value_or(false);
          if (counts(agent, session)) families_.add(AgentFamily::kToolCalls, labels({tool, success ? "true" : "false"}), 1);
          if (const std::string decision = text_attribute(a, "decision"); name == "tool_call" && !decision.empty()) {
            decided(tool, decision_value(decision));
          }
          if (const auto ms = number_attribute(a, "duration_ms")) families_.observe(AgentFamily::kToolDuration, labels({tool}), *ms / 1000);
          // Codex reports success for a command that exited non-zero; its output says so.
          const std::string output = text_attribute(a, "output");
          // The failure's text where the client sends one (Claude Code sends only `error_type`, ShellError).
          std::string error = text_attribute(a, "error");
          if (error.empty()) error = text_attribute(a, "error_type");
          const bool failed = !success || output_exit_code(output) > 0;
          const FinishedCall call =
              finished_call(text_attribute(a, name == "tool_call" ? "function_name" : "tool_name"), shell_command(a),
                            failed ? FinishedCall::Result::kFailed : FinishedCall::Result::kSucceeded, error.empty() ? output : error);
          update([&](SessionTask& t, SessionEvidence& e) {
            t.tool_calls += 1;
            if (!success) t.tool_errors += 1;
            e.tools[tool] += 1;
            e.failing_tools.finished(call);
          });
        } else {
          mapped = false;
        }
        (mapped ? counters_.records_mapped : counters_.records_ignored).fetch_add(1, std::memory_order_relaxed);
      }
    }
  }
  return tally;
}

}  // namespace agentmetrics::intake
