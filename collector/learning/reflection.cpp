#include "collector/learning/reflection.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <chrono>

#include "collector/common/intake_key.h"
#include "collector/common/log.h"
#include "collector/learning/blame.h"
#include "collector/learning/history_index.h"
#include "collector/learning/learning_error.h"
#include "collector/learning/playbook.h"
#include "collector/learning/sqlite_util.h"
#include "collector/learning/text_tokens.h"
#include "collector/store/sqlite_statement.h"
#include "collector/store/sqlite_transaction.h"
#include "ipc/timestamp.h"

namespace agentmetrics::learning {
namespace {

using store::SqliteStatement;
using store::Transaction;

constexpr std::string_view kFeedbackWatermark = "feedback_watermark";

double wall_seconds() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

std::string weak_pattern_id(const WeakApproach& w) {
  return "p-" + hex64(fnv1a64("weak\x1f" + w.agent_type + "\x1f" + w.task_type + "\x1f" + w.approach)).substr(0, 6);
}

std::int64_t count_after(const std::vector<double>& times, double after) {
  return static_cast<std::int64_t>(std::count_if(times.begin(), times.end(), [&](double t) { return t > after; }));
}

// A rule the playbook has no room for is counted and learned again at a later reflection.
AddResult add_unless_full(RuleBook& playbook, const NewBullet& bullet, double now, ReflectionReport& report) {
  try {
    return playbook.add(bullet, now);
  } catch (const LearningError& e) {
    if (e.code() != "PLAYBOOK_FULL") throw;
    ++report.rules_refused;
    return AddResult{Bullet{}, AddAction::kUnchanged, 0};
  }
}

void learn(RuleBook& playbook, const LearnedRule& l, double now, ReflectionReport& report) {
  const std::string& pattern_id = l.bullet.pattern_id;
  const double newest = l.times.empty() ? now : *std::max_element(l.times.begin(), l.times.end());
  if (auto existing = playbook.find_by_pattern(pattern_id)) {
    const std::int64_t fresh = count_after(l.times, playbook.pattern_counted_until(existing->id, pattern_id));
    if (fresh == 0) return;
    if (existing->active) {
      playbook.reinforce(*existing, fresh, now);
      playbook.link_pattern(existing->id, pattern_id, newest);
      report.rules_reinforced.push_back(existing->id);
      return;
    }
    if (existing->retired_reason != "stale") return;  // removed by a person, inverted or proven weak: stays retired
    NewBullet again = l.bullet;
    again.content = existing->content;
    again.evidence_count = fresh;
    again.pattern_counted_until = newest;
    const AddResult r = add_unless_full(playbook, again, now, report);
    if (r.action != AddAction::kUnchanged) report.rules_reinforced.push_back(r.bullet.id);
    return;
  }
  NewBullet nb = l.bullet;
  nb.pattern_counted_until = newest;
  const AddResult r = add_unless_full(playbook, nb, now, report);
  switch (r.action) {
    case AddAction::kAdded:
      (nb.kind == BulletKind::kRule ? report.rules_added : report.anti_patterns_added).emplace_back(r.bullet.id, r.bullet.content);
      break;
    case AddAction::kReinforced:
    case AddAction::kRevived: report.rules_reinforced.push_back(r.bullet.id); break;
    case AddAction::kUnchanged: break;
  }
}

// A pattern's labels come from events, which any local producer, forge or OTLP exporter can
// send, and a learned rule words them into text that agents obey. Only a label that is one
// short identifier is worded; a pattern with another keeps its statistics but makes no rule.
bool wordable(std::initializer_list<std::string_view> labels) {
  return std::all_of(labels.begin(), labels.end(), [](std::string_view label) {
    return !label.empty() && label.size() <= 64 && std::all_of(label.begin(), label.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':' || c == '/';
    });
  });
}

std::vector<LearnedRule> rules_from(const PatternSet& set, const ReflectionSettings& settings, std::size_t& unworded) {
  std::vector<LearnedRule> out;
  for (const auto& p : set.failures) {
    if (p.occurrence_count < settings.min_failures_for_rule) continue;
    if (!wordable({p.stage, p.failure_type})) {
      ++unworded;
      continue;
    }
    LearnedRule l;
    l.bullet.content = "Recurring " + humanize(p.failure_type) + " in the " + humanize(p.stage) + " stage: " + p.recommended_action;
    l.bullet.kind = BulletKind::kRule;
    l.bullet.source = BulletSource::kLearning;
    l.bullet.added_by = "reflection";
    l.bullet.tags = {p.stage, p.failure_type, "failure-pattern"};
    l.bullet.confidence = std::min(0.9, 0.3 + 0.1 * static_cast<double>(p.occurrence_count));
    l.bullet.evidence_count = p.occurrence_count;
    l.bullet.scope.stage = p.stage;
    l.bullet.scope.failure_type = p.failure_type;
    l.bullet.pattern_id = p.pattern_id;
    l.times = p.occurrence_times;
    out.push_back(std::move(l));
  }
  for (const auto& p : set.successes) {
    if (!p.recommended) continue;
    if (!wordable({p.agent_type, p.task_type, p.approach})) {
      ++unworded;
      continue;
    }
    LearnedRule l;
    l.bullet.content =
        "For " + humanize(p.task_type) + " tasks, the " + humanize(p.agent_type) + " agent succeeds with " + humanize(p.approach);
    l.bullet.kind = BulletKind::kRule;
    l.bullet.source = BulletSource::kLearning;
    l.bullet.added_by = "reflection";
    l.bullet.tags = {p.agent_type, p.task_type, p.approach, "success-pattern"};
    l.bullet.confidence =
        std::clamp(0.5 * p.success_rate + 0.05 * static_cast<double>(std::min<std::int64_t>(p.success_count, 8)), 0.3, 0.9);
    l.bullet.evidence_count = p.success_count;
    l.bullet.scope.agent_type = p.agent_type;
    l.bullet.scope.task_type = p.task_type;
    l.bullet.pattern_id = p.pattern_id;
    l.times = p.success_times;
    out.push_back(std::move(l));
  }
  for (const auto& w : set.weak_approaches) {
    if (!wordable({w.agent_type, w.task_type, w.approach})) {
      ++unworded;
      continue;
    }
    LearnedRule l;
    l.bullet.content = "AVOID: the " + humanize(w.approach) + " approach for " + humanize(w.task_type) + " tasks with the " +
                       humanize(w.agent_type) + " agent; it rarely succeeds";
    l.bullet.kind = BulletKind::kAntiPattern;
    l.bullet.source = BulletSource::kLearning;
    l.bullet.added_by = "reflection";
    l.bullet.tags = {w.agent_type, w.task_type, w.approach, "weak-approach"};
    l.bullet.confidence = std::min(0.9, 0.9 * (1.0 - w.success_rate));
    l.bullet.evidence_count = w.attempts - w.successes;
    l.bullet.scope.agent_type = w.agent_type;
    l.bullet.scope.task_type = w.task_type;
    l.bullet.pattern_id = weak_pattern_id(w);
    // Only the latest attempt's time is kept: a later attempt reinforces the anti-pattern once.
    l.times = {w.last_attempt};
    out.push_back(std::move(l));
  }
  return out;
}

std::string tag_of(std::string_view label) {
  std::string tag(label);
  std::transform(tag.begin(), tag.end(), tag.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return tag;
}

void session_rules_from(const std::vector<SessionPattern>& patterns, std::vector<LearnedRule>& out, std::size_t& unworded) {
  for (const auto& p : patterns) {
    const auto text = session_rule_text(p);
    if (!text) {
      ++unworded;
      continue;
    }
    LearnedRule l;
    l.bullet.content = *text;
    l.bullet.kind = BulletKind::kRule;
    l.bullet.source = BulletSource::kLearning;
    l.bullet.added_by = "reflection";
    l.bullet.tags = {std::string(to_string(p.kind)), "session-pattern"};
    if (!p.tool.empty()) l.bullet.tags.push_back(tag_of(p.tool));
    switch (p.kind) {
      case SessionPatternKind::kToolFailing:
        l.bullet.scope.stage = p.stage;
        l.bullet.scope.failure_type = "tool_error";
        break;
      case SessionPatternKind::kEditRejected:
        l.bullet.scope.stage = "edit";
        l.bullet.scope.failure_type = p.reason;
        break;
      case SessionPatternKind::kCommandRetried:
        l.bullet.scope.stage = p.stage;
        l.bullet.scope.failure_type = p.unchanged * 2 >= p.runs ? "flaky" : "retried";
        break;
    }
    l.bullet.tags.push_back(l.bullet.scope.stage);
    l.bullet.confidence = std::min(0.9, 0.3 + 0.1 * static_cast<double>(p.session_count));
    l.bullet.evidence_count = static_cast<std::int64_t>(p.occurrence_times.size());
    l.bullet.pattern_id = p.pattern_id;
    l.times = p.occurrence_times;
    out.push_back(std::move(l));
  }
}

void store_patterns(sqlite3* db, const PatternSet& set, const std::vector<SessionPattern>& sessions, std::int64_t reflection_id,
                    double now) {
  Transaction tx(db, Transaction::Mode::kWrite);
  SqliteStatement st(db, "INSERT OR REPLACE INTO patterns(pattern_id, kind, data, reflection_id, updated) VALUES(?, ?, ?, ?, ?)");
  auto put = [&](const std::string& id, std::string_view kind, const nlohmann::ordered_json& data) {
    st.reset();
    st.bind(1, id);
    st.bind(2, kind);
    st.bind(3, data.dump());
    st.bind(4, reflection_id);
    st.bind(5, now);
    st.run();
  };
  for (const auto& p : set.failures) put(p.pattern_id, "failure", to_json(p));
  for (const auto& p : set.successes) put(p.pattern_id, "success", to_json(p));
  for (const auto& p : sessions) put(p.pattern_id, "session", to_json(p));
  tx.commit();
}

// The embedded store's playbook as a reflection writes it.
class PlaybookRuleBook final : public RuleBook {
 public:
  explicit PlaybookRuleBook(Playbook& playbook) : playbook_(playbook) {}
  std::optional<Bullet> find_by_pattern(std::string_view pattern_id) override { return playbook_.find_by_pattern(pattern_id); }
  double pattern_counted_until(std::string_view bullet_id, std::string_view pattern_id) override {
    return playbook_.pattern_counted_until(bullet_id, pattern_id);
  }
  void reinforce(const Bullet& bullet, std::int64_t evidence, double now) override { playbook_.reinforce(bullet, evidence, now); }
  void link_pattern(std::string_view bullet_id, std::string_view pattern_id, double counted_until) override {
    playbook_.link_pattern(bullet_id, pattern_id, counted_until);
  }
  AddResult add(const NewBullet& bullet, double now) override { return playbook_.add(bullet, now); }

 private:
  Playbook& playbook_;
};

}  // namespace

nlohmann::ordered_json run_summary(const ReflectionReport& report) {
  return {{"failure_patterns", report.patterns.failures.size()},
          {"success_patterns", report.patterns.successes.size()},
          {"weak_approaches", report.patterns.weak_approaches.size()},
          {"session_patterns", report.session_patterns.size()},
          {"rules_added", report.rules_added.size()},
          {"anti_patterns_added", report.anti_patterns_added.size()},
          {"rules_reinforced", report.rules_reinforced.size()},
          {"rules_inverted", report.rules_inverted.size()},
          {"rules_retired", report.rules_retired.size()},
          {"rules_refused", report.rules_refused},
          {"feedback_applied", report.feedback_applied},
          {"history_indexed", report.history_indexed},
          {"decayed", report.decayed},
          {"cancelled", report.cancelled}};
}

std::vector<LearnedRule> learn_from(std::span<const OutcomeRow> rows, const SessionActivityLoad& activity,
                                    const ReflectionSettings& settings, ReflectionReport& report) {
  report.patterns = extract_patterns(rows, settings.actions, settings.patterns);
  report.session_patterns = detect_session_patterns(activity.sessions, settings.session_patterns);
  report.session_facts_rejected = activity.unreadable + activity.entries_rejected;
  if (report.session_facts_rejected > 0)
    log(LogLevel::kWarn, "reflection: session tool_failures not of the vocabulary were left out",
        {{"count", report.session_facts_rejected}});
  auto learned = rules_from(report.patterns, settings, report.patterns_unworded);
  session_rules_from(report.session_patterns, learned, report.patterns_unworded);
  if (report.patterns_unworded > 0)
    log(LogLevel::kWarn, "reflection: patterns whose labels are not identifiers (or outside the vocabulary) made no rule",
        {{"count", report.patterns_unworded}});
  return learned;
}

void write_learned(RuleBook& rules, const std::vector<LearnedRule>& learned, double now, const ReflectionSettings& settings,
                   ReflectionReport& report) {
  ReflectionReport changes;
  for (const auto& l : learned) learn(rules, l, now, changes);
  report.rules_added = std::move(changes.rules_added);
  report.anti_patterns_added = std::move(changes.anti_patterns_added);
  report.rules_reinforced = std::move(changes.rules_reinforced);
  report.rules_refused = changes.rules_refused;
  if (report.rules_refused > 0) {
    log(LogLevel::kWarn, "reflection: the playbook is full of rules that may not give way; learned rules were not added",
        {{"count", report.rules_refused}, {"max_rules", settings.max_rules}});
  }
}

namespace {

void count_signal(const FeedbackResult& r, TaskFeedbackTally& tally) {
  if (r.skipped) {
    ++tally.skipped;
    return;
  }
  ++tally.signals;
  if (!r.inverted_to.empty()) tally.inverted.emplace_back(r.bullet_id, r.inverted_to);
  if (r.retired) tally.retired.push_back(r.bullet_id);
}

}  // namespace

FeedbackSignal marker_signal(const FeedbackMarker& marker, const std::string& session, double time) {
  FeedbackSignal s;
  s.bullet_id = marker.rule_id;
  s.kind = marker.helpful ? FeedbackKind::kHelpful : FeedbackKind::kHarmful;
  s.origin = "marker";
  if (!session.empty()) s.session_id = session;
  s.time = time;
  return s;
}

void apply_event_markers(const std::vector<FeedbackMarker>& markers, const std::function<bool(const std::string&)>& exists,
                         const std::string& session, std::string_view title, std::int64_t event_id, double time,
                         const std::function<FeedbackResult(const FeedbackSignal&)>& feedback, TaskFeedbackTally& tally) {
  for (const auto& m : markers) {
    if (!exists(m.rule_id)) {
      ++tally.unknown_rules;
      continue;
    }
    FeedbackSignal s = marker_signal(m, session, time);
    s.event_id = event_id;
    s.task = title;
    count_signal(feedback(s), tally);
  }
}

std::string event_session_key(std::string_view task_type, std::uint64_t producer_id, std::string_view session_id) {
  return task_type == "session" ? session_digest(producer_id) : std::string(session_id);
}

void apply_task_event(const std::vector<Bullet>& rules, bool success, const FailureContext& failure, const std::string& session_id,
                      std::string_view title, std::int64_t event_id, double time,
                      const std::function<FeedbackResult(const FeedbackSignal&)>& feedback, TaskFeedbackTally& tally) {
  if (rules.empty()) return;
  std::vector<double> weights(rules.size(), 1.0);
  if (!success) weights = blame_failure(rules, failure);
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (weights[i] <= 0) continue;
    FeedbackSignal s;
    s.bullet_id = rules[i].id;
    s.kind = success ? FeedbackKind::kHelpful : FeedbackKind::kHarmful;
    s.weight = weights[i];
    s.origin = "task_event";
    if (!session_id.empty()) s.session_id = session_id;
    s.event_id = event_id;
    s.time = time;
    s.task = title;
    count_signal(feedback(s), tally);
  }
}

nlohmann::ordered_json to_json(const ReflectionReport& report) {
  auto pairs = [](const std::vector<std::pair<std::string, std::string>>& v, const char* a, const char* b) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& [x, y] : v) out.push_back({{a, x}, {b, y}});
    return out;
  };
  nlohmann::ordered_json failures = nlohmann::ordered_json::array(), successes = nlohmann::ordered_json::array(),
                         weak = nlohmann::ordered_json::array();
  for (const auto& p : report.patterns.failures) failures.push_back(learning::to_json(p));
  for (const auto& p : report.patterns.successes) successes.push_back(learning::to_json(p));
  for (const auto& p : report.patterns.weak_approaches) weak.push_back(learning::to_json(p));
  nlohmann::ordered_json sessions = nlohmann::ordered_json::array();
  for (const auto& p : report.session_patterns) sessions.push_back(learning::to_json(p));
  return {{"reflection_id", report.id},
          {"trigger", report.trigger},
          {"started", ipc::format_timestamp(report.started)},
          {"duration_ms", round_to(report.duration_seconds * 1000.0, 1)},
          {"failure_patterns", failures},
          {"success_patterns", successes},
          {"weak_approaches", weak},
          {"session_patterns", sessions},
          {"session_facts_rejected", report.session_facts_rejected},
          {"rules_added", pairs(report.rules_added, "id", "content")},
          {"anti_patterns_added", pairs(report.anti_patterns_added, "id", "content")},
          {"rules_reinforced", report.rules_reinforced},
          {"rules_inverted", pairs(report.rules_inverted, "from", "to")},
          {"rules_retired", report.rules_retired},
          {"patterns_unworded", report.patterns_unworded},
          {"rules_refused", report.rules_refused},
          {"feedback_applied", report.feedback_applied},
          {"history_indexed", report.history_indexed},
          {"decayed", report.decayed},
          {"cancelled", report.cancelled}};
}

namespace {

// One transaction of apply_task_feedback; false when there was nothing left to read.
bool task_feedback_batch(sqlite3* db, const Playbook& playbook, std::size_t batch, TaskFeedbackTally& tally) {
  Playbook pb(db, playbook.model(), playbook.max_active());
  Transaction tx(db, Transaction::Mode::kWrite);
  std::int64_t wm = state_int(db, kFeedbackWatermark).value_or(0);
  std::int64_t max_id = 0;
  {
    SqliteStatement st(db, "SELECT coalesce(max(id), 0) FROM events");
    st.step();
    max_id = st.column_int64(0);
  }
  if (max_id < wm) wm = 0;  // the events were removed and ids started again
  if (max_id == wm) {
    tx.commit();
    return false;
  }
  const std::int64_t upper = event_batch_end(db, wm, batch, max_id);
  // `+kind`: see event_batch_end.
  SqliteStatement st(db,
                     "SELECT id, time, json_extract(fields, '$.rule_ids'), coalesce(json_extract(fields, '$.success'), 0), "
                     "coalesce(json_extract(fields, '$.stage'), ''), coalesce(json_extract(fields, '$.failure_type'), ''), "
                     "coalesce(json_extract(fields, '$.session_id'), ''), coalesce(json_extract(fields, '$.title'), ''), "
                     "coalesce(json_extract(fields, '$.rule_feedback'), ''), coalesce(json_extract(fields, '$.task_type'), ''), "
                     "producer_id FROM events WHERE id > ? AND id <= ? AND +kind = 'task' AND "
                     "(json_extract(fields, '$.rule_ids') IS NOT NULL OR json_extract(fields, '$.rule_feedback') IS NOT NULL) ORDER BY id");
  st.bind(1, wm);
  st.bind(2, upper);
  while (st.step()) {
    const std::int64_t event_id = st.column_int64(0);
    const double time = st.column_double(1);
    const auto feedback = [&](const FeedbackSignal& s) { return pb.feedback(s); };
    apply_event_markers(
        parse_rule_feedback(st.column_text(8)), [&](const std::string& id) { return pb.find(id).has_value(); },
        event_session_key(st.column_text(9), static_cast<std::uint64_t>(st.column_int64(10)), st.column_text(6)), st.column_text(7),
        event_id, time, feedback, tally);
    std::vector<Bullet> rules;
    for (const auto& id : split_list(st.column_text(2))) {
      if (auto b = pb.find(id)) {
        rules.push_back(std::move(*b));
      } else {
        ++tally.unknown_rules;
      }
    }
    if (!rules.empty() || !st.column_text(8).empty()) ++tally.events;
    apply_task_event(rules, st.column_int(3) != 0, {st.column_text(4), st.column_text(5)}, st.column_text(6), st.column_text(7), event_id,
                     time, feedback, tally);
  }
  set_state_int(db, kFeedbackWatermark, upper);
  tx.commit();
  return true;
}

}  // namespace

TaskFeedbackTally apply_task_feedback(sqlite3* db, Playbook& playbook, std::size_t batch, const std::atomic<bool>* cancel, bool paced,
                                      const WriteRunner* runner) {
  TaskFeedbackTally tally;
  WritePacer pacer(paced);
  for (;;) {
    if (cancel && cancel->load()) break;
    pacer.begin();
    bool more = false;
    TaskFeedbackTally part;
    run_write(db, runner, [&](sqlite3* w) {
      part = {};
      more = task_feedback_batch(w, playbook, batch, part);
    });
    tally.events += part.events;
    tally.signals += part.signals;
    tally.skipped += part.skipped;
    tally.unknown_rules += part.unknown_rules;
    tally.inverted.insert(tally.inverted.end(), part.inverted.begin(), part.inverted.end());
    tally.retired.insert(tally.retired.end(), part.retired.begin(), part.retired.end());
    if (!more) break;
    pacer.end();
  }
  return tally;
}

void record_reflection_run(const std::function<void()>& steps, const std::function<void(const char*, const std::string&)>& finish) {
  try {
    steps();
  } catch (const std::exception& e) {
    try {
      finish("error", e.what());
    } catch (const std::exception& not_recorded) {
      log(LogLevel::kWarn, "reflection: the failed run could not be recorded", {{"error", e.what()}, {"reason", not_recorded.what()}});
    }
    throw;
  }
  finish("ok", "");
}

ReflectionReport run_reflection(sqlite3* db, const ReflectionSettings& settings, std::string_view trigger, double now,
                                const std::atomic<bool>* cancel, const WriteRunner* runner) {
  ReflectionReport report;
  report.trigger = trigger;
  report.started = now;
  const double t0 = wall_seconds();
  run_write(db, runner, [&](sqlite3* w) {
    Transaction tx(w, Transaction::Mode::kWrite);
    SqliteStatement st(w, "INSERT INTO reflection_runs(started, trigger, status) VALUES(?, ?, 'running')");
    st.bind(1, now);
    st.bind(2, trigger);
    st.run();
    report.id = sqlite3_last_insert_rowid(w);
    tx.commit();
  });
  auto finish = [&](const char* status, const std::string& error) {
    report.duration_seconds = wall_seconds() - t0;
    const nlohmann::ordered_json summary = run_summary(report);
    run_write(db, runner, [&](sqlite3* w) {
      Transaction tx(w, Transaction::Mode::kWrite);
      SqliteStatement st(w,
                         "UPDATE reflection_runs SET finished = ?, duration_seconds = ?, status = ?, summary = ?, error = ? WHERE id = ?");
      st.bind(1, now + report.duration_seconds);
      st.bind(2, report.duration_seconds);
      st.bind(3, std::string_view(status));
      st.bind(4, summary.dump());
      if (error.empty())
        st.bind_null(5);
      else
        st.bind(5, error);
      st.bind(6, report.id);
      st.run();
      tx.commit();
    });
  };
  record_reflection_run(
      [&] {
        Playbook playbook(db, settings.model, settings.max_rules);
        report.history_indexed = HistoryIndex(db).catch_up(settings.batch, SIZE_MAX, cancel, settings.paced, runner);

        const TaskFeedbackTally tally = apply_task_feedback(db, playbook, settings.batch, cancel, settings.paced, runner);
        report.feedback_applied = tally.signals;
        report.rules_inverted = tally.inverted;
        report.rules_retired = tally.retired;

        std::vector<OutcomeRow> rows;
        SessionActivityLoad activity;
        {
          Transaction snapshot(db, Transaction::Mode::kRead);
          rows = load_outcome_rows(db, now - settings.patterns.window_seconds, now);
          if (settings.session_patterns.enabled) activity = load_session_activity(db, now - settings.patterns.window_seconds, now);
        }
        const auto learned = learn_from(rows, activity, settings, report);
        run_write(db, runner, [&](sqlite3* w) { store_patterns(w, report.patterns, report.session_patterns, report.id, now); });
        run_write(db, runner, [&](sqlite3* w) {
          Playbook pb(w, settings.model, settings.max_rules);
          PlaybookRuleBook rules(pb);
          Transaction tx(w, Transaction::Mode::kWrite);
          write_learned(rules, learned, now, settings, report);
          tx.commit();
        });

        const DecayResult decay = playbook.decay_all(now, settings.batch, cancel, settings.paced, runner);
        report.decayed = decay.decayed;
        report.rules_retired.insert(report.rules_retired.end(), decay.retired.begin(), decay.retired.end());
        report.cancelled = cancel && cancel->load();
      },
      finish);
  return report;
}

}  // namespace agentmetrics::learning
