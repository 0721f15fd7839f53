#include "collector/intake/sessions/session_account.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "collector/common/tool_call_words.h"
#include "collector/intake/sessions/session_outcome.h"

namespace agentmetrics::intake {
namespace {

constexpr std::size_t kRecentResponses = 64;
constexpr std::size_t kPendingTools = 512;

// At most `max` bytes of `text` with runs of white space made one space, cut at a UTF-8
// character boundary.
std::string bounded_text(std::string_view text, std::size_t max) {
  std::string out;
  bool space = false;
  for (const char c : text) {
    if (out.size() > max) break;
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  if (out.size() <= max) return out;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(out[end]) & 0xC0) == 0x80) --end;
  out.resize(end);
  return out;
}

std::string lower_trimmed(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (out.empty() && (std::isspace(static_cast<unsigned char>(c)) || c == '"' || c == '\'')) continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (out.size() >= 400) break;
  }
  return out;
}

// Whether a prompt after the first tells the agent that what it did was wrong.
bool corrects(std::string_view prompt) {
  const std::string text = lower_trimmed(prompt);
  static constexpr std::array<std::string_view, 12> kOpenings = {
      "no",   "nope",         "wrong",         "incorrect",  "revert",      "undo",
      "stop", "that's wrong", "that is wrong", "that's not", "that is not", "this is wrong"};
  for (const auto opening : kOpenings) {
    if (text.rfind(opening, 0) == 0 && (text.size() == opening.size() || !std::isalnum(static_cast<unsigned char>(text[opening.size()]))))
      return true;
  }
  static constexpr std::array<std::string_view, 14> kPhrases = {
      "doesn't work", "does not work", "didn't work",      "did not work",      "not working", "still failing", "still fails",
      "still broken", "still doesn't", "not what i asked", "not what i wanted", "you broke",   "that's wrong",  "that is wrong"};
  return std::any_of(kPhrases.begin(), kPhrases.end(), [&](std::string_view p) { return text.find(p) != std::string::npos; });
}

nlohmann::json tokens_json(const TokenCounts& t) { return nlohmann::json::array({t.input, t.output, t.cache_read, t.cache_creation}); }

TokenCounts tokens_from(const nlohmann::json& j) {
  return {j.at(0).get<double>(), j.at(1).get<double>(), j.at(2).get<double>(), j.at(3).get<double>()};
}

template <typename Map>
nlohmann::json map_json(const Map& map, nlohmann::json (*value)(const typename Map::mapped_type&)) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, v] : map) out[k] = value(v);
  return out;
}

nlohmann::json number_json(const double& v) { return v; }

void read_numbers(const nlohmann::json& j, std::map<std::string, double, std::less<>>& out) {
  for (const auto& [k, v] : j.items()) out[k] = v.get<double>();
}

void read_tokens(const nlohmann::json& j, std::map<std::string, TokenCounts, std::less<>>& out) {
  for (const auto& [k, v] : j.items()) out[k] = tokens_from(v);
}

double sum(const std::map<std::string, double, std::less<>>& map) {
  double total = 0;
  for (const auto& [k, v] : map) total += v;
  return total;
}

}  // namespace

void SessionAccount::add_usage(const std::string& response_model, const TokenCounts& usage) {
  const std::string& m = response_model.empty() ? model : response_model;
  tokens[m] += usage;
  unreported[m] += usage;
  responses[m] += 1;
}

void SessionAccount::add_priced_usage(const std::string& response_model, const TokenCounts& usage, double usd) {
  const std::string& m = response_model.empty() ? model : response_model;
  tokens[m] += usage;
  responses[m] += 1;
  reported_cost = reported_cost.value_or(0) + usd;
}

void SessionAccount::report_cost(double usd) {
  reported_cost = usd;
  reported_until = ended;
  unreported.clear();
}

bool SessionAccount::seen_response(const std::string& key) {
  if (std::find(recent_responses.begin(), recent_responses.end(), key) != recent_responses.end()) return true;
  recent_responses.push_back(key);
  if (recent_responses.size() > kRecentResponses) recent_responses.pop_front();
  return false;
}

void SessionAccount::saw_time(double unix_seconds) {
  if (unix_seconds <= 0) return;
  if (started <= 0 || unix_seconds < started) started = unix_seconds;
  ended = std::max(ended, unix_seconds);
}

void SessionAccount::set_title(std::string_view text) { title = bounded_text(text.substr(0, text.find('\n')), text_limit); }

void SessionAccount::set_snippet(std::string_view text) {
  if (std::all_of(text.begin(), text.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); })) return;
  snippet = bounded_text(text, text_limit);
}

void SessionAccount::given_text(std::string_view text) {
  if (rules_shown.size() >= kMaxRules) return;
  for (auto& id : rules_shown_in(text, kMaxRules)) {
    if (rules_shown.size() >= kMaxRules) return;
    if (std::find(rules_shown.begin(), rules_shown.end(), id) == rules_shown.end()) rules_shown.push_back(std::move(id));
  }
}

void SessionAccount::agent_text(std::string_view text) {
  for (auto& m : feedback_markers(text, kMaxRules)) {
    if (rule_feedback.size() >= kMaxRules) return;
    const bool shown = std::find(rules_shown.begin(), rules_shown.end(), m.rule_id) != rules_shown.end();
    const bool first =
        std::none_of(rule_feedback.begin(), rule_feedback.end(), [&](const FeedbackMarker& f) { return f.rule_id == m.rule_id; });
    if (shown && first) rule_feedback.push_back(std::move(m));
  }
}

void SessionAccount::user_prompt(std::string_view text) {
  prompts += 1;
  if (prompts == 1) {
    set_title(text);
    return;
  }
  if (corrects(text)) {
    corrections += 1;
    correction_unanswered = true;
  }
}

void SessionAccount::tool_called(const std::string& id, const std::string& name, const std::string& command, double lines) {
  tools[name] += 1;
  PendingTool call{name, tool_kind(name), false, 0, {}, {}, {}, false};
  call.stage = tool_stage(call.kind, command);
  call.shows_rules = fetches_cm_context(name, command);
  if (call.kind == ToolKind::kShell && !command.empty()) {
    call.command_ref = command_ref(command);
    call.command_words = command_words(command);
  }
  if (call.kind == ToolKind::kShell && runs_tests(command)) {
    call.runs_tests = true;
    ran_tests = true;
  }
  if (call.kind == ToolKind::kEdit) {
    call.lines = lines;
    lines_proposed += lines;
  }
  if (pending_tools.size() >= kPendingTools) pending_tools.erase(pending_tools.begin());
  pending_tools[id] = call;
}

void SessionAccount::tool_finished(const std::string& id, ToolResult result, std::string_view detail) {
  const auto it = pending_tools.find(id);
  if (it == pending_tools.end()) return;
  const PendingTool call = it->second;
  pending_tools.erase(it);
  if (call.shows_rules) given_text(detail);  // the agent ran `cm context` itself
  using R = FinishedCall::Result;
  failing_tools.finished({call.name, call.stage, call.command_ref, call.command_words, call.kind == ToolKind::kEdit,
                          result == ToolResult::kSucceeded ? R::kSucceeded
                          : result == ToolResult::kFailed  ? R::kFailed
                                                           : R::kRejected,
                          detail});
  switch (result) {
    case ToolResult::kSucceeded:
      if (call.kind == ToolKind::kEdit) {
        edits_accepted += 1;
        lines_accepted += call.lines;
        last_edit_rejected = false;
      }
      if (call.runs_tests) last_test = 1;
      correction_unanswered = false;
      break;
    case ToolResult::kFailed:
      tool_errors += 1;
      tool_failures[call.name] += 1;
      if (call.runs_tests) last_test = -1;
      break;
    case ToolResult::kRejected:
      tool_rejections += 1;
      tool_failures[call.name] += 1;
      if (call.kind == ToolKind::kEdit) {
        edits_rejected += 1;
        last_edit_rejected = true;
      }
      break;
  }
}

void SessionAccount::api_error(const std::string& status, bool ends_turn) {
  api_errors[status] += 1;
  if (ends_turn) ending_api_error = status;
}

void SessionAccount::answered() {
  ending_api_error.clear();
  interrupted = false;
}

nlohmann::json SessionAccount::to_state() const {
  nlohmann::json pending = nlohmann::json::object();
  for (const auto& [id, call] : pending_tools)
    pending[id] = {call.name, call.runs_tests, call.lines, call.stage, call.command_ref, call.command_words, call.shows_rules};
  nlohmann::json s = {
      {"v", 1},
      {"started", started},
      {"ended", ended},
      {"project", project},
      {"branch", git_branch},
      {"model", model},
      {"tokens", map_json(tokens, tokens_json)},
      {"responses", map_json(responses, number_json)},
      {"unreported", map_json(unreported, tokens_json)},
      {"cumulative", tokens_json(cumulative)},
      {"tools", map_json(tools, number_json)},
      {"tool_failures", map_json(tool_failures, number_json)},
      {"counts", {tool_errors, tool_rejections, edits_accepted, edits_rejected, lines_proposed, lines_accepted, prompts, corrections}},
      {"api_errors", map_json(api_errors, number_json)},
      {"ending_api_error", ending_api_error},
      {"flags", {interrupted, last_test, last_edit_rejected, correction_unanswered, ran_tests}},
      {"title", title},
      {"snippet", snippet},
      {"recent", recent_responses},
      {"pending", pending},
      {"failing_tools", failing_tools.to_state()},
  };
  if (!rules_shown.empty()) s["rules_shown"] = rules_shown;
  if (!rule_feedback.empty()) {
    nlohmann::json markers = nlohmann::json::array();
    for (const auto& m : rule_feedback) markers.push_back({m.rule_id, m.helpful});
    s["rule_feedback"] = std::move(markers);
  }
  if (reported_cost) {
    s["reported_cost"] = *reported_cost;
    s["reported_until"] = reported_until;
  }
  return s;
}

SessionAccount SessionAccount::from_state(const nlohmann::json& s) {
  if (s.at("v").get<int>() != 1) throw nlohmann::json::other_error::create(501, "unknown session state version", &s);
  SessionAccount a;
  a.started = s.at("started").get<double>();
  a.ended = s.at("ended").get<double>();
  a.project = s.at("project").get<std::string>();
  a.git_branch = s.at("branch").get<std::string>();
  a.model = s.at("model").get<std::string>();
  read_tokens(s.at("tokens"), a.tokens);
  read_numbers(s.at("responses"), a.responses);
  read_tokens(s.at("unreported"), a.unreported);
  a.cumulative = tokens_from(s.at("cumulative"));
  read_numbers(s.at("tools"), a.tools);
  read_numbers(s.at("tool_failures"), a.tool_failures);
  const auto& c = s.at("counts");
  a.tool_errors = c.at(0).get<double>();
  a.tool_rejections = c.at(1).get<double>();
  a.edits_accepted = c.at(2).get<double>();
  a.edits_rejected = c.at(3).get<double>();
  a.lines_proposed = c.at(4).get<double>();
  a.lines_accepted = c.at(5).get<double>();
  a.prompts = c.at(6).get<double>();
  a.corrections = c.at(7).get<double>();
  read_numbers(s.at("api_errors"), a.api_errors);
  a.ending_api_error = s.at("ending_api_error").get<std::string>();
  const auto& f = s.at("flags");
  a.interrupted = f.at(0).get<bool>();
  a.last_test = f.at(1).get<int>();
  a.last_edit_rejected = f.at(2).get<bool>();
  a.correction_unanswered = f.at(3).get<bool>();
  a.ran_tests = f.at(4).get<bool>();
  a.title = s.at("title").get<std::string>();
  a.snippet = s.at("snippet").get<std::string>();
  for (const auto& key : s.at("recent")) a.recent_responses.push_back(key.get<std::string>());
  for (const auto& [id, call] : s.at("pending").items()) {
    const std::string name = call.at(0).get<std::string>();
    PendingTool p{name, tool_kind(name), call.at(1).get<bool>(), call.at(2).get<double>(), {}, {}, {}, false};
    // A state written before the failure patterns holds three fields a call.
    p.stage = call.size() > 3 ? call.at(3).get<std::string>() : std::string(tool_stage(p.kind, ""));
    if (call.size() > 5) {
      p.command_ref = call.at(4).get<std::string>();
      p.command_words = call.at(5).get<std::string>();
    }
    if (call.size() > 6) p.shows_rules = call.at(6).get<bool>();
    a.pending_tools[id] = std::move(p);
  }
  if (s.contains("failing_tools")) a.failing_tools = ToolFailureTally::from_state(s.at("failing_tools"));
  // A state written before inline feedback was read has neither.
  if (s.contains("rules_shown")) a.rules_shown = s.at("rules_shown").get<std::vector<std::string>>();
  if (s.contains("rule_feedback")) {
    for (const auto& m : s.at("rule_feedback")) a.rule_feedback.push_back({m.at(0).get<std::string>(), m.at(1).get<bool>()});
  }
  if (s.contains("reported_cost")) {
    a.reported_cost = s.at("reported_cost").get<double>();
    a.reported_until = s.at("reported_until").get<double>();
  }
  return a;
}

SessionTask session_task_of(const std::vector<const SessionAccount*>& accounts, const PriceTable& prices, std::set<std::string>* unpriced) {
  SessionTask task;
  if (accounts.empty()) return task;
  const SessionAccount& main = *accounts.front();
  std::map<std::string, TokenCounts, std::less<>> by_model;
  std::map<std::string, double, std::less<>> tools;
  double cost = 0;
  bool costed = false, complete = true, ran_tests = false;
  for (const SessionAccount* a : accounts) {
    if (a->started > 0 && (task.started <= 0 || a->started < task.started)) task.started = a->started;
    task.ended = std::max(task.ended, a->ended);
    if (task.project.empty()) task.project = a->project;
    if (task.git_branch.empty()) task.git_branch = a->git_branch;
    for (const auto& [model, t] : a->tokens) {
      by_model[model] += t;
      task.tokens += t;
    }
    for (const auto& [tool, calls] : a->tools) tools[tool] += calls;
    task.tool_failures.merge(a->failing_tools.facts());
    for (const auto& m : a->rule_feedback) {
      const auto same = [&](const FeedbackMarker& f) { return f.rule_id == m.rule_id; };
      if (std::none_of(task.rule_feedback.begin(), task.rule_feedback.end(), same)) task.rule_feedback.push_back(m);
    }
    task.tool_errors += a->tool_errors;
    task.api_errors += sum(a->api_errors);
    task.edits_accepted += a->edits_accepted;
    task.edits_rejected += a->edits_rejected;
    task.lines_proposed += a->lines_proposed;
    task.lines_accepted += a->lines_accepted;
    ran_tests = ran_tests || a->ran_tests;
    if (a->reported_cost) {
      cost += *a->reported_cost;
      costed = true;
    }
    // A subagent that ended before the session's last cost figure is in that figure.
    if (a->cost_in_parent && main.reported_cost && a->ended <= main.reported_until) continue;
    for (const auto& [model, t] : a->unreported) {
      if (t.total() <= 0) continue;
      if (const auto priced = prices.cost(model, t)) {
        cost += *priced;
        costed = true;
      } else {
        complete = false;
        if (unpriced) unpriced->insert(model);
      }
    }
  }
  if (costed && complete) task.cost_usd = cost;
  double most = -1;
  for (const auto& [model, t] : by_model) {
    if (t.total() > 0 && t.total() > most) {
      most = t.total();
      task.model = model;
    }
  }
  task.tool_calls = sum(tools);
  task.approach = approach_of(tools, ran_tests);
  task.prompts = main.prompts;
  task.title = main.title;
  task.snippet = main.snippet;
  judge_outcome(main, task);
  return task;
}

}  // namespace agentmetrics::intake
