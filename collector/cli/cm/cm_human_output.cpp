#include "collector/cli/cm/cm_human_output.h"

#include <cstdio>
#include <string>

#include "collector/learning/text_tokens.h"
#include "ipc/timestamp.h"

namespace agentmetrics::cli {

using namespace agentmetrics::learning;

namespace {

std::string pad(std::string_view text, std::size_t width) {
  std::string padded(text);
  if (padded.size() < width) padded.append(width - padded.size(), ' ');
  return padded;
}

std::string fixed(double value, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  return buf;
}

// Where a rule came from: "manual, added by api:ci-token on 2026-12-01".
std::string provenance(BulletSource source, std::string_view added_by, double created) {
  std::string out(to_string(source));
  if (!added_by.empty()) out += ", added by " + std::string(added_by);
  if (created > 0) out += " on " + ipc::format_timestamp(created).substr(0, 10);
  return out;
}

void print_bullets(std::ostream& out, const char* heading, const std::vector<ContextBullet>& list) {
  out << heading << " (" << list.size() << "):\n";
  if (list.empty()) out << "  (none)\n";
  for (const auto& b : list) {
    out << "  [" << b.id << "] " << fixed(b.confidence, 2) << "  " << b.content << "  (evidence " << b.evidence_count << ", "
        << provenance(b.source, b.added_by, b.created) << ")\n";
  }
}

void print_change(std::ostream& out, std::string_view action, const BulletView& rule) {
  out << action << " " << rule.bullet.id << ": " << rule.bullet.content << "  (confidence " << fixed(rule.confidence, 2) << ")\n";
}

void print_patterns(std::ostream& out, const std::vector<FailurePattern>& failures, const std::vector<SuccessPattern>& successes,
                    const std::vector<SessionPattern>& sessions) {
  out << "Failure patterns (" << failures.size() << "):\n";
  for (const auto& p : failures) {
    out << "  [" << p.pattern_id << "] " << p.stage << " / " << p.failure_type << ": " << p.occurrence_count << " failures, "
        << fixed(p.resolution_success_rate * 100.0, 0) << "% resolved";
    if (p.avg_time_to_resolve) out << " in " << format_duration(*p.avg_time_to_resolve) << " on average";
    out << "\n      -> " << p.recommended_action << "\n";
  }
  out << "Success patterns (" << successes.size() << "):\n";
  for (const auto& p : successes) {
    out << "  [" << p.pattern_id << "] " << p.agent_type << " / " << p.task_type << ": " << p.success_count << " of " << p.attempt_count
        << " succeeded (" << fixed(p.success_rate * 100.0, 0) << "%) with " << p.approach << ", " << format_duration(p.avg_time_to_complete)
        << " on average" << (p.recommended ? ", recommended" : "") << "\n";
  }
  out << "Session patterns (" << sessions.size() << "):\n";
  for (const auto& p : sessions) {
    out << "  [" << p.pattern_id << "] " << to_string(p.kind) << ": ";
    switch (p.kind) {
      case SessionPatternKind::kToolFailing:
        out << p.tool << " in " << p.stage << ", " << p.failures << " of " << p.calls << " calls failed";
        break;
      case SessionPatternKind::kEditRejected: out << p.tool << " / " << p.reason << ", " << p.failures << " failed edits"; break;
      case SessionPatternKind::kCommandRetried:
        out << (p.command_words.empty() ? p.command_ref : p.command_words + " (" + p.command_ref + ")") << ", " << p.runs
            << " run(s) of up to " << p.most_failures << " failures then a pass, " << p.unchanged << " unchanged";
        break;
    }
    out << ", in " << p.session_count << " session(s)\n";
  }
}

}  // namespace

void print_human(std::ostream& out, const ContextResult& r) {
  out << "Task: " << r.task << "\n\n";
  print_bullets(out, "Relevant rules", r.relevant_bullets);
  out << "\n";
  print_bullets(out, "Anti-patterns", r.anti_patterns);
  out << "\nHistory (" << r.history_snippets.size() << "):\n";
  if (r.history_snippets.empty()) out << "  (none)\n";
  for (const auto& h : r.history_snippets) {
    out << "  " << pad(h.success ? "success" : "failure", 8) << pad(format_duration(h.duration_seconds), 10) << h.title;
    out << "  (" << (h.session_id.empty() ? "no session" : h.session_id);
    if (!h.approach.empty()) out << ", " << h.approach;
    out << ", score " << fixed(h.relevance, 1) << ")\n";
    if (!h.snippet.empty()) out << "                    " << h.snippet << "\n";
  }
  if (r.budget) {
    out << "\nBudget: " << r.budget->used << " of " << r.budget->tokens << " tokens used";
    if (r.budget->dropped) out << ", " << r.budget->dropped << " relevant item(s) did not fit";
    out << "\n";
  }
}

void print_human(std::ostream& out, const PlaybookListResult& r) {
  if (r.bullets.empty() || static_cast<std::int64_t>(r.bullets.size()) == r.total) {
    out << r.total << " rules\n";
  } else {
    out << r.total << " rules, " << r.offset + 1 << " to " << r.offset + static_cast<std::int64_t>(r.bullets.size()) << " shown\n";
  }
  for (const auto& v : r.bullets) {
    const Bullet& b = v.bullet;
    out << "  [" << b.id << "] " << pad(to_string(b.kind), 13) << fixed(v.confidence, 2) << "  " << pad(b.active ? "active" : "retired", 8)
        << pad(to_string(maturity(b.helpful, b.harmful, !b.active)), 12) << b.content << "  ("
        << provenance(b.source, b.added_by, b.created) << ")\n";
  }
  if (const auto next = r.next_offset()) out << "more: --offset " << *next << "\n";
}

void print_human(std::ostream& out, const PlaybookAddResult& r) { print_change(out, to_string(r.action), r.rule); }

void print_human(std::ostream& out, const PlaybookRemoveResult& r) { print_change(out, r.removed ? "removed" : "unchanged", r.rule); }

void print_human(std::ostream& out, const PlaybookExport& r) {
  out << to_json(r).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

void print_human(std::ostream& out, const ImportResult& r) {
  out << "imported: " << r.added << " added, " << r.reinforced << " reinforced, " << r.revived << " revived, " << r.unchanged
      << " unchanged\n";
}

void print_human(std::ostream& out, const MarkResult& r) {
  const FeedbackResult& f = r.feedback;
  out << f.bullet_id << " marked " << to_string(f.kind) << ": confidence " << fixed(f.before, 3) << " -> " << fixed(f.after, 3)
      << (f.skipped ? " (already recorded for this session)" : "") << "\n";
  if (!f.inverted_to.empty()) out << "  it proved harmful too often: inverted into " << f.inverted_to << "\n";
  if (f.retired) out << "  its confidence fell below the floor: retired\n";
}

void print_human(std::ostream& out, const OutcomeResult& r) {
  out << "outcome " << (r.success ? "success" : "failure") << " (" << to_string(r.policy) << "):\n";
  for (const auto& a : r.applied) {
    out << "  " << a.bullet_id << " " << to_string(a.kind) << " x" << fixed(a.weight, 2) << ": " << fixed(a.before, 3) << " -> "
        << fixed(a.after, 3) << (a.skipped ? " (already recorded)" : "") << "\n";
  }
  for (const auto& id : r.unaffected) out << "  " << id << " unaffected (not related to the failure)\n";
  for (const auto& [from, to] : r.inverted) out << "  " << from << " inverted into " << to << "\n";
  for (const auto& id : r.retired) out << "  " << id << " retired (confidence below the floor)\n";
}

void print_human(std::ostream& out, const StatsResult& s) {
  out << "Playbook: " << s.active << " active (" << s.by_kind.at(BulletKind::kRule) << " rules, " << s.by_kind.at(BulletKind::kAntiPattern)
      << " anti-patterns), " << s.retired << " retired\n";
  out << "Sources: learning " << s.by_source.at(BulletSource::kLearning) << ", manual " << s.by_source.at(BulletSource::kManual)
      << ", import " << s.by_source.at(BulletSource::kImport) << "\n";
  out << "Maturity: candidate " << s.by_maturity.at(Maturity::kCandidate) << ", established " << s.by_maturity.at(Maturity::kEstablished)
      << ", proven " << s.by_maturity.at(Maturity::kProven) << ", deprecated " << s.by_maturity.at(Maturity::kDeprecated) << "\n";
  out << "Confidence: mean " << fixed(s.mean_confidence, 3) << ";";
  const char* ranges[] = {"0.0-0.2", "0.2-0.4", "0.4-0.6", "0.6-0.8", "0.8-1.0"};
  for (std::size_t i = 0; i < s.confidence_distribution.size(); ++i) out << " " << ranges[i] << ": " << s.confidence_distribution[i];
  out << "\nStale rules (not validated for " << s.stale_after_days << " days): " << s.stale_count << "\n";
  out << "Feedback: " << s.helpful_signals << " helpful, " << s.harmful_signals << " harmful\n";
  out << "History: " << s.indexed_tasks << " tasks indexed, " << s.pending_tasks << " waiting\n";
  if (!s.last_reflection) {
    out << "Last reflection: never (run cm reflect)\n";
  } else {
    out << "Last reflection: " << ipc::format_timestamp(s.last_reflection->started) << " (" << s.last_reflection->trigger << ", "
        << s.last_reflection->status << "), " << s.reflection_runs << " runs in all\n";
  }
}

void print_human(std::ostream& out, const PatternsResult& r) { print_patterns(out, r.failures, r.successes, r.sessions); }

void print_human(std::ostream& out, const ReflectionReport& r) {
  print_patterns(out, r.patterns.failures, r.patterns.successes, r.session_patterns);
  out << "Learned:\n";
  for (const auto& [id, content] : r.rules_added) out << "  + rule " << id << ": " << content << "\n";
  for (const auto& [id, content] : r.anti_patterns_added) out << "  + anti-pattern " << id << ": " << content << "\n";
  for (const auto& id : r.rules_reinforced) out << "  ^ reinforced " << id << "\n";
  for (const auto& [from, to] : r.rules_inverted) out << "  ! inverted " << from << " into " << to << "\n";
  for (const auto& id : r.rules_retired) out << "  - retired " << id << "\n";
  if (r.rules_added.empty() && r.anti_patterns_added.empty() && r.rules_reinforced.empty() && r.rules_retired.empty() &&
      r.rules_inverted.empty()) {
    out << "  nothing new\n";
  }
  out << "Feedback applied: " << r.feedback_applied << "; tasks indexed: " << r.history_indexed << "; took "
      << fixed(r.duration_seconds * 1000.0, 1) << " ms\n";
}

void print_human(std::ostream& out, const DoctorReport& r) {
  out << "cm doctor: " << to_string(r.status()) << " (store " << r.store << ")\n";
  for (const auto& c : r.checks) {
    out << "  [" << pad(std::string(to_string(c.status)) + "]", 6) << " " << pad(c.name, 16) << c.message << "\n";
    if (!c.fix.empty()) out << "           fix: " << c.fix << "\n";
  }
}

void print_human(std::ostream& out, const learning::ClaudeCodeInstall& result) {
  out << result.settings_path << (result.created ? " (new)" : "") << ":\n";
  for (const auto& c : result.changes) out << "  " << c.action << " the " << c.event << " hook\n";
  out << (result.written ? "  runs: " + result.command + "\n" : "  nothing to change\n");
}

void print_human(std::ostream& out, const SimilarResult& result) {
  out << "Rules like \"" << result.text << "\" (" << result.rules.size() << "):\n";
  if (result.rules.empty()) out << "  (none)\n";
  for (const auto& r : result.rules) {
    out << "  " << fixed(r.similarity, 2) << "  [" << r.rule.bullet.id << "] " << r.rule.bullet.content << "  ("
        << to_string(r.rule.bullet.kind) << (r.rule.bullet.active ? "" : ", retired") << ", confidence " << fixed(r.rule.confidence, 2)
        << ")\n";
  }
}

void print_human(std::ostream& out, const WhyResult& result) {
  const Bullet& b = result.rule.bullet;
  out << "[" << b.id << "] " << b.content << "\n  " << to_string(b.kind) << ", " << (b.active ? "active" : "retired: " + b.retired_reason)
      << ", confidence " << fixed(result.rule.confidence, 2) << ", evidence " << b.evidence_count << ", helpful " << fixed(b.helpful, 2)
      << ", harmful " << fixed(b.harmful, 2) << "\n  " << provenance(b.source, b.added_by, b.created) << "\n";
  out << "Patterns (" << result.patterns.size() << "):\n";
  for (const auto& p : result.patterns) out << "  " << p.dump() << "\n";
  out << "Feedback (" << result.feedback.size() << "):\n";
  for (const auto& f : result.feedback) {
    out << "  " << ipc::format_timestamp(f.time).substr(0, 19) << "  " << pad(to_string(f.kind), 8) << fixed(f.weight, 2) << "  "
        << pad(f.origin, 9) << (f.session_id.empty() ? "" : "session " + f.session_id) << (f.note.empty() ? "" : "  " + f.note) << "\n";
  }
  out << "Given by a hook to " << result.sessions_given << " session(s); graded by " << result.sessions.size() << "\n";
  out << "Learned from the tasks it helped: " << (b.learned.empty() ? "(no words yet)" : b.learned) << "\n";
}

void print_human(std::ostream& out, const StaleResult& result) {
  out << "Rules not confirmed for " << fixed(result.stale_after_days, 0) << " days (" << result.rules.size() << "):\n";
  if (result.rules.empty()) out << "  (none)\n";
  for (const auto& r : result.rules) {
    out << "  " << pad(fixed((result.now - r.bullet.last_validated) / kSecondsPerDay, 0) + " d", 7) << "[" << r.bullet.id << "] "
        << r.bullet.content << "  (confidence " << fixed(r.confidence, 2) << ")\n";
  }
}

void print_human(std::ostream& out, const ForgetResult& result) {
  out << "forgot " << result.id << ": " << result.content << "\n  with " << result.feedback << " grade(s), " << result.patterns
      << " pattern link(s), " << result.sessions << " session row(s)\n";
}

void print_human(std::ostream& out, const UndoResult& result) {
  out << "undid " << result.command << " (" << result.summary << "), made " << ipc::format_timestamp(result.time) << "\n";
}

void print_human(std::ostream& out, const AgentsMdExport& result) { out << result.text; }

}  // namespace agentmetrics::cli
