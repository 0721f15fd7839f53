#include "collector/learning/learning_service.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include "collector/common/log.h"
#include "collector/common/unix_time.h"
#include "collector/learning/blame.h"
#include "collector/learning/context_text.h"
#include "collector/learning/fts_stemmer.h"
#include "collector/learning/history_index.h"
#include "collector/learning/learned_words.h"
#include "collector/learning/learning_schema.h"
#include "collector/learning/project_scope.h"
#include "collector/learning/query_terms.h"
#include "collector/learning/rule_search.h"
#include "collector/learning/session_rules.h"
#include "collector/learning/sqlite_util.h"
#include "collector/learning/symptoms.h"
#include "collector/learning/text_tokens.h"
#include "collector/learning/thesaurus.h"
#include "collector/learning/undo_journal.h"
#include "collector/learning/wordnet.h"
#include "collector/store/sqlite_event_store.h"
#include "collector/store/sqlite_statement.h"
#include "collector/store/sqlite_transaction.h"

namespace agentmetrics::learning {
namespace {

using store::SqliteStatement;
using store::StoreError;
using store::Transaction;

constexpr std::size_t kMaxTaskBytes = 10000;
constexpr std::size_t kMaxQueryWords = 32;
// At most this many past tasks are ranked (the newest); see query_terms.h. Each ranked match costs
// BM25 a lookup of its length, a cold page in a fresh `cm` process; the newest are the more
// telling, and 400 instead of 100 cost about 5 ms of a 20 ms `cm context`.
constexpr std::int64_t kMaxRankedTasks = 100;
// How long indexing before a search waits for another writer's lock.
constexpr std::chrono::milliseconds kIndexLockWait{5};

std::string trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return std::string(text);
}

// Bullets are never deleted: the largest seq is their number.
std::int64_t bullet_count(sqlite3* db) {
  SqliteStatement n(db, "SELECT coalesce(max(seq), 0) FROM bullets");
  n.step();
  return n.column_int64(0);
}

}  // namespace

LearningService::LearningService(sqlite3* db, LearningSettings settings)
    : db_(db), settings_(std::move(settings)), playbook_(db, settings_.reflection.model, settings_.reflection.max_rules) {
  ensure_learning_schema(db_);
}

LearningService::~LearningService() = default;

std::vector<BulletView> LearningService::views(const std::vector<Bullet>& bullets, double t) const {
  std::vector<BulletView> out;
  out.reserve(bullets.size());
  for (const auto& b : bullets) out.push_back({b, b.confidence_at(t, playbook_.model())});
  return out;
}

BulletView LearningService::view(const std::string& id, double t) const {
  Bullet b = playbook_.get(id);
  const double confidence = b.confidence_at(t, playbook_.model());
  return {std::move(b), confidence};
}

double LearningService::now() const { return unix_now(settings_.clock); }

std::optional<std::string> LearningService::refresh_search_indexes() {
  // Another writer (the collector's store thread commits every few milliseconds; a reflection
  // or a bulk import holds it longer) is waited for briefly, not for the store's 5 s: `cm
  // context` has 20 ms in all, and what is indexed already answers well.
  sqlite3_busy_timeout(db_, static_cast<int>(kIndexLockWait.count()));
  struct RestoreTimeout {
    sqlite3* db;
    ~RestoreTimeout() { sqlite3_busy_timeout(db, store::SqliteEventStore::kBusyTimeoutMs); }
  } restore{db_};
  HistoryIndex history(db_);
  try {
    if (history.behind()) history.catch_up();
    compact_fts_index(db_, "history_fts", "history_fts_compacted", history.size());
    compact_fts_index(db_, "bullets_fts", "bullets_fts_compacted", bullet_count(db_));
  } catch (const StoreError& e) {
    // A read-only or busy store is searched as it is; anything else is a real failure.
    if (e.kind() != StoreError::Kind::kBusy && e.kind() != StoreError::Kind::kUnavailable) throw;
    log(LogLevel::kDebug, "learning: the search indexes are searched as they are", {{"reason", e.what()}});
    if (history.behind()) {
      return std::string(e.kind() == StoreError::Kind::kBusy ? "the store is locked by another writer" : "the store cannot be written") +
             ": past tasks stored since the last index were not searched";
    }
  }
  return std::nullopt;
}

int checked_context_query(std::string_view task_text, std::optional<int> limit, std::string_view project, const LearningSettings& settings,
                          std::string& task) {
  task = trimmed(task_text);
  if (!valid_utf8(task)) throw input_error("INVALID_TEXT", "the task must be UTF-8 text", {"check the terminal's or the file's encoding"});
  if (task.empty()) throw input_error("EMPTY_TASK", "the task is empty", {"describe the task: cm context \"fix the login redirect\""});
  if (task.size() > kMaxTaskBytes)
    throw input_error("TASK_TOO_LONG", "the task is longer than 10000 bytes", {"describe the task in a sentence or two"});
  if (!valid_project_name(project)) throw input_error("INVALID_PROJECT", "the project is not a valid name", {"--project my-service"});
  const int checked = limit.value_or(settings.context_limit);
  if (checked < 1 || checked > 100) throw input_error("INVALID_LIMIT", "the limit must be between 1 and 100", {"pass --limit 5"});
  return checked;
}

std::vector<std::string> checked_outcome_rules(const OutcomeRequest& request) {
  const std::string status = trimmed(request.status);
  if (status != "success" && status != "failure") {
    throw input_error(
        "INVALID_STATUS", "the outcome must be success or failure, not '" + status + "'",
        {"cm outcome success --rules b-8f3a2c", "cm outcome failure --rules b-8f3a2c --stage test --failure-type test_failure"});
  }
  std::vector<std::string> ids;
  for (const auto& raw : request.rule_ids) {
    for (auto& id : split_list(raw)) {
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(std::move(id));
    }
  }
  if (ids.empty())
    throw input_error("MISSING_RULES", "no rule ids given", {"pass the ids of the rules that were used: --rules b-8f3a2c,b-3d7e9f"});
  checked_feedback_task(request.task);
  return ids;
}

std::string checked_feedback_task(std::string_view task) {
  std::string out = trimmed(task);
  if (!valid_utf8(out)) throw input_error("INVALID_TEXT", "the task must be UTF-8 text", {"check the terminal's or the file's encoding"});
  if (out.size() > kMaxTaskBytes)
    throw input_error("TASK_TOO_LONG", "the task is longer than 10000 bytes", {"describe the task in a sentence or two"});
  return out;
}

OutcomeResult grade_given(const std::vector<GivenRule>& rules, bool success, std::string_view failure_type, const std::string& session_id,
                          const std::function<OutcomeResult(const OutcomeRequest&)>& outcome) {
  OutcomeResult result;
  result.success = success;
  std::vector<OutcomeRequest> requests;
  for (const auto& rule : rules) {
    const std::string task = success ? rule.task : "";
    auto same = std::ranges::find_if(requests, [&](const OutcomeRequest& r) { return r.task == task; });
    if (same == requests.end()) {
      same = requests.insert(requests.end(), {success ? "success" : "failure", {}, "", std::string(failure_type), session_id, task});
    }
    same->rule_ids.push_back(rule.id);
  }
  for (const auto& request : requests) {
    OutcomeResult r = outcome(request);
    result.policy = r.policy;
    for (auto& a : r.applied) result.applied.push_back(std::move(a));
    for (auto& u : r.unaffected) result.unaffected.push_back(std::move(u));
    for (auto& i : r.inverted) result.inverted.push_back(std::move(i));
    for (auto& x : r.retired) result.retired.push_back(std::move(x));
  }
  return result;
}

OutcomeResult apply_outcome(const OutcomeRequest& request, const std::vector<Bullet>& rules, double now,
                            const std::function<FeedbackResult(const FeedbackSignal&)>& feedback) {
  OutcomeResult result;
  const bool success = result.success = trimmed(request.status) == "success";
  const FailureContext failure{request.stage, request.failure_type};
  result.policy = success ? BlamePolicy::kCredit : failure.known() ? BlamePolicy::kRelated : BlamePolicy::kSplit;
  const std::vector<double> weights = success ? std::vector<double>(rules.size(), 1.0) : blame_failure(rules, failure);
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (weights[i] <= 0) {
      result.unaffected.push_back(rules[i].id);
      continue;
    }
    FeedbackSignal s;
    s.bullet_id = rules[i].id;
    s.kind = success ? FeedbackKind::kHelpful : FeedbackKind::kHarmful;
    s.weight = weights[i];
    s.origin = "outcome";
    if (!request.session_id.empty()) s.session_id = request.session_id;
    s.note = success ? "" : (request.stage + " " + request.failure_type);
    s.task = trimmed(request.task);
    s.time = now;
    const FeedbackResult r = feedback(s);
    if (!r.inverted_to.empty()) result.inverted.emplace_back(r.bullet_id, r.inverted_to);
    if (r.retired) result.retired.push_back(r.bullet_id);
    result.applied.push_back(r);
  }
  return result;
}

ContextResult LearningService::context(std::string_view task_text, std::optional<int> limit_arg, std::string_view project) {
  ContextResult result;
  const int limit = checked_context_query(task_text, limit_arg, project, settings_, result.task);
  const std::string& task = result.task;
  const double t = now();

  result.degraded = refresh_search_indexes();
  HistoryIndex history(db_);

  auto words = content_words(task);
  if (words.size() > kMaxQueryWords) words.resize(kMaxQueryWords);
  if (!words.empty()) {
    Transaction snapshot(db_, Transaction::Mode::kRead);
    const QueryTerms history_terms(db_, "history_fts");
    // The best matches by relevance (rule_search.h), then each one's state, project and
    // confidence.
    if (!stemmer_) {
      stemmer_ = std::make_unique<FtsStemmer>(db_);
      thesaurus_ = std::make_unique<Thesaurus>(Thesaurus::builtin_text(), *stemmer_);
      symptoms_ = std::make_unique<Symptoms>(Symptoms::builtin_text(), *stemmer_);
    }
    ContextRules rules =
        context_rules(db_, query_concepts(task, *thesaurus_, *stemmer_, kMaxQueryWords, WordNet::installed(), symptoms_.get()),
                      settings_.reflection.model,
                      {project, static_cast<std::size_t>(limit), settings_.confidence_weight, settings_.frequent_term_share, t});
    result.relevant_bullets = std::move(rules.rules);
    result.anti_patterns = std::move(rules.anti_patterns);
    std::vector<HistoryHit>& hits = result.history_snippets;
    for (const auto& plan : history_terms.plan(words, history.size(), settings_.frequent_term_share, kMaxRankedTasks)) {
      if (hits.size() >= static_cast<std::size_t>(limit)) break;
      for (auto& h : history.search(plan.match, limit, plan.from_rowid)) {
        if (std::none_of(hits.begin(), hits.end(), [&](const HistoryHit& x) { return x.event_id == h.event_id; }) &&
            hits.size() < static_cast<std::size_t>(limit)) {
          hits.push_back(std::move(h));
        }
      }
    }
  }
  return result;
}

void check_context_budget(std::int64_t tokens) {
  if (tokens < 1 || tokens > 100000)
    throw input_error("INVALID_BUDGET", "the budget must be between 1 and 100000 tokens", {"cm context \"fix the login\" --budget 800"});
}

ContextResult fit_to_budget(const ContextResult& all, std::int64_t tokens) {
  ContextResult kept;
  kept.task = all.task;
  BudgetUse use{tokens, approximate_tokens(kContextHeading), 0};
  // Adds the item when its line (and its list's heading, for the first) still fits.
  const auto fit = [&](auto& list, const auto& item, std::string_view heading) {
    const std::int64_t cost =
        approximate_tokens("\n" + context_line(item)) + (list.empty() ? approximate_tokens("\n" + std::string(heading)) : 0);
    if (use.used + cost > tokens) {
      ++use.dropped;
      return;
    }
    use.used += cost;
    list.push_back(item);
  };
  const std::size_t rounds = std::max({all.relevant_bullets.size(), all.anti_patterns.size(), all.history_snippets.size()});
  for (std::size_t i = 0; i < rounds; ++i) {
    if (i < all.relevant_bullets.size()) fit(kept.relevant_bullets, all.relevant_bullets[i], kRulesHeading);
    if (i < all.anti_patterns.size()) fit(kept.anti_patterns, all.anti_patterns[i], kAvoidHeading);
    if (i < all.history_snippets.size()) fit(kept.history_snippets, all.history_snippets[i], kHistoryHeading);
  }
  if (kept.relevant_bullets.empty() && kept.anti_patterns.empty() && kept.history_snippets.empty()) use.used = 0;
  kept.budget = use;
  return kept;
}

ContextResult LearningService::context_within(std::string_view task, std::int64_t tokens, std::string_view project) {
  check_context_budget(tokens);
  return fit_to_budget(context(task, kBudgetCandidates, project), tokens);
}

SimilarResult LearningService::similar(std::string_view text, int limit, bool include_retired) {
  return find_similar(text, limit, include_retired, true);
}

SimilarResult LearningService::similar_as_indexed(std::string_view text, int limit, bool include_retired) {
  return find_similar(text, limit, include_retired, false);
}

SimilarResult LearningService::find_similar(std::string_view text, int limit, bool include_retired, bool refresh) {
  SimilarResult result;
  result.text = trimmed(text);
  if (!valid_utf8(result.text)) throw input_error("INVALID_TEXT", "the text must be UTF-8");
  if (result.text.empty()) throw input_error("EMPTY_TEXT", "the text is empty", {"cm similar \"run the tests before committing\""});
  if (result.text.size() > kMaxTaskBytes) throw input_error("TEXT_TOO_LONG", "the text is longer than 10000 bytes");
  if (limit < 1 || limit > 100) throw input_error("INVALID_LIMIT", "the limit must be between 1 and 100", {"pass --limit 10"});
  auto words = content_words(result.text);
  if (words.size() > kMaxQueryWords) words.resize(kMaxQueryWords);
  if (words.empty()) return result;
  if (refresh) refresh_search_indexes();
  const double t = now();
  // Words in common rank a rule high in a full-text search for any of them; the best 200 are
  // compared word for word.
  SqliteStatement st(db_,
                     std::string("SELECT b.id FROM bullets_fts JOIN bullets b ON b.seq = bullets_fts.rowid WHERE bullets_fts MATCH ?") +
                         (include_retired ? "" : " AND b.state = 'active'") + " ORDER BY bullets_fts.rank LIMIT 200");
  st.bind(1, in_rule_text(fts_any_of(words)));
  std::vector<std::string> ids;
  while (st.step()) ids.push_back(st.column_text(0));
  for (const auto& id : ids) {
    Bullet b = playbook_.get(id);
    const double similarity = jaccard(words, content_words(b.content));
    const double confidence = b.confidence_at(t, playbook_.model());
    if (similarity > 0) result.rules.push_back({{std::move(b), confidence}, similarity});
  }
  std::stable_sort(result.rules.begin(), result.rules.end(), [](const SimilarRule& a, const SimilarRule& b) {
    return a.similarity != b.similarity ? a.similarity > b.similarity : a.rule.confidence > b.rule.confidence;
  });
  if (result.rules.size() > static_cast<std::size_t>(limit)) result.rules.resize(static_cast<std::size_t>(limit));
  return result;
}

WhyResult LearningService::why(std::string_view id) {
  Transaction snapshot(db_, Transaction::Mode::kRead);
  WhyResult result;
  result.rule = view(trimmed(id), now());
  const std::string& rule = result.rule.bullet.id;
  for (const auto& pattern : result.rule.bullet.pattern_ids) {
    SqliteStatement st(db_, "SELECT kind, data FROM patterns WHERE pattern_id = ?");
    st.bind(1, pattern);
    result.add_pattern(pattern, st.step() ? std::optional(std::make_pair(st.column_text(0), st.column_text(1))) : std::nullopt);
  }
  SqliteStatement fb(db_,
                     "SELECT time, kind, weight, origin, coalesce(session_id, ''), note FROM "
                     "(SELECT * FROM feedback WHERE bullet_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id");
  fb.bind(1, std::string_view(rule));
  fb.bind(2, static_cast<std::int64_t>(kMaxWhyFeedback));
  while (fb.step()) {
    result.add_feedback({fb.column_double(0), fb.column_text(1) == "harmful" ? FeedbackKind::kHarmful : FeedbackKind::kHelpful,
                         fb.column_double(2), fb.column_text(3), fb.column_text(4), fb.column_text(5)});
  }
  SqliteStatement given(db_, "SELECT count(*) FROM session_rules WHERE bullet_id = ?");
  given.bind(1, std::string_view(rule));
  given.step();
  result.sessions_given = given.column_int64(0);
  return result;
}

// Every active rule, as the playbook orders them (not a page of them: top, stale and export
// look at the whole playbook).
std::vector<BulletView> LearningService::active_views() {
  const double t = now();
  return views(playbook_.list({std::nullopt, std::nullopt, false}, t), t);
}

PlaybookListResult LearningService::top(int limit) {
  if (limit < 1 || limit > 1000) throw input_error("INVALID_LIMIT", "the limit must be between 1 and 1000", {"pass --limit 10"});
  PlaybookListResult result;
  result.bullets = active_views();
  if (result.bullets.size() > static_cast<std::size_t>(limit)) result.bullets.resize(static_cast<std::size_t>(limit));
  result.total = static_cast<std::int64_t>(result.bullets.size());  // the top N are the whole answer: no next page
  result.limit = limit;
  return result;
}

StaleResult LearningService::stale(std::optional<double> days) {
  StaleResult result;
  result.now = now();
  result.stale_after_days = days.value_or(playbook_.model().stale_after_days);
  if (!(result.stale_after_days >= 0) || result.stale_after_days > 36500)
    throw input_error("INVALID_DAYS", "the days must be between 0 and 36500", {"cm stale --days 30"});
  for (auto& v : active_views()) {
    if (result.now - v.bullet.last_validated > result.stale_after_days * kSecondsPerDay) result.rules.push_back(std::move(v));
  }
  std::stable_sort(result.rules.begin(), result.rules.end(),
                   [](const BulletView& a, const BulletView& b) { return a.bullet.last_validated < b.bullet.last_validated; });
  return result;
}

ForgetResult LearningService::forget(std::string_view id) {
  // The text must not linger: freed pages are zeroed, the full-text index (which keeps a
  // deleted row's words until its segments merge) is merged, and the WAL is checkpointed away.
  store::exec(db_, "PRAGMA secure_delete = ON");
  Transaction tx(db_, Transaction::Mode::kWrite);
  const Bullet b = playbook_.get(trimmed(id));
  ForgetResult result{b.id, b.content, 0, 0, 0};
  const auto remove = [&](const char* sql) {
    SqliteStatement st(db_, sql);
    st.bind(1, std::string_view(b.id));
    st.step();
    return static_cast<std::int64_t>(sqlite3_changes(db_));
  };
  result.feedback = remove("DELETE FROM feedback WHERE bullet_id = ?");
  result.patterns = remove("DELETE FROM bullet_patterns WHERE bullet_id = ?");
  result.sessions = remove("DELETE FROM session_rules WHERE bullet_id = ?");
  remove("DELETE FROM bullets WHERE id = ?");
  clear_undo_journal(db_);  // it holds earlier copies of the rule's row
  store::exec(db_, "INSERT INTO bullets_fts(bullets_fts) VALUES('optimize')");
  tx.commit();
  try {
    store::exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (const StoreError& e) {  // a reader holds the WAL: its pages are overwritten at the next checkpoint
    log(LogLevel::kWarn, "cm forget: the WAL still holds the forgotten rule's pages until the next checkpoint", {{"reason", e.what()}});
  }
  return result;
}

AgentsMdExport LearningService::export_agents_md(const AgentsMdOptions& options) {
  if (!(options.min_confidence >= 0 && options.min_confidence <= 1))
    throw input_error("INVALID_CONFIDENCE", "the minimum confidence must be from 0 to 1", {"--min-confidence 0.5"});
  if (options.limit < 1 || options.limit > 1000) throw input_error("INVALID_LIMIT", "the limit must be between 1 and 1000", {"--limit 50"});
  if (!valid_project_name(options.project))
    throw input_error("INVALID_PROJECT", "the project is not a valid name", {"--project my-service"});
  auto bullets = active_views();
  std::erase_if(bullets, [&](const BulletView& v) { return !v.bullet.project.empty() && v.bullet.project != options.project; });
  return agents_md_block(bullets, options);
}

UndoResult LearningService::undo() {
  const UndoneChange change = undo_last(db_);
  return {change.time, change.command, change.summary};
}

MarkResult LearningService::mark(const MarkRequest& request) {
  if (trimmed(request.id).empty()) throw input_error("MISSING_ID", "which rule? the id is empty", {"cm mark b-8f3a2c --helpful"});
  Transaction tx(db_, Transaction::Mode::kWrite);
  UndoRecorder undo(db_);
  FeedbackSignal s;
  s.bullet_id = trimmed(request.id);
  s.kind = request.kind;
  s.weight = 1.0;
  s.origin = "mark";
  if (!request.session_id.empty()) s.session_id = request.session_id;
  s.note = request.reason;
  s.task = checked_feedback_task(request.task);
  s.time = now();
  MarkResult result;
  result.feedback = playbook_.feedback(s);
  undo.save("mark", std::string(to_string(s.kind)) + " " + result.feedback.bullet_id, s.time);
  tx.commit();
  const Bullet b = playbook_.get(result.feedback.bullet_id);
  result.helpful = b.helpful;
  result.harmful = b.harmful;
  result.active = b.active;
  return result;
}

OutcomeResult LearningService::outcome(const OutcomeRequest& request) {
  const std::vector<std::string> ids = checked_outcome_rules(request);
  const std::string status = trimmed(request.status);
  Transaction tx(db_, Transaction::Mode::kWrite);
  UndoRecorder undo(db_);
  std::vector<Bullet> rules;
  std::vector<std::string> unknown;
  for (const auto& id : ids) {
    if (auto b = playbook_.find(id))
      rules.push_back(std::move(*b));
    else
      unknown.push_back(id);
  }
  if (!unknown.empty()) {
    std::string list;
    for (const auto& id : unknown) list += (list.empty() ? "" : ", ") + id;
    throw input_error("UNKNOWN_RULE", "unknown rule id(s): " + list + "; nothing was recorded",
                      {"list the rules with: cm playbook list --all"});
  }
  const double t = now();
  OutcomeResult result = apply_outcome(request, rules, t, [&](const FeedbackSignal& s) { return playbook_.feedback(s); });
  std::string list;
  for (const auto& r : rules) list += (list.empty() ? "" : ", ") + r.id;
  undo.save("outcome", status + " for " + list, t);
  tx.commit();
  return result;
}

std::string required_session(std::string_view session_id) {
  std::string id = trimmed(session_id);
  if (id.empty()) throw input_error("MISSING_SESSION", "the session id is empty", {"pass the agent's session id"});
  if (id.size() > 200 || !valid_utf8(id)) throw input_error("INVALID_SESSION", "the session id is not a short UTF-8 text");
  return id;
}

void LearningService::remember_given(std::string_view session_id, const std::vector<std::string>& rule_ids, std::string_view task) {
  const std::string session = required_session(session_id);
  Transaction tx(db_, Transaction::Mode::kWrite);
  SessionRules(db_).remember(session, rule_ids, learnable_words(task), now());
  tx.commit();
}

std::vector<std::string> LearningService::given_rules(std::string_view session_id) {
  return SessionRules(db_).given(required_session(session_id));
}

OutcomeResult LearningService::grade_session(std::string_view session_id, bool success, std::string_view failure_type) {
  const std::string session = required_session(session_id);
  Transaction tx(db_, Transaction::Mode::kWrite);
  auto rules = SessionRules(db_).take_ungraded(session, now());
  std::erase_if(rules, [&](const GivenRule& r) { return !playbook_.find(r.id); });
  OutcomeResult result = grade_given(rules, success, failure_type, session, [&](const OutcomeRequest& r) { return outcome(r); });
  tx.commit();
  return result;
}

MarkersResult LearningService::apply_markers(std::string_view session_id, std::string_view agent_text) {
  const std::string session = required_session(session_id);
  MarkersResult result;
  const auto markers = feedback_markers(agent_text);
  if (markers.empty()) return result;
  Transaction tx(db_, Transaction::Mode::kWrite);
  result = apply_markers_to(
      markers, SessionRules(db_).given(session), session, now(), [&](const std::string& id) { return playbook_.find(id).has_value(); },
      [&](const FeedbackSignal& s) { return playbook_.feedback(s); });
  tx.commit();
  return result;
}

MarkersResult apply_markers_to(const std::vector<FeedbackMarker>& markers, const std::vector<std::string>& given,
                               const std::string& session, double now, const std::function<bool(const std::string&)>& exists,
                               const std::function<FeedbackResult(const FeedbackSignal&)>& feedback) {
  MarkersResult result;
  for (const auto& m : markers) {
    if (std::find(given.begin(), given.end(), m.rule_id) == given.end() || !exists(m.rule_id)) {
      result.ignored.push_back(m.rule_id);
      continue;
    }
    result.applied.push_back(feedback(marker_signal(m, session, now)));
  }
  return result;
}

PlaybookListResult LearningService::playbook_list(const PlaybookListRequest& request) {
  if (request.limit < 1 || request.limit > kMaxPlaybookPage) {
    throw input_error("INVALID_LIMIT", "the limit must be between 1 and " + std::to_string(kMaxPlaybookPage), {"pass --limit 100"});
  }
  if (request.offset < 0) throw input_error("INVALID_OFFSET", "the offset must be 0 or more", {"pass --offset 100 for the second page"});
  const double t = now();
  std::vector<Bullet> all = playbook_.list(request.filter, t);
  PlaybookListResult result;
  result.total = static_cast<std::int64_t>(all.size());
  result.offset = request.offset;
  result.limit = request.limit;
  const auto first = std::min(all.size(), static_cast<std::size_t>(request.offset));
  const auto last = std::min(all.size(), first + static_cast<std::size_t>(request.limit));
  result.bullets = views(std::vector<Bullet>(std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(first)),
                                             std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(last))),
                         t);
  return result;
}

PlaybookAddResult LearningService::playbook_add(const NewBullet& bullet) {
  Transaction tx(db_, Transaction::Mode::kWrite);
  UndoRecorder undo(db_);
  const AddResult r = playbook_.add(bullet, now());
  undo.save("playbook add", std::string(to_string(r.action)) + " " + r.bullet.id, now());
  tx.commit();
  return {r.action, r.similarity, view(r.bullet.id, now())};
}

PlaybookRemoveResult LearningService::playbook_remove(std::string_view id) {
  Transaction tx(db_, Transaction::Mode::kWrite);
  UndoRecorder undo(db_);
  const Bullet before = playbook_.get(trimmed(id));
  const double t = now();
  const Bullet after = playbook_.retire(before.id, "removed", t);
  undo.save("playbook remove", "removed " + before.id, t);
  tx.commit();
  return {before.active, view(after.id, t)};
}

PlaybookExport LearningService::playbook_export() {
  const double t = now();
  return {t, views(playbook_.list({std::nullopt, std::nullopt, true}, t), t)};
}

std::vector<NewBullet> parse_import(const nlohmann::ordered_json& document) {
  const nlohmann::ordered_json* items = &document;
  if (document.is_object() && document.contains("bullets")) items = &document["bullets"];
  if (!items->is_array())
    throw input_error("INVALID_IMPORT", "expected an array of rules or {\"bullets\": [...]}",
                      {"cm playbook export > rules.json shows the format"});
  std::vector<NewBullet> parsed;
  std::size_t index = 0;
  for (const auto& item : *items) {
    const std::string where = "bullets[" + std::to_string(index++) + "]";
    if (!item.is_object() || !item.contains("content") || !item["content"].is_string()) {
      throw input_error("INVALID_IMPORT", where + " needs a \"content\" string", {"cm playbook export > rules.json shows the format"});
    }
    NewBullet nb;
    nb.content = item["content"].get<std::string>();
    nb.source = BulletSource::kImport;
    nb.added_by = "import";
    if (item.contains("kind")) {
      if (!item["kind"].is_string()) throw input_error("INVALID_IMPORT", where + ".kind must be a string");
      nb.kind = parse_bullet_kind(item["kind"].get<std::string>());
    }
    if (item.contains("tags")) {
      if (!item["tags"].is_array()) throw input_error("INVALID_IMPORT", where + ".tags must be an array of strings");
      for (const auto& tag : item["tags"]) {
        if (!tag.is_string()) throw input_error("INVALID_IMPORT", where + ".tags must be an array of strings");
        nb.tags.push_back(tag.get<std::string>());
      }
    }
    if (item.contains("confidence")) {
      if (!item["confidence"].is_number() || item["confidence"].get<double>() < 0 || item["confidence"].get<double>() > 1) {
        throw input_error("INVALID_IMPORT", where + ".confidence must be a number from 0 to 1");
      }
      nb.confidence = item["confidence"].get<double>();
    }
    if (item.contains("project")) {
      if (!item["project"].is_string()) throw input_error("INVALID_IMPORT", where + ".project must be a string");
      nb.project = item["project"].get<std::string>();
    }
    if (item.contains("evidence_count")) {
      if (!item["evidence_count"].is_number_integer() || item["evidence_count"].get<std::int64_t>() < 0) {
        throw input_error("INVALID_IMPORT", where + ".evidence_count must be a whole number >= 0");
      }
      nb.evidence_count = item["evidence_count"].get<std::int64_t>();
    }
    if (normalize_content(nb.content).empty()) throw input_error("INVALID_IMPORT", where + ".content has no words");
    parsed.push_back(std::move(nb));
  }
  return parsed;
}

ImportResult import_rules(const std::vector<NewBullet>& rules, const std::function<AddResult(const NewBullet&)>& add) {
  ImportResult result;
  for (const auto& nb : rules) {
    AddResult r;
    try {
      r = add(nb);
    } catch (const LearningError& e) {
      if (e.code() != "RULE_INVERTED") throw;
      ++result.unchanged;
      continue;
    }
    switch (r.action) {
      case AddAction::kAdded: ++result.added; break;
      case AddAction::kReinforced: ++result.reinforced; break;
      case AddAction::kRevived: ++result.revived; break;
      case AddAction::kUnchanged: ++result.unchanged; break;
    }
    result.ids.push_back(r.bullet.id);
  }
  return result;
}

ImportResult LearningService::playbook_import(const nlohmann::ordered_json& document) {
  const std::vector<NewBullet> parsed = parse_import(document);
  Transaction tx(db_, Transaction::Mode::kWrite);
  UndoRecorder undo(db_);
  const double t = now();
  ImportResult result = import_rules(parsed, [&](const NewBullet& nb) { return playbook_.add(nb, t); });
  undo.save("playbook import", std::to_string(result.ids.size()) + " rule(s)", t);
  tx.commit();
  return result;
}

StatsResult rule_stats(const std::vector<Bullet>& all, double t, const ConfidenceModel& model) {
  StatsResult s;
  s.total = static_cast<std::int64_t>(all.size());
  s.by_kind = {{BulletKind::kRule, 0}, {BulletKind::kAntiPattern, 0}};
  s.by_source = {{BulletSource::kLearning, 0}, {BulletSource::kManual, 0}, {BulletSource::kImport, 0}};
  s.by_maturity = {{Maturity::kCandidate, 0}, {Maturity::kEstablished, 0}, {Maturity::kProven, 0}, {Maturity::kDeprecated, 0}};
  s.stale_after_days = model.stale_after_days;
  double sum = 0;
  for (const auto& b : all) {
    if (!b.active) {
      ++s.retired;
      ++s.retired_by_reason[b.retired_reason.empty() ? "unknown" : b.retired_reason];
      continue;
    }
    ++s.active;
    ++s.by_kind[b.kind];
    ++s.by_source[b.source];
    ++s.by_maturity[maturity(b.helpful, b.harmful, false)];
    const double c = b.confidence_at(t, model);
    sum += c;
    ++s.confidence_distribution[static_cast<std::size_t>(std::clamp(static_cast<int>(c * 5.0), 0, 4))];
    if (t - b.last_validated > model.stale_after_days * kSecondsPerDay) {
      ++s.stale_count;
      if (s.stale_ids.size() < 20) s.stale_ids.push_back(b.id);
    }
  }
  if (s.active) s.mean_confidence = sum / static_cast<double>(s.active);
  return s;
}

StatsResult LearningService::stats() {
  Transaction snapshot(db_, Transaction::Mode::kRead);
  const double t = now();
  StatsResult s = rule_stats(playbook_.list({std::nullopt, std::nullopt, true}, t), t, playbook_.model());
  {
    SqliteStatement st(db_, "SELECT kind, count(*) FROM feedback GROUP BY kind");
    while (st.step()) (st.column_text(0) == "helpful" ? s.helpful_signals : s.harmful_signals) = st.column_int64(1);
  }
  {
    SqliteStatement st(db_, "SELECT count(*) FROM reflection_runs");
    st.step();
    s.reflection_runs = st.column_int64(0);
    if (auto last = reflections(1); !last.empty()) s.last_reflection = std::move(last.front());
  }
  HistoryIndex history(db_);
  s.indexed_tasks = history.size();
  s.pending_tasks = history.pending();
  return s;
}

std::vector<LastReflection> LearningService::reflections(int limit) {
  std::vector<LastReflection> runs;
  SqliteStatement st(db_,
                     "SELECT id, started, duration_seconds, trigger, status, summary, error FROM reflection_runs ORDER BY id DESC LIMIT ?");
  st.bind(1, static_cast<std::int64_t>(std::max(limit, 0)));
  while (st.step()) {
    LastReflection& run = runs.emplace_back();
    run.id = st.column_int64(0);
    run.started = st.column_double(1);
    if (!st.column_is_null(2)) run.duration_seconds = st.column_double(2);
    run.trigger = st.column_text(3);
    run.status = st.column_text(4);
    run.summary = nlohmann::ordered_json::parse(st.column_text(5), nullptr, false);
    if (run.summary.is_discarded()) run.summary = nullptr;
    if (!st.column_is_null(6)) run.error = st.column_text(6);
  }
  return runs;
}

ReflectionReport LearningService::reflect(std::string_view trigger) { return run_reflection(db_, settings_.reflection, trigger, now()); }

PatternsResult LearningService::patterns() {
  PatternsResult result;
  {
    SqliteStatement st(db_, "SELECT coalesce(max(reflection_id), 0) FROM patterns");
    st.step();
    result.reflection_id = st.column_int64(0);
  }
  SqliteStatement st(db_, "SELECT kind, data FROM patterns WHERE reflection_id = ? ORDER BY kind, pattern_id");
  st.bind(1, result.reflection_id);
  while (st.step()) result.add_stored(st.column_text(0), st.column_text(1));
  result.order();
  return result;
}

}  // namespace agentmetrics::learning
