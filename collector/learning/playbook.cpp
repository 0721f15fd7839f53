#include "collector/learning/playbook.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "collector/learning/learned_words.h"
#include "collector/learning/learning_error.h"
#include "collector/learning/learning_schema.h"
#include "collector/learning/project_scope.h"
#include "collector/learning/sqlite_util.h"
#include "collector/learning/text_tokens.h"
#include "collector/store/sqlite_statement.h"
#include "collector/store/sqlite_transaction.h"

namespace agentmetrics::learning {
namespace {

using store::SqliteStatement;
using store::Transaction;

constexpr double kDuplicateJaccard = 0.85;

Bullet read_bullet(const SqliteStatement& st) {
  Bullet b;
  b.seq = st.column_int64(0);
  b.id = st.column_text(1);
  b.content = st.column_text(2);
  b.kind = st.column_text(3) == "anti-pattern" ? BulletKind::kAntiPattern : BulletKind::kRule;
  b.active = st.column_text(4) == "active";
  b.retired_reason = st.column_text(5);
  if (!st.column_is_null(6)) b.retired_at = st.column_double(6);
  b.replaced_by = st.column_text(7);
  const std::string source = st.column_text(8);
  b.source = source == "learning" ? BulletSource::kLearning : source == "import" ? BulletSource::kImport : BulletSource::kManual;
  b.tags = split_list(st.column_text(9));
  b.content_hash = st.column_text(10);
  b.confidence = st.column_double(11);
  b.confidence_time = st.column_double(12);
  b.evidence_count = st.column_int64(13);
  b.helpful = st.column_double(14);
  b.harmful = st.column_double(15);
  b.created = st.column_double(16);
  b.last_validated = st.column_double(17);
  b.scope = {st.column_text(18), st.column_text(19), st.column_text(20), st.column_text(21)};
  b.added_by = st.column_text(22);
  b.project = st.column_text(23);
  b.learned = st.column_text(24);
  return b;
}

std::vector<std::string> normalize_tags(const std::vector<std::string>& tags) {
  std::vector<std::string> out;
  for (const auto& t : tags) {
    for (auto& part : split_list(t)) {
      std::string tag;
      for (const char c : part) tag.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      if (std::find(out.begin(), out.end(), tag) == out.end()) out.push_back(std::move(tag));
    }
  }
  return out;
}

void load_patterns(sqlite3* db, Bullet& b) {
  SqliteStatement st(db, "SELECT pattern_id FROM bullet_patterns WHERE bullet_id = ? ORDER BY pattern_id");
  st.bind(1, b.id);
  while (st.step()) b.pattern_ids.push_back(st.column_text(0));
}

}  // namespace

std::string join_tags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) out += (out.empty() ? "" : ",") + t;
  return out;
}

double default_confidence(BulletSource source) {
  switch (source) {
    case BulletSource::kManual: return 0.7;
    case BulletSource::kImport: return 0.6;
    case BulletSource::kLearning: return 0.5;
  }
  return 0.5;
}

std::string_view to_string(BulletKind kind) { return kind == BulletKind::kRule ? "rule" : "anti-pattern"; }

std::string_view to_string(BulletSource source) {
  switch (source) {
    case BulletSource::kLearning: return "learning";
    case BulletSource::kManual: return "manual";
    case BulletSource::kImport: return "import";
  }
  return "manual";
}

std::string_view to_string(FeedbackKind kind) { return kind == FeedbackKind::kHelpful ? "helpful" : "harmful"; }

std::string_view to_string(AddAction action) {
  switch (action) {
    case AddAction::kAdded: return "added";
    case AddAction::kReinforced: return "reinforced";
    case AddAction::kRevived: return "revived";
    case AddAction::kUnchanged: return "unchanged";
  }
  return "added";
}

BulletKind parse_bullet_kind(std::string_view text) {
  if (text == "rule") return BulletKind::kRule;
  if (text == "anti-pattern" || text == "anti_pattern" || text == "antipattern") return BulletKind::kAntiPattern;
  throw input_error("INVALID_KIND", "unknown rule kind '" + std::string(text) + "'", {"use rule or anti-pattern"});
}

BulletSource parse_bullet_source(std::string_view text) {
  if (text == "learning") return BulletSource::kLearning;
  if (text == "manual") return BulletSource::kManual;
  if (text == "import") return BulletSource::kImport;
  throw input_error("INVALID_SOURCE", "unknown rule source '" + std::string(text) + "'", {"use learning, manual or import"});
}

Playbook::Playbook(sqlite3* db, ConfidenceModel model, std::size_t max_active) : db_(db), model_(model), max_active_(max_active) {}

std::optional<Bullet> Playbook::find(std::string_view id) const {
  SqliteStatement st(db_, std::string("SELECT ") + kBulletColumns + " FROM bullets WHERE id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  Bullet b = read_bullet(st);
  load_patterns(db_, b);
  return b;
}

Bullet Playbook::get(std::string_view id) const {
  if (auto b = find(id)) return *b;
  throw input_error("UNKNOWN_RULE", "unknown rule id '" + std::string(id) + "'", {"list the rules with: cm playbook list --all"});
}

std::optional<Bullet> Playbook::find_by_pattern(std::string_view pattern_id) const {
  SqliteStatement st(db_, "SELECT bullet_id FROM bullet_patterns WHERE pattern_id = ? ORDER BY bullet_id LIMIT 1");
  st.bind(1, pattern_id);
  if (!st.step()) return std::nullopt;
  return find(st.column_text(0));
}

std::vector<Bullet> Playbook::list(const Filter& filter, double now) const {
  std::string sql = std::string("SELECT ") + kBulletColumns + " FROM bullets WHERE 1";
  if (!filter.include_retired) sql += " AND state = 'active'";
  if (filter.kind) sql += " AND kind = ?1";
  if (filter.source) sql += " AND source = ?2";
  SqliteStatement st(db_, sql);
  if (filter.kind) st.bind(1, to_string(*filter.kind));
  if (filter.source) st.bind(2, to_string(*filter.source));
  std::vector<Bullet> out;
  while (st.step()) out.push_back(read_bullet(st));
  std::map<std::string, std::vector<std::string>, std::less<>> patterns;
  SqliteStatement links(db_, "SELECT bullet_id, pattern_id FROM bullet_patterns ORDER BY bullet_id, pattern_id");
  while (links.step()) patterns[links.column_text(0)].push_back(links.column_text(1));
  for (auto& b : out) {
    if (auto it = patterns.find(b.id); it != patterns.end()) b.pattern_ids = it->second;
  }
  std::stable_sort(out.begin(), out.end(), [&](const Bullet& a, const Bullet& b) {
    if (a.active != b.active) return a.active;
    const double ca = a.confidence_at(now, model_), cb = b.confidence_at(now, model_);
    if (ca != cb) return ca > cb;
    return a.id < b.id;
  });
  return out;
}

PlaybookCounts Playbook::counts() const {
  PlaybookCounts c;
  SqliteStatement st(db_, "SELECT state, kind, count(*) FROM bullets GROUP BY state, kind");
  while (st.step()) {
    const std::int64_t n = st.column_int64(2);
    if (st.column_text(0) != "active") {
      c.retired += n;
    } else if (st.column_text(1) == "rule") {
      c.active_rules += n;
    } else {
      c.active_anti_patterns += n;
    }
  }
  return c;
}

std::string Playbook::unused_id(BulletKind kind, const std::string& hash) const {
  const std::string prefix = kind == BulletKind::kRule ? "b-" : "ap-";
  SqliteStatement st(db_, "SELECT 1 FROM bullets WHERE id = ?");
  for (std::size_t digits = 6; digits <= hash.size(); digits += 2) {
    std::string id = prefix + hash.substr(0, digits);
    st.reset();
    st.bind(1, id);
    if (!st.step()) return id;
  }
  // 16 digits taken by other content: practically impossible; number the rest.
  for (int n = 2;; ++n) {
    std::string id = prefix + hash + "-" + std::to_string(n);
    st.reset();
    st.bind(1, id);
    if (!st.step()) return id;
  }
}

std::optional<std::pair<Bullet, double>> Playbook::find_duplicate(const NewBullet& nb, const std::string& hash) const {
  const std::string kind(to_string(nb.kind));
  {
    SqliteStatement st(db_, std::string("SELECT ") + kBulletColumns +
                                " FROM bullets WHERE content_hash = ? AND kind = ? AND scope_project = ? ORDER BY state, seq LIMIT 1");
    st.bind(1, hash);
    st.bind(2, kind);
    st.bind(3, nb.project);
    if (st.step()) return std::make_pair(read_bullet(st), 1.0);
  }
  // Near duplicates share most words, so they rank near the top of a full-text search for
  // the new content's words; the best few are compared word for word.
  const auto words = content_words(nb.content);
  if (words.empty()) return std::nullopt;
  SqliteStatement st(db_, std::string("SELECT ") + kBulletColumns +
                              " FROM bullets WHERE seq IN (SELECT rowid FROM bullets_fts WHERE bullets_fts MATCH ? ORDER BY rank LIMIT 20)"
                              " AND kind = ? AND scope_project = ?");
  st.bind(1, in_rule_text(fts_any_of(words)));
  st.bind(2, kind);
  st.bind(3, nb.project);
  std::optional<std::pair<Bullet, double>> best;
  while (st.step()) {
    Bullet b = read_bullet(st);
    const double similarity = jaccard(words, content_words(b.content));
    if (similarity >= kDuplicateJaccard &&
        (!best || similarity > best->second || (similarity == best->second && b.active && !best->first.active))) {
      best = std::make_pair(std::move(b), similarity);
    }
  }
  return best;
}

void Playbook::save_state(const Bullet& b) {
  SqliteStatement st(db_,
                     "UPDATE bullets SET state = ?, retired_reason = ?, retired_at = ?, replaced_by = ?, tags = ?, confidence = ?, "
                     "confidence_time = ?, evidence_count = ?, helpful = ?, harmful = ?, last_validated = ? WHERE id = ?");
  st.bind(1, std::string_view(b.active ? "active" : "retired"));
  if (b.active || b.retired_reason.empty())
    st.bind_null(2);
  else
    st.bind(2, b.retired_reason);
  if (b.retired_at && !b.active)
    st.bind(3, *b.retired_at);
  else
    st.bind_null(3);
  if (b.replaced_by.empty())
    st.bind_null(4);
  else
    st.bind(4, b.replaced_by);
  st.bind(5, join_tags(b.tags));
  st.bind(6, b.confidence);
  st.bind(7, b.confidence_time);
  st.bind(8, b.evidence_count);
  st.bind(9, b.helpful);
  st.bind(10, b.harmful);
  st.bind(11, b.last_validated);
  st.bind(12, b.id);
  st.run();
}

// The content trimmed and checked, and the confidence checked. Throws input errors.
NewBullet Playbook::validated(const NewBullet& nb) {
  // The content goes into agents' prompts: text only, on one line.
  if (!valid_utf8(nb.content)) throw input_error("INVALID_TEXT", "a rule's content must be UTF-8 text", {"check the file's encoding"});
  for (const auto& tag : nb.tags) {
    if (!valid_utf8(tag)) throw input_error("INVALID_TEXT", "a rule's tags must be UTF-8 text");
  }
  std::string content = without_control_characters(nb.content);
  while (!content.empty() && std::isspace(static_cast<unsigned char>(content.back()))) content.pop_back();
  content.erase(0, std::min(content.size(), content.find_first_not_of(" \t\r\n")));
  if (content.empty() || normalize_content(content).empty()) {
    throw input_error("EMPTY_CONTENT", "a rule needs content (words, not only punctuation)",
                      {"cm playbook add \"Run the tests before pushing\""});
  }
  if (content.size() > kMaxRuleBytes) {
    throw input_error("CONTENT_TOO_LONG", "a rule's content is at most " + std::to_string(kMaxRuleBytes) + " bytes",
                      {"state the rule in a sentence or two"});
  }
  if (nb.confidence && !(*nb.confidence >= 0.0 && *nb.confidence <= 1.0)) {
    throw input_error("INVALID_CONFIDENCE", "confidence must be between 0 and 1", {"pass --confidence 0.8"});
  }
  if (!valid_project_name(nb.project))
    throw input_error("INVALID_PROJECT", "a project is a name of at most 100 characters without control characters or slashes",
                      {"--project my-service"});
  NewBullet clean = nb;
  clean.content = std::move(content);
  clean.tags = normalize_tags(nb.tags);
  return clean;
}

AddResult Playbook::add(const NewBullet& given, double now) {
  const NewBullet nb = validated(given);
  const std::string hash = content_hash(nb.content);
  if (auto dup = find_duplicate(nb, hash)) return merge_into(std::move(dup->first), dup->second, nb, now);
  make_room(nb, now);
  return {insert(nb, hash, now), AddAction::kAdded, 0};
}

void Playbook::make_room(const NewBullet& nb, double now) {
  SqliteStatement active(db_, "SELECT count(*) FROM bullets WHERE state = 'active'");
  active.step();
  if (static_cast<std::size_t>(active.column_int64(0)) < max_active_) return;
  // A person's or an import's rule backed by nothing but its author gives way first, the oldest
  // first: one whose confidence has fallen low to anything new, one no outcome has confirmed to
  // a rule learned from outcomes. A rule with evidence behind it is never pushed out.
  std::string low, unconfirmed;
  {
    SqliteStatement st(db_,
                       "SELECT id, confidence, confidence_time, helpful FROM bullets "
                       "WHERE state = 'active' AND source IN ('manual', 'import') ORDER BY created, seq");
    while (st.step() && low.empty()) {
      if (model_.decayed(st.column_double(1), st.column_double(2), now) < kLowConfidence) {
        low = st.column_text(0);
      } else if (unconfirmed.empty() && st.column_double(3) == 0) {
        unconfirmed = st.column_text(0);
      }
    }
  }
  if (!low.empty()) {
    retire(low, "capacity", now);
  } else if (nb.source == BulletSource::kLearning && !unconfirmed.empty()) {
    retire(unconfirmed, "capacity", now);
  } else {
    throw input_error("PLAYBOOK_FULL",
                      "the playbook holds its maximum of " + std::to_string(max_active_) +
                          " active rules, and none of them is a manual or imported rule of low confidence that could give way",
                      {"remove rules that are no longer useful: cm playbook list --source manual, then cm playbook remove ID",
                       "raise cass_memory.maxRules"});
  }
}

// A near-duplicate reinforces (or revives) the bullet it matches; one that was inverted for
// proving harmful is not brought back.
AddResult Playbook::merge_into(Bullet b, double similarity, const NewBullet& nb, double now) {
  AddResult result{b, AddAction::kReinforced, similarity};
  if (!b.active && b.retired_reason == "inverted") {
    if (nb.source != BulletSource::kLearning) {
      throw input_error("RULE_INVERTED",
                        "this rule duplicates " + b.id + ", which proved harmful and was inverted into the anti-pattern " + b.replaced_by,
                        {"see it with: cm playbook list --all", "remove " + b.replaced_by + " first if the rule is right after all"});
    }
    result.action = AddAction::kUnchanged;
    load_patterns(db_, result.bullet);
    return result;
  }
  for (const auto& t : nb.tags) {
    if (std::find(b.tags.begin(), b.tags.end(), t) == b.tags.end()) b.tags.push_back(t);
  }
  const std::int64_t evidence = std::max<std::int64_t>(1, nb.evidence_count);
  if (!b.active) {
    make_room(nb, now);
    b.active = true;
    b.retired_reason.clear();
    b.retired_at.reset();
    b.confidence = std::max(b.confidence_at(now, model_), nb.confidence.value_or(default_confidence(nb.source)));
    b.confidence_time = now;
    b.last_validated = now;
    b.evidence_count += evidence;
    save_state(b);
    result.action = AddAction::kRevived;
    result.bullet = b;
  } else {
    save_state(b);  // the merged tags
    result.bullet = reinforce(b, evidence, now);
  }
  if (!nb.pattern_id.empty()) link_pattern(b.id, nb.pattern_id, nb.pattern_counted_until);
  result.bullet.pattern_ids.clear();
  load_patterns(db_, result.bullet);
  return result;
}

Bullet Playbook::insert(const NewBullet& nb, const std::string& hash, double now) {
  Bullet b;
  b.id = unused_id(nb.kind, hash);
  b.content = nb.content;
  b.kind = nb.kind;
  b.source = nb.source;
  b.added_by = nb.added_by;
  b.tags = nb.tags;
  b.content_hash = hash;
  b.confidence = std::min(model_.max_confidence, nb.confidence.value_or(default_confidence(nb.source)));
  b.confidence_time = now;
  b.evidence_count = nb.evidence_count;
  b.created = now;
  b.last_validated = now;
  b.scope = nb.scope;
  b.project = nb.project;
  SqliteStatement st(db_,
                     "INSERT INTO bullets(id, content, kind, source, tags, content_hash, confidence, confidence_time, evidence_count, "
                     "created, last_validated, scope_stage, scope_failure_type, scope_agent_type, scope_task_type, added_by, "
                     "scope_project) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  st.bind(1, b.id);
  st.bind(2, b.content);
  st.bind(3, to_string(b.kind));
  st.bind(4, to_string(b.source));
  st.bind(5, join_tags(b.tags));
  st.bind(6, b.content_hash);
  st.bind(7, b.confidence);
  st.bind(8, b.confidence_time);
  st.bind(9, b.evidence_count);
  st.bind(10, b.created);
  st.bind(11, b.last_validated);
  st.bind(12, b.scope.stage);
  st.bind(13, b.scope.failure_type);
  st.bind(14, b.scope.agent_type);
  st.bind(15, b.scope.task_type);
  st.bind(16, b.added_by);
  st.bind(17, b.project);
  st.run();
  b.seq = sqlite3_last_insert_rowid(db_);
  if (!nb.pattern_id.empty()) {
    link_pattern(b.id, nb.pattern_id, nb.pattern_counted_until);
    b.pattern_ids.push_back(nb.pattern_id);
  }
  return b;
}

Bullet reinforced(const Bullet& bullet, std::int64_t evidence, double now, const ConfidenceModel& model) {
  Bullet b = bullet;
  const double t = std::max(now, b.confidence_time);
  b.confidence = model.after_helpful(b.confidence_at(t, model), 1.0);
  b.confidence_time = t;
  b.last_validated = std::max(b.last_validated, t);
  b.evidence_count += evidence;
  return b;
}

Bullet Playbook::reinforce(const Bullet& bullet, std::int64_t evidence, double now) {
  Bullet b = reinforced(bullet, evidence, now, model_);
  save_state(b);
  return b;
}

void Playbook::link_pattern(std::string_view bullet_id, std::string_view pattern_id, double counted_until) {
  SqliteStatement st(db_,
                     "INSERT INTO bullet_patterns(bullet_id, pattern_id, counted_until) VALUES(?, ?, ?) "
                     "ON CONFLICT(bullet_id, pattern_id) DO UPDATE SET counted_until = max(counted_until, excluded.counted_until)");
  st.bind(1, bullet_id);
  st.bind(2, pattern_id);
  st.bind(3, counted_until);
  st.run();
}

double Playbook::pattern_counted_until(std::string_view bullet_id, std::string_view pattern_id) const {
  SqliteStatement st(db_, "SELECT counted_until FROM bullet_patterns WHERE bullet_id = ? AND pattern_id = ?");
  st.bind(1, bullet_id);
  st.bind(2, pattern_id);
  return st.step() ? st.column_double(0) : 0.0;
}

Bullet Playbook::retire(std::string_view id, std::string_view reason, double now, std::string_view replaced_by) {
  Bullet b = get(id);
  if (!b.active) return b;
  b.confidence = b.confidence_at(now, model_);
  b.confidence_time = std::max(now, b.confidence_time);
  b.active = false;
  b.retired_reason = reason;
  b.retired_at = now;
  b.replaced_by = replaced_by;
  save_state(b);
  return b;
}

bool Playbook::has_session_feedback(std::string_view bullet_id, std::string_view session_id) const {
  SqliteStatement st(db_, "SELECT 1 FROM feedback WHERE session_id = ? AND bullet_id = ? LIMIT 1");
  st.bind(1, session_id);
  st.bind(2, bullet_id);
  return st.step();
}

FeedbackResult Playbook::feedback(const FeedbackSignal& signal) {
  Bullet b = get(signal.bullet_id);
  FeedbackResult r;
  r.bullet_id = b.id;
  r.kind = signal.kind;
  r.weight = signal.weight;
  const double t = std::max(signal.time, b.confidence_time);
  r.before = b.confidence_at(t, model_);
  if (signal.session_id && !signal.session_id->empty() && has_session_feedback(b.id, *signal.session_id)) {
    r.after = r.before;
    r.skipped = true;
    return r;
  }
  if (signal.kind == FeedbackKind::kHelpful) {
    b.confidence = model_.after_helpful(r.before, signal.weight);
    b.helpful += signal.weight;
    b.evidence_count += 1;
    b.last_validated = std::max(b.last_validated, t);
  } else {
    b.confidence = model_.after_harmful(r.before, signal.weight);
    b.harmful += signal.weight;
  }
  b.confidence_time = t;
  r.after = b.confidence;
  save_state(b);
  if (signal.kind == FeedbackKind::kHelpful && !signal.task.empty()) {
    SqliteStatement update(db_, "UPDATE bullets SET learned = ? WHERE id = ?");
    update.bind(1, learned_with_task(b.learned, signal.task, b.content));
    update.bind(2, b.id);
    update.run();
  }

  SqliteStatement st(
      db_, "INSERT INTO feedback(bullet_id, time, kind, weight, origin, session_id, event_id, note) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
  st.bind(1, b.id);
  st.bind(2, signal.time);
  st.bind(3, to_string(signal.kind));
  st.bind(4, signal.weight);
  st.bind(5, signal.origin);
  if (signal.session_id && !signal.session_id->empty())
    st.bind(6, *signal.session_id);
  else
    st.bind_null(6);
  if (signal.event_id)
    st.bind(7, *signal.event_id);
  else
    st.bind_null(7);
  st.bind(8, signal.note);
  st.run();

  if (!b.active) return r;
  if (b.kind == BulletKind::kRule && signal.kind == FeedbackKind::kHarmful && model_.should_invert(b.helpful, b.harmful)) {
    // The rule keeps proving harmful: its opposite is worth keeping.
    NewBullet anti;
    const bool already = b.content.rfind("AVOID", 0) == 0;
    anti.content = already ? b.content : "AVOID: " + b.content;
    anti.kind = BulletKind::kAntiPattern;
    anti.source = BulletSource::kLearning;
    anti.added_by = "feedback";
    anti.tags = b.tags;
    anti.confidence = std::min(0.9, 0.9 * b.harmful / (b.helpful + b.harmful));
    anti.evidence_count = static_cast<std::int64_t>(std::llround(b.harmful));
    anti.scope = b.scope;
    // Retired first, so that at the cap the anti-pattern takes the rule's place.
    Bullet inverted = retire(b.id, "inverted", t);
    const AddResult added = add(anti, t);
    inverted.replaced_by = added.bullet.id;
    save_state(inverted);
    r.inverted_to = added.bullet.id;
  } else if (b.confidence < model_.retire_below) {
    retire(b.id, "low_confidence", t);
    r.retired = true;
  }
  return r;
}

DecayResult Playbook::decay_all(double now, std::size_t batch, const std::atomic<bool>* cancel, bool paced, const WriteRunner* runner) {
  DecayResult result;
  std::int64_t after = 0;
  WritePacer pacer(paced);
  if (batch == 0) batch = 1;
  for (;;) {
    if (cancel && cancel->load()) break;
    pacer.begin();
    std::size_t rows = 0;
    run_write(db_, runner, [&](sqlite3* db) { rows = Playbook(db, model_).decay_batch(now, batch, after, result); });
    if (rows < batch) break;
    pacer.end();
  }
  return result;
}

std::size_t Playbook::decay_batch(double now, std::size_t batch, std::int64_t& after, DecayResult& result) {
  Transaction tx(db_, Transaction::Mode::kWrite);
  SqliteStatement select(
      db_, "SELECT seq, id, confidence, confidence_time FROM bullets WHERE state = 'active' AND seq > ? ORDER BY seq LIMIT ?");
  select.bind(1, after);
  select.bind(2, static_cast<std::int64_t>(batch));
  SqliteStatement update(db_, "UPDATE bullets SET confidence = ?, confidence_time = ? WHERE seq = ?");
  SqliteStatement retire_st(db_, "UPDATE bullets SET state = 'retired', retired_reason = 'stale', retired_at = ? WHERE seq = ?");
  std::size_t rows = 0;
  std::int64_t last = after;
  std::size_t decayed = 0;
  std::vector<std::string> retired;
  while (select.step()) {
    ++rows;
    last = select.column_int64(0);
    const double since = select.column_double(3);
    if (since >= now) continue;
    const double c = model_.decayed(select.column_double(2), since, now);
    update.reset();
    update.bind(1, c);
    update.bind(2, now);
    update.bind(3, last);
    update.run();
    ++decayed;
    if (c < model_.retire_below) {
      retire_st.reset();
      retire_st.bind(1, now);
      retire_st.bind(2, last);
      retire_st.run();
      retired.push_back(select.column_text(1));
    }
  }
  tx.commit();
  // Only what was committed counts.
  after = last;
  result.decayed += decayed;
  result.retired.insert(result.retired.end(), retired.begin(), retired.end());
  return rows;
}

}  // namespace agentmetrics::learning
