#include "collector/learning/learning_results.h"

#include <algorithm>

#include "collector/learning/text_tokens.h"
#include "ipc/timestamp.h"

namespace agentmetrics::learning {
namespace {

using json = nlohmann::ordered_json;

json string_pairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
  json out = json::array();
  for (const auto& [from, to] : pairs) out.push_back({{"from", from}, {"to", to}});
  return out;
}

json feedback_json(const FeedbackResult& r) {
  return {{"id", r.bullet_id},
          {"feedback", to_string(r.kind)},
          {"weight", round_to(r.weight, 4)},
          {"skipped", r.skipped},
          {"confidence_before", round_to(r.before, 3)},
          {"confidence_after", round_to(r.after, 3)}};
}

json context_bullets(const std::vector<ContextBullet>& list) {
  json out = json::array();
  for (const auto& b : list) {
    out.push_back({{"id", b.id},
                   {"content", b.content},
                   {"confidence", round_to(b.confidence, 3)},
                   {"evidence_count", b.evidence_count},
                   {"source", to_string(b.source)},
                   {"added_by", b.added_by},
                   {"created", ipc::format_timestamp(b.created)}});
  }
  return out;
}

json bullet_views(const std::vector<BulletView>& list) {
  json out = json::array();
  for (const auto& view : list) out.push_back(to_json(view));
  return out;
}

template <typename Key>
json counts_by_name(const std::map<Key, std::int64_t>& counts) {
  json out = json::object();
  for (const auto& [key, count] : counts) out[std::string(to_string(key))] = count;
  return out;
}

}  // namespace

std::string_view to_string(BlamePolicy policy) {
  switch (policy) {
    case BlamePolicy::kCredit: return "credit";
    case BlamePolicy::kRelated: return "related";
    case BlamePolicy::kSplit: return "split";
  }
  return "credit";
}

json to_json(const BulletView& view) {
  const Bullet& b = view.bullet;
  json j = {
      {"id", b.id},
      {"content", b.content},
      {"kind", to_string(b.kind)},
      {"state", b.active ? "active" : "retired"},
      {"source", to_string(b.source)},
      {"added_by", b.added_by},
      {"tags", b.tags},
      {"confidence", round_to(view.confidence, 3)},
      {"evidence_count", b.evidence_count},
      {"helpful", round_to(b.helpful, 3)},
      {"harmful", round_to(b.harmful, 3)},
      {"maturity", to_string(maturity(b.helpful, b.harmful, !b.active))},
      {"created", ipc::format_timestamp(b.created)},
      {"last_validated", ipc::format_timestamp(b.last_validated)},
      {"patterns", b.pattern_ids},
  };
  if (!b.active) {
    j["retired_reason"] = b.retired_reason;
    if (b.retired_at) j["retired_at"] = ipc::format_timestamp(*b.retired_at);
    if (!b.replaced_by.empty()) j["replaced_by"] = b.replaced_by;
  }
  json scope = json::object();
  if (!b.scope.stage.empty()) scope["stage"] = b.scope.stage;
  if (!b.scope.failure_type.empty()) scope["failure_type"] = b.scope.failure_type;
  if (!b.scope.agent_type.empty()) scope["agent_type"] = b.scope.agent_type;
  if (!b.scope.task_type.empty()) scope["task_type"] = b.scope.task_type;
  if (!scope.empty()) j["scope"] = scope;
  if (!b.project.empty()) j["project"] = b.project;
  return j;
}

json to_json(const ContextResult& result) {
  json snippets = json::array();
  for (const auto& h : result.history_snippets) {
    snippets.push_back({{"session_id", h.session_id},
                        {"title", h.title},
                        {"outcome", h.success ? "success" : "failure"},
                        {"duration", format_duration(h.duration_seconds)},
                        {"approach", h.approach},
                        {"snippet", h.snippet},
                        {"score", round_to(h.relevance, 2)}});
  }
  json out = {{"task", result.task},
              {"relevantBullets", context_bullets(result.relevant_bullets)},
              {"antiPatterns", context_bullets(result.anti_patterns)},
              {"historySnippets", snippets}};
  if (result.degraded) {
    out["degraded"] = true;
    out["degraded_reason"] = *result.degraded;
  }
  if (result.budget) {
    out["budget"] = {{"tokens", result.budget->tokens}, {"used", result.budget->used}, {"dropped", result.budget->dropped}};
  }
  return out;
}

json to_json(const MarkResult& result) {
  const FeedbackResult& r = result.feedback;
  json out = {{"id", r.bullet_id},
              {"feedback", to_string(r.kind)},
              {"skipped", r.skipped},
              {"confidence_before", round_to(r.before, 3)},
              {"confidence_after", round_to(r.after, 3)},
              {"helpful", round_to(result.helpful, 3)},
              {"harmful", round_to(result.harmful, 3)},
              {"state", result.active ? "active" : "retired"}};
  if (!r.inverted_to.empty()) out["inverted_to"] = r.inverted_to;
  if (r.retired) out["retired"] = true;
  return out;
}

json to_json(const OutcomeResult& result) {
  json applied = json::array();
  for (const auto& r : result.applied) applied.push_back(feedback_json(r));
  return {{"status", result.success ? "success" : "failure"},
          {"policy", to_string(result.policy)},
          {"applied", applied},
          {"unaffected", result.unaffected},
          {"inverted", string_pairs(result.inverted)},
          {"retired", result.retired}};
}

json to_json(const PlaybookListResult& result) {
  const auto next = result.next_offset();
  return {{"count", result.bullets.size()},
          {"total", result.total},
          {"offset", result.offset},
          {"limit", result.limit},
          {"next_offset", next ? json(*next) : json(nullptr)},
          {"bullets", bullet_views(result.bullets)}};
}

json to_json(const PlaybookAddResult& result) {
  return {{"id", result.rule.bullet.id},
          {"action", to_string(result.action)},
          {"similarity", round_to(result.similarity, 3)},
          {"bullet", to_json(result.rule)}};
}

json to_json(const PlaybookRemoveResult& result) {
  return {{"id", result.rule.bullet.id}, {"action", result.removed ? "removed" : "unchanged"}, {"bullet", to_json(result.rule)}};
}

json to_json(const PlaybookExport& result) {
  return {{"version", 1}, {"exported", ipc::format_timestamp(result.exported)}, {"bullets", bullet_views(result.bullets)}};
}

json to_json(const ImportResult& result) {
  return {{"added", result.added},
          {"reinforced", result.reinforced},
          {"revived", result.revived},
          {"unchanged", result.unchanged},
          {"ids", result.ids}};
}

json to_json(const LastReflection& run) {
  json j = {{"id", run.id},
            {"time", ipc::format_timestamp(run.started)},
            {"duration_ms", run.duration_seconds ? json(round_to(*run.duration_seconds * 1000.0, 1)) : json(nullptr)},
            {"trigger", run.trigger},
            {"status", run.status},
            {"summary", run.summary}};
  if (run.error) j["error"] = *run.error;
  return j;
}

json to_json(const StatsResult& s) {
  json distribution = json::array();
  const char* ranges[] = {"0.0-0.2", "0.2-0.4", "0.4-0.6", "0.6-0.8", "0.8-1.0"};
  for (std::size_t i = 0; i < s.confidence_distribution.size(); ++i) {
    distribution.push_back({{"range", ranges[i]}, {"count", s.confidence_distribution[i]}});
  }
  const json last = s.last_reflection ? to_json(*s.last_reflection) : json(nullptr);
  return {{"total", s.total},
          {"active", s.active},
          {"retired", s.retired},
          {"byKind", counts_by_name(s.by_kind)},
          {"bySource", counts_by_name(s.by_source)},
          {"byMaturity", counts_by_name(s.by_maturity)},
          {"retiredByReason", s.retired_by_reason},
          {"confidence", {{"mean", round_to(s.mean_confidence, 3)}, {"distribution", distribution}}},
          {"staleRules", {{"count", s.stale_count}, {"ids", s.stale_ids}, {"notValidatedForDays", s.stale_after_days}}},
          {"feedback", {{"helpful", s.helpful_signals}, {"harmful", s.harmful_signals}}},
          {"history", {{"indexedTasks", s.indexed_tasks}, {"pendingTasks", s.pending_tasks}}},
          {"reflectionRuns", s.reflection_runs},
          {"lastReflection", last}};
}

json to_json(const PatternsResult& result) {
  json failures = json::array(), successes = json::array();
  for (const auto& p : result.failures) failures.push_back(to_json(p));
  for (const auto& p : result.successes) successes.push_back(to_json(p));
  json sessions = json::array();
  for (const auto& p : result.sessions) sessions.push_back(to_json(p));
  return {{"reflection_id", result.reflection_id},
          {"failure_patterns", failures},
          {"success_patterns", successes},
          {"session_patterns", sessions}};
}

json to_json(const SimilarResult& result) {
  json rules = json::array();
  for (const auto& r : result.rules) {
    json j = to_json(r.rule);
    j["similarity"] = round_to(r.similarity, 3);
    rules.push_back(std::move(j));
  }
  return {{"text", result.text}, {"count", rules.size()}, {"rules", rules}};
}

void WhyResult::add_feedback(FeedbackEntry entry) {
  if (!entry.session_id.empty() && std::find(sessions.begin(), sessions.end(), entry.session_id) == sessions.end())
    sessions.push_back(entry.session_id);
  feedback.push_back(std::move(entry));
}

void WhyResult::add_pattern(const std::string& pattern_id, const std::optional<std::pair<std::string, std::string>>& kind_and_data) {
  json p = {{"pattern_id", pattern_id}};
  if (kind_and_data) {
    p["kind"] = kind_and_data->first;
    p["data"] = json::parse(kind_and_data->second, nullptr, false);
  } else {
    p["kind"] = nullptr;
  }
  patterns.push_back(std::move(p));
}

void PatternsResult::add_stored(std::string_view kind, const std::string& data) {
  const json parsed = json::parse(data, nullptr, false);
  if (kind == "failure")
    failures.push_back(failure_pattern_from_json(parsed));
  else if (kind == "session")
    sessions.push_back(session_pattern_from_json(parsed));
  else
    successes.push_back(success_pattern_from_json(parsed));
}

void PatternsResult::order() {
  std::stable_sort(failures.begin(), failures.end(),
                   [](const FailurePattern& a, const FailurePattern& b) { return a.occurrence_count > b.occurrence_count; });
  std::stable_sort(successes.begin(), successes.end(),
                   [](const SuccessPattern& a, const SuccessPattern& b) { return a.success_count > b.success_count; });
}

json to_json(const WhyResult& result) {
  json feedback = json::array();
  for (const auto& f : result.feedback) {
    json j = {
        {"time", ipc::format_timestamp(f.time)}, {"kind", to_string(f.kind)}, {"weight", round_to(f.weight, 4)}, {"origin", f.origin}};
    j["session_id"] = f.session_id.empty() ? json(nullptr) : json(f.session_id);
    j["note"] = f.note;
    feedback.push_back(std::move(j));
  }
  return {{"rule", to_json(result.rule)},
          {"patterns", result.patterns},
          {"feedback", feedback},
          {"sessions", result.sessions},
          {"sessions_given", result.sessions_given},
          {"learned_words", tokenize(result.rule.bullet.learned)}};
}

json to_json(const StaleResult& result) {
  json rules = json::array();
  for (const auto& r : result.rules) {
    json j = to_json(r);
    j["days_since_validated"] = round_to((result.now - r.bullet.last_validated) / kSecondsPerDay, 1);
    rules.push_back(std::move(j));
  }
  return {{"stale_after_days", result.stale_after_days}, {"count", rules.size()}, {"rules", rules}};
}

json to_json(const ForgetResult& result) {
  return {{"id", result.id},
          {"content", result.content},
          {"deleted", {{"feedback", result.feedback}, {"patterns", result.patterns}, {"sessions", result.sessions}}}};
}

json to_json(const UndoResult& result) {
  return {{"undone", {{"command", result.command}, {"summary", result.summary}, {"time", ipc::format_timestamp(result.time)}}}};
}

}  // namespace agentmetrics::learning
