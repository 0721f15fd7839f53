#include "collector/learning/postgres_learning_store.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <pqxx/pqxx>

#include "collector/common/log.h"
#include "collector/learning/fts_stemmer.h"
#include "collector/learning/learned_words.h"
#include "collector/learning/playbook_mirror.h"
#include "collector/learning/postgres_learning_schema.h"
#include "collector/learning/query_terms.h"
#include "collector/learning/rule_search.h"
#include "collector/learning/session_rules.h"
#include "collector/learning/symptoms.h"
#include "collector/learning/text_tokens.h"
#include "collector/learning/thesaurus.h"
#include "collector/learning/wordnet.h"
#include "collector/store/store_error.h"
#include "collector/store/store_url.h"

namespace agentmetrics::learning {
namespace {

constexpr std::size_t kMaxQueryWords = 32;
// As the playbook's: content this alike is one rule.
constexpr double kDuplicateJaccard = 0.85;
// As LearningService::context: the newest matches ranked (query_terms.h, step 3).
constexpr std::int64_t kMaxRankedTasks = 100;
// The embedded store's BM25 column weights by the label of the column in the tsvector (D, C, B,
// A): title A 3, task type B 2, approach, snippet and agent type C 1.
constexpr double kTaskWeights[4] = {0, 1, 2, 3};
// The advisory lock under which a write stamps its rules' revisions, held to its commit
// (postgres_learning_schema.h, version 2).
constexpr long long kRevisionLock = 0x616d72657669736e;  // "amrevisn"
// The lock of the history's catch-up from the team's events, and how many tasks one indexes:
// `cm context` indexes what the sidecars stored since, a batch at a time.
constexpr long long kHistoryLock = 0x616d686973746f72;  // "amhistor"
constexpr std::int64_t kHistoryBatch = 2000;
// How long after an event id was seen it is taken as settled: no smaller id can still appear.
constexpr std::int64_t kSettleSeconds = 60;

constexpr const char* kPostgresBulletColumns =
    "seq, id, content, kind, state, coalesce(retired_reason, ''), retired_at, coalesce(replaced_by, ''), source, tags, content_hash, "
    "confidence, confidence_time, evidence_count, helpful, harmful, created, last_validated, scope_stage, scope_failure_type, "
    "scope_agent_type, scope_task_type, added_by, scope_project, learned";

// The words FTS5 counts in a document's searched columns.
std::int64_t token_count(std::initializer_list<std::string_view> columns) {
  std::size_t n = 0;
  for (const auto c : columns) n += tokenize(c).size();
  return static_cast<std::int64_t>(n);
}

BulletSource stored_source(std::string_view text) {
  if (text == "learning") return BulletSource::kLearning;
  if (text == "import") return BulletSource::kImport;
  return BulletSource::kManual;
}

Bullet read_bullet(const pqxx::row& r) {
  Bullet b;
  b.seq = r[0].as<std::int64_t>();
  b.id = r[1].as<std::string>();
  b.content = r[2].as<std::string>();
  b.kind = r[3].as<std::string>() == "anti-pattern" ? BulletKind::kAntiPattern : BulletKind::kRule;
  b.active = r[4].as<std::string>() == "active";
  b.retired_reason = r[5].as<std::string>();
  if (!r[6].is_null()) b.retired_at = r[6].as<double>();
  b.replaced_by = r[7].as<std::string>();
  b.source = stored_source(r[8].as<std::string>());
  b.tags = split_list(r[9].as<std::string>());
  b.content_hash = r[10].as<std::string>();
  b.confidence = r[11].as<double>();
  b.confidence_time = r[12].as<double>();
  b.evidence_count = r[13].as<std::int64_t>();
  b.helpful = r[14].as<double>();
  b.harmful = r[15].as<double>();
  b.created = r[16].as<double>();
  b.last_validated = r[17].as<double>();
  b.scope = {r[18].as<std::string>(), r[19].as<std::string>(), r[20].as<std::string>(), r[21].as<std::string>()};
  b.added_by = r[22].as<std::string>();
  b.project = r[23].as<std::string>();
  b.learned = r[24].as<std::string>();
  return b;
}

// Commits a transaction that wrote rules, their revisions stamped first: the copies of the
// playbook (playbook_mirror.h) see revisions in the order they were stamped, since the lock is
// held until the commit is visible.
void commit_playbook(pqxx::work& tx) {
  tx.exec_params("SELECT pg_advisory_xact_lock($1)", kRevisionLock);
  tx.exec("UPDATE bullets SET revision = nextval('bullet_revisions') WHERE revision IS NULL");
  tx.commit();
}

std::string trimmed_id(std::string_view id) {
  std::string out(id);
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  out.erase(0, std::min(out.size(), out.find_first_not_of(" \t\r\n")));
  if (out.empty()) throw input_error("MISSING_ID", "which rule? the id is empty", {"cm playbook list shows the ids"});
  return out;
}

LearningError unknown_rule(const std::string& id) {
  return input_error("UNKNOWN_RULE", "unknown rule id '" + id + "'", {"list the rules with: cm playbook list --all"});
}

LearningError unreachable(const std::string& name, const std::string& reason) {
  return LearningError(ErrorCategory::kFilesystem, "TEAM_STORE_UNREACHABLE", "the team store " + name + " is unreachable: " + reason,
                       {"check that PostgreSQL is running and that this machine reaches it",
                        "check store.url or $AGENTMETRICS_STORE_URL (cm doctor --json shows the configuration)"});
}

std::optional<Bullet> find_in(pqxx::transaction_base& tx, std::string_view id, bool for_update) {
  const auto rows = tx.exec_params(
      std::string("SELECT ") + kPostgresBulletColumns + " FROM bullets WHERE id = $1" + (for_update ? " FOR UPDATE" : ""), std::string(id));
  if (rows.empty()) return std::nullopt;
  return read_bullet(rows[0]);
}

void save_state(pqxx::work& tx, const Bullet& b) {
  tx.exec_params(
      "UPDATE bullets SET state = $2, retired_reason = NULLIF($3, ''), retired_at = NULLIF($4::double precision, -1), "
      "replaced_by = NULLIF($5, ''), tags = $6, confidence = $7, confidence_time = $8, evidence_count = $9, last_validated = $10, "
      "tokens = $11 WHERE id = $1",
      b.id, b.active ? "active" : "retired", b.retired_reason, b.retired_at.value_or(-1.0), b.replaced_by, join_tags(b.tags), b.confidence,
      b.confidence_time, b.evidence_count, b.last_validated, token_count({b.content, join_tags(b.tags)}));
}

Bullet retire(pqxx::work& tx, Bullet b, std::string_view reason, double now, const ConfidenceModel& model) {
  if (!b.active) return b;
  b.confidence = b.confidence_at(now, model);
  b.confidence_time = std::max(now, b.confidence_time);
  b.active = false;
  b.retired_reason = reason;
  b.retired_at = now;
  save_state(tx, b);
  return b;
}

std::string unused_id(pqxx::work& tx, BulletKind kind, const std::string& hash) {
  const std::string prefix = kind == BulletKind::kRule ? "b-" : "ap-";
  for (std::size_t digits = 6; digits <= hash.size(); digits += 2) {
    std::string id = prefix + hash.substr(0, digits);
    if (tx.exec_params("SELECT 1 FROM bullets WHERE id = $1", id).empty()) return id;
  }
  for (int n = 2;; ++n) {
    std::string id = prefix + hash + "-" + std::to_string(n);
    if (tx.exec_params("SELECT 1 FROM bullets WHERE id = $1", id).empty()) return id;
  }
}

void link_pattern(pqxx::work& tx, std::string_view bullet_id, std::string_view pattern_id, double counted_until) {
  tx.exec_params(
      "INSERT INTO bullet_patterns(bullet_id, pattern_id, counted_until) VALUES($1, $2, $3) "
      "ON CONFLICT(bullet_id, pattern_id) DO UPDATE SET counted_until = greatest(bullet_patterns.counted_until, excluded.counted_until)",
      std::string(bullet_id), std::string(pattern_id), counted_until);
}

// Playbook::find_duplicate on the team store: the same normalized content, else the rule of
// the same kind and project whose content words are most alike (Jaccard 0.85 or more) among the
// 50 that rank best for them.
std::optional<std::pair<Bullet, double>> find_duplicate(pqxx::work& tx, const NewBullet& nb, const std::string& hash) {
  const std::string kind(to_string(nb.kind));
  const auto exact = tx.exec_params(std::string("SELECT ") + kPostgresBulletColumns +
                                        " FROM bullets WHERE content_hash = $1 AND kind = $2 AND scope_project = $3 "
                                        "ORDER BY state, seq LIMIT 1 FOR UPDATE",
                                    hash, kind, nb.project);
  if (!exact.empty()) return std::make_pair(read_bullet(exact[0]), 1.0);
  const auto words = content_words(nb.content);
  if (words.empty()) return std::nullopt;
  std::string any;
  for (const auto& w : words) any += (any.empty() ? "" : " or ") + w;
  const auto rows =
      tx.exec_params(std::string("SELECT ") + kPostgresBulletColumns +
                         " FROM bullets WHERE kind = $2 AND scope_project = $3 AND search @@ websearch_to_tsquery('english', $1) "
                         "ORDER BY ts_rank(search, websearch_to_tsquery('english', $1)) DESC LIMIT 50",
                     any, kind, nb.project);
  std::optional<std::pair<Bullet, double>> best;
  for (const auto& r : rows) {
    Bullet b = read_bullet(r);
    const double similarity = jaccard(words, content_words(b.content));
    if (similarity >= kDuplicateJaccard &&
        (!best || similarity > best->second || (similarity == best->second && b.active && !best->first.active))) {
      best = std::make_pair(std::move(b), similarity);
    }
  }
  if (best) tx.exec_params("SELECT 1 FROM bullets WHERE id = $1 FOR UPDATE", best->first.id);
  return best;
}

// Playbook::add on the team store, in the caller's transaction: a duplicate (find_duplicate)
// reinforces or revives the rule; else a new rule is
// inserted, refused at the cap (PLAYBOOK_FULL). The content's hash is locked for the
// transaction, so two processes adding the same rule at once store it once.
AddResult add_in(pqxx::work& tx, const NewBullet& given, double now, const ConfidenceModel& model, std::size_t max_rules) {
  const NewBullet nb = Playbook::validated(given);
  const std::string hash = content_hash(nb.content);
  tx.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))", hash);
  if (auto dup = find_duplicate(tx, nb, hash)) {
    Bullet b = std::move(dup->first);
    AddResult result{b, AddAction::kReinforced, dup->second};
    if (!b.active && b.retired_reason == "inverted") {
      if (nb.source != BulletSource::kLearning) {
        throw input_error("RULE_INVERTED",
                          "this rule duplicates " + b.id + ", which proved harmful and was inverted into the anti-pattern " + b.replaced_by,
                          {"see it with: cm playbook list --all", "remove " + b.replaced_by + " first if the rule is right after all"});
      }
      result.action = AddAction::kUnchanged;
      return result;
    }
    for (const auto& t : nb.tags) {
      if (std::find(b.tags.begin(), b.tags.end(), t) == b.tags.end()) b.tags.push_back(t);
    }
    const std::int64_t evidence = std::max<std::int64_t>(1, nb.evidence_count);
    const double t = std::max(now, b.confidence_time);
    if (!b.active) {
      b.active = true;
      b.retired_reason.clear();
      b.retired_at.reset();
      b.confidence = std::max(b.confidence_at(t, model), nb.confidence.value_or(default_confidence(nb.source)));
      result.action = AddAction::kRevived;
    } else {
      b.confidence = model.after_helpful(b.confidence_at(t, model), 1.0);
    }
    b.confidence_time = t;
    b.last_validated = std::max(b.last_validated, t);
    b.evidence_count += evidence;
    save_state(tx, b);
    if (!nb.pattern_id.empty()) link_pattern(tx, b.id, nb.pattern_id, nb.pattern_counted_until);
    result.bullet = b;
    return result;
  }
  if (tx.exec1("SELECT count(*) FROM bullets WHERE state = 'active'")[0].as<std::int64_t>() >= static_cast<std::int64_t>(max_rules)) {
    throw input_error("PLAYBOOK_FULL", "the playbook holds " + std::to_string(max_rules) + " active rules already",
                      {"retire rules nobody needs: cm playbook remove ID", "or raise cass_memory.maxRules"});
  }
  Bullet b;
  b.id = unused_id(tx, nb.kind, hash);
  b.content = nb.content;
  b.kind = nb.kind;
  b.source = nb.source;
  b.added_by = nb.added_by;
  b.tags = nb.tags;
  b.content_hash = hash;
  b.confidence = std::min(model.max_confidence, nb.confidence.value_or(default_confidence(nb.source)));
  b.confidence_time = now;
  b.evidence_count = nb.evidence_count;
  b.created = now;
  b.last_validated = now;
  b.scope = nb.scope;
  b.project = nb.project;
  b.seq = tx.exec_params1(
                "INSERT INTO bullets(id, content, kind, source, tags, content_hash, confidence, confidence_time, "
                "evidence_count, created, last_validated, scope_stage, scope_failure_type, scope_agent_type, "
                "scope_task_type, added_by, scope_project, tokens) "
                "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING seq",
                b.id, b.content, std::string(to_string(b.kind)), std::string(to_string(b.source)), join_tags(b.tags), b.content_hash,
                b.confidence, b.confidence_time, b.evidence_count, b.created, b.last_validated, b.scope.stage, b.scope.failure_type,
                b.scope.agent_type, b.scope.task_type, b.added_by, b.project, token_count({b.content, join_tags(b.tags)}))[0]
              .as<std::int64_t>();
  if (!nb.pattern_id.empty()) {
    link_pattern(tx, b.id, nb.pattern_id, nb.pattern_counted_until);
    b.pattern_ids.push_back(nb.pattern_id);
  }
  return {b, AddAction::kAdded, 0};
}

// Playbook::feedback on the team store: the rule's row is locked until the transaction ends,
// so each concurrent signal moves the confidence from where the one before left it.
FeedbackResult feedback_in(pqxx::work& tx, const FeedbackSignal& signal, const ConfidenceModel& model, std::size_t max_rules) {
  auto found = find_in(tx, signal.bullet_id, true);
  if (!found) throw input_error("UNKNOWN_RULE", "unknown rule id: " + signal.bullet_id, {"list the rules with: cm playbook list --all"});
  Bullet b = std::move(*found);
  FeedbackResult r;
  r.bullet_id = b.id;
  r.kind = signal.kind;
  r.weight = signal.weight;
  const double t = std::max(signal.time, b.confidence_time);
  r.before = b.confidence_at(t, model);
  const std::string session = signal.session_id.value_or("");
  if (!session.empty() &&
      !tx.exec_params("SELECT 1 FROM feedback WHERE session_id = $1 AND bullet_id = $2 LIMIT 1", session, b.id).empty()) {
    r.after = r.before;
    r.skipped = true;
    return r;
  }
  const bool helpful = signal.kind == FeedbackKind::kHelpful;
  r.after = helpful ? model.after_helpful(r.before, signal.weight) : model.after_harmful(r.before, signal.weight);
  const auto counts = tx.exec_params1(
      "UPDATE bullets SET confidence = $2, confidence_time = $3, helpful = helpful + $4, harmful = harmful + $5, "
      "evidence_count = evidence_count + $6, last_validated = greatest(last_validated, $7) WHERE id = $1 RETURNING helpful, harmful",
      b.id, r.after, t, helpful ? signal.weight : 0.0, helpful ? 0.0 : signal.weight, helpful ? 1 : 0, helpful ? t : b.last_validated);
  b.helpful = counts[0].as<double>();
  b.harmful = counts[1].as<double>();
  b.confidence = r.after;
  b.confidence_time = t;
  if (helpful && !signal.task.empty())
    tx.exec_params("UPDATE bullets SET learned = $2 WHERE id = $1", b.id, learned_with_task(b.learned, signal.task, b.content));
  tx.exec_params(
      "INSERT INTO feedback(bullet_id, time, kind, weight, origin, session_id, event_id, note) "
      "VALUES($1, $2, $3, $4, $5, NULLIF($6, ''), NULLIF($7::bigint, 0), $8)",
      b.id, signal.time, std::string(to_string(signal.kind)), signal.weight, signal.origin, session, signal.event_id.value_or(0),
      signal.note);
  if (!b.active) return r;
  if (b.kind == BulletKind::kRule && !helpful && model.should_invert(b.helpful, b.harmful)) {
    NewBullet anti;
    anti.content = b.content.rfind("AVOID", 0) == 0 ? b.content : "AVOID: " + b.content;
    anti.kind = BulletKind::kAntiPattern;
    anti.source = BulletSource::kLearning;
    anti.added_by = "feedback";
    anti.tags = b.tags;
    anti.confidence = std::min(0.9, 0.9 * b.harmful / (b.helpful + b.harmful));
    anti.evidence_count = static_cast<std::int64_t>(std::llround(b.harmful));
    anti.scope = b.scope;
    anti.project = b.project;
    Bullet inverted = retire(tx, b, "inverted", t, model);
    const AddResult added = add_in(tx, anti, t, model, max_rules);
    inverted.replaced_by = added.bullet.id;
    save_state(tx, inverted);
    r.inverted_to = added.bullet.id;
  } else if (b.confidence < model.retire_below) {
    retire(tx, b, "low_confidence", t, model);
    r.retired = true;
  }
  return r;
}

// An outcome of the rules `ids` (each must exist) in the caller's transaction.
OutcomeResult outcome_in(pqxx::work& tx, const OutcomeRequest& request, const std::vector<std::string>& ids, double t,
                         const ConfidenceModel& model, std::size_t max_rules) {
  std::vector<Bullet> rules;
  std::string unknown;
  for (const auto& id : ids) {
    if (auto b = find_in(tx, id, false))
      rules.push_back(std::move(*b));
    else
      unknown += (unknown.empty() ? "" : ", ") + id;
  }
  if (!unknown.empty()) {
    throw input_error("UNKNOWN_RULE", "unknown rule id(s): " + unknown + "; nothing was recorded",
                      {"list the rules with: cm playbook list --all"});
  }
  return apply_outcome(request, rules, t, [&](const FeedbackSignal& s) { return feedback_in(tx, s, model, max_rules); });
}

// A query word as a search of the team store uses it: its lexeme (the english configuration's
// stem) and the number of documents that have it.
struct QueryWord {
  std::string word, lexeme;
  std::int64_t documents = 0;
};

// The query words kept for a search of the history (query_terms.h, step 1), with the exact number
// of tasks matching each (BM25's idf), from the lexeme counts (schema version 3).
std::vector<QueryWord> kept_words(pqxx::work& tx, const std::vector<std::string>& words, std::int64_t documents, double max_share) {
  const std::int64_t threshold = frequent_word_threshold(documents, max_share);
  std::vector<QueryWord> rare, common;
  for (const auto& w : words) {
    const auto lexemes = tx.exec_params(
        "SELECT l, coalesce((SELECT tasks FROM history_lexemes WHERE lexeme = l), 0) "
        "FROM unnest(tsvector_to_array(to_tsvector('english', $1))) l",
        w);
    if (lexemes.size() != 1) continue;  // a stopword, or not one word
    const std::int64_t n = lexemes[0][1].as<std::int64_t>();
    if (n <= 0) continue;
    (n <= threshold ? rare : common).push_back({w, lexemes[0][0].as<std::string>(), n});
  }
  if (rare.empty()) rare.assign(common.begin(), common.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(common.size(), 2)));
  return rare;
}

// The tsquery matching any of `kept` (parameters $first...), and the parameters with them.
std::string any_of(const std::vector<QueryWord>& kept, int first) {
  std::string sql;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    sql += (sql.empty() ? "" : " || ") + std::string("plainto_tsquery('english', $") + std::to_string(first + static_cast<int>(i)) + ")";
  }
  return sql;
}

// The tsqueries to rank, best first, as QueryTerms::plan's: when the words match more than `cap`
// documents, those matching at least two of the six rarest first, then any of them.
std::vector<std::string> search_plans(pqxx::work& tx, const std::string& table, const std::vector<QueryWord>& kept, int first,
                                      std::int64_t cap, const std::vector<std::string>& params) {
  std::vector<std::string> plans;
  const std::string any = any_of(kept, first);
  // Every parameter is named, the leading ones the count has no use for too (typed as text).
  std::string count = "SELECT count(*)";
  for (int i = 1; i < first - 1; ++i) count += ", $" + std::to_string(i) + "::text";
  count += " FROM (SELECT 1 FROM " + table + " WHERE search @@ (";
  const auto matches = [&](const std::string& query) {
    std::vector<std::string> p = params;
    p[static_cast<std::size_t>(first) - 2] = std::to_string(cap + 1);  // the LIMIT below: $<first - 1>
    return tx.exec_params1(count + query + ") LIMIT $" + std::to_string(first - 1) + ") m", pqxx::prepare::make_dynamic_params(p))[0]
        .as<std::int64_t>();
  };
  if (kept.size() >= 2 && matches(any) > cap) {
    std::vector<std::size_t> order(kept.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return kept[a].documents < kept[b].documents; });
    const auto word = [&](std::size_t i) {
      return "plainto_tsquery('english', $" + std::to_string(first + static_cast<int>(order[i])) + ")";
    };
    std::string pairs;
    const std::size_t n = std::min<std::size_t>(order.size(), 6);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = i + 1; j < n; ++j) pairs += (pairs.empty() ? "(" : " || (") + word(i) + " && " + word(j) + ")";
    }
    if (matches(pairs) > 0) plans.push_back(pairs);
  }
  plans.push_back(any);
  return plans;
}

std::vector<std::string> search_params(std::vector<std::string> first, const std::vector<QueryWord>& kept) {
  for (const auto& k : kept) first.push_back(k.word);
  return first;
}

// How often each of `lexemes` occurs in a tsvector's text ('login':3B,7 'redirect':4A ...),
// each occurrence counted with the weight of its label (A, B, C, D: weights[3] ... weights[0]).
std::vector<double> weighted_frequencies(std::string_view tsvector, const std::vector<QueryWord>& kept, const double (&weights)[4]) {
  std::vector<double> out(kept.size(), 0.0);
  std::size_t at = 0;
  while (at < tsvector.size()) {
    if (tsvector[at] != '\'') {
      ++at;
      continue;
    }
    std::string lexeme;
    for (++at; at < tsvector.size(); ++at) {
      if (tsvector[at] == '\'') {
        if (at + 1 < tsvector.size() && tsvector[at + 1] == '\'') {
          lexeme.push_back('\'');
          ++at;
          continue;
        }
        ++at;
        break;
      }
      lexeme.push_back(tsvector[at]);
    }
    double frequency = 0;
    if (at < tsvector.size() && tsvector[at] == ':') {
      for (++at; at < tsvector.size() && tsvector[at] != ' ';) {
        while (at < tsvector.size() && std::isdigit(static_cast<unsigned char>(tsvector[at]))) ++at;
        int label = 0;  // D
        if (at < tsvector.size() && tsvector[at] >= 'A' && tsvector[at] <= 'C') label = 'D' - tsvector[at++];
        frequency += weights[label];
        if (at < tsvector.size() && tsvector[at] == ',') ++at;
      }
    } else {
      frequency = weights[0];  // a tsvector without positions: one occurrence
    }
    for (std::size_t i = 0; i < kept.size(); ++i) {
      if (kept[i].lexeme == lexeme) out[i] += frequency;
    }
  }
  return out;
}

// FTS5's bm25() (sqlite/ext/fts5/fts5_aux.c: k1 1.2, b 0.75, idf floored at 1e-6) of a document
// of `tokens` words with these weighted frequencies, among `documents` of `average` words.
double bm25(const std::vector<double>& frequencies, const std::vector<QueryWord>& kept, double tokens, std::int64_t documents,
            double average) {
  constexpr double k1 = 1.2, b = 0.75;
  double score = 0;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const double n = static_cast<double>(kept[i].documents);
    double idf = std::log((static_cast<double>(documents) - n + 0.5) / (n + 0.5));
    if (idf <= 0.0) idf = 1e-6;
    const double f = frequencies[i];
    score += idf * (f * (k1 + 1.0)) / (f + k1 * (1.0 - b + b * tokens / std::max(average, 1.0)));
  }
  return score;
}

std::int64_t state_value(pqxx::transaction_base& tx, const char* key, std::int64_t otherwise) {
  const auto r = tx.exec_params("SELECT value FROM learning_state WHERE key = $1", std::string(key));
  return r.empty() ? otherwise : r[0][0].as<std::int64_t>();
}

void set_state_value(pqxx::work& tx, const std::string& key, std::int64_t value) {
  tx.exec_params("INSERT INTO learning_state(key, value) VALUES($1, $2) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value);
}

// The settled id of an incremental step over the team's events (`prefix`_settled, _seen,
// _seen_at in learning_state): ids are settled a minute after they were seen (kSettleSeconds),
// when no smaller one can still appear.
void advance_settled(pqxx::work& tx, const std::string& prefix) {
  const std::int64_t now_s = tx.exec1("SELECT floor(extract(epoch FROM clock_timestamp()))::bigint")[0].as<std::int64_t>();
  if (now_s - state_value(tx, (prefix + "_seen_at").c_str(), 0) < kSettleSeconds) return;
  set_state_value(tx, prefix + "_settled", state_value(tx, (prefix + "_seen").c_str(), state_value(tx, (prefix + "_settled").c_str(), 0)));
  set_state_value(tx, prefix + "_seen", tx.exec1("SELECT coalesce(max(id), 0) FROM events")[0].as<std::int64_t>());
  set_state_value(tx, prefix + "_seen_at", now_s);
}

}  // namespace

// A session holding the team's reflection lock; closing the connection frees it.
class PostgresReflectionLease final : public ReflectionLease {
 public:
  explicit PostgresReflectionLease(std::unique_ptr<store::PostgresConnection> connection) : connection_(std::move(connection)) {}

 private:
  std::unique_ptr<store::PostgresConnection> connection_;
};

PostgresLearningStore::PostgresLearningStore(const std::string& url, const std::string& path, LearningSettings settings)
    : url_(url), mirror_path_(path.empty() ? std::string() : path + ".team-playbook"), settings_(std::move(settings)) {
  try {
    mirror_ = std::make_unique<PlaybookMirror>(mirror_path_);
  } catch (const store::StoreError& e) {
    throw translate_error(e, mirror_path_);
  }
  try {
    connection_ = std::make_unique<store::PostgresConnection>(url_);
    ensure_postgres_learning_schema(connection_->get());
  } catch (const store::StoreError& e) {
    throw unreachable(store::redacted(url_), e.what());
  } catch (const pqxx::broken_connection& e) {
    throw unreachable(store::redacted(url_), store::without_password(e.what(), url_));
  }
}

PostgresLearningStore::~PostgresLearningStore() = default;

template <typename Work>
auto PostgresLearningStore::run(const char* what, Work&& work) {
  try {
    pqxx::connection& c = connection_->get();
    return work(c);
  } catch (const pqxx::broken_connection& e) {
    throw unreachable(name(), std::string(what) + ": " + store::without_password(e.what(), url_));
  } catch (const store::StoreError& e) {
    throw unreachable(name(), e.what());
  } catch (const pqxx::sql_error& e) {
    throw store::StoreError(store::StoreError::Kind::kOther, connection_->describe(std::string(what) + ": " + e.what()));
  }
}

sqlite3* PostgresLearningStore::follow() {
  return run("follow the playbook", [&](pqxx::connection& c) {
    try {
      return mirror_->follow(c);
    } catch (const store::StoreError& e) {
      throw translate_error(e, mirror_path_);  // the local copy, not the team store
    }
  });
}

LearningService& PostgresLearningStore::followed() {
  sqlite3* db = follow();
  if (!mirror_service_) mirror_service_ = std::make_unique<LearningService>(db, settings_);
  return *mirror_service_;
}

PlaybookListResult PostgresLearningStore::top(int limit) { return followed().top(limit); }
SimilarResult PostgresLearningStore::similar(std::string_view text, int limit, bool include_retired) {
  return followed().similar_as_indexed(text, limit, include_retired);
}
StaleResult PostgresLearningStore::stale(std::optional<double> days) { return followed().stale(days); }
AgentsMdExport PostgresLearningStore::export_agents_md(const AgentsMdOptions& options) { return followed().export_agents_md(options); }
PlaybookExport PostgresLearningStore::playbook_export() { return followed().playbook_export(); }

PlaybookRemoveResult PostgresLearningStore::playbook_remove(std::string_view id) {
  const std::string rule = trimmed_id(id);
  const double t = now();
  const auto& model = settings_.reflection.model;
  return run("playbook remove", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    const auto before = find_in(tx, rule, true);
    if (!before) throw unknown_rule(rule);
    const Bullet after = retire(tx, *before, "removed", t, model);
    commit_playbook(tx);
    return PlaybookRemoveResult{before->active, {after, after.confidence_at(t, model)}};
  });
}

ForgetResult PostgresLearningStore::forget(std::string_view id) {
  const std::string rule = trimmed_id(id);
  ForgetResult result = run("forget", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    const auto b = find_in(tx, rule, true);
    if (!b) throw unknown_rule(rule);
    ForgetResult r{b->id, b->content, 0, 0, 0};
    r.feedback = tx.exec_params("DELETE FROM feedback WHERE bullet_id = $1", b->id).affected_rows();
    r.patterns = tx.exec_params("DELETE FROM bullet_patterns WHERE bullet_id = $1", b->id).affected_rows();
    r.sessions = tx.exec_params("DELETE FROM session_rules WHERE bullet_id = $1", b->id).affected_rows();
    tx.exec_params("DELETE FROM bullets WHERE id = $1", b->id);
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kRevisionLock);
    tx.exec_params("INSERT INTO bullet_deletions(seq, revision) VALUES($1, nextval('bullet_revisions'))", b->seq);
    commit_playbook(tx);
    return r;
  });
  follow();  // this machine's copy lets go of the text at once
  return result;
}

UndoResult PostgresLearningStore::undo() {
  throw LearningError(ErrorCategory::kConfig, "TEAM_STORE_UNSUPPORTED",
                      "cm undo does not run on a team store: it reverts the embedded store's own rows, and on a team store "
                      "other machines may have built on a change since",
                      {"take back a grade with the opposite one: cm mark ID --helpful or --harmful",
                       "take back a rule with: cm playbook remove ID (or cm forget ID for text that must go)"});
}

std::optional<Bullet> PostgresLearningStore::find(std::string_view id) {
  return run("find", [&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return find_in(tx, id, false);
  });
}

WhyResult PostgresLearningStore::why(std::string_view id) {
  const std::string rule = trimmed_id(id);
  const double t = now();
  return run("why", [&](pqxx::connection& c) {
    pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only> tx(c);
    auto b = find_in(tx, rule, false);
    if (!b) throw unknown_rule(rule);
    for (const auto& r : tx.exec_params("SELECT pattern_id FROM bullet_patterns WHERE bullet_id = $1 ORDER BY pattern_id", b->id))
      b->pattern_ids.push_back(r[0].as<std::string>());
    WhyResult result;
    result.rule = {*b, b->confidence_at(t, settings_.reflection.model)};
    for (const auto& pattern : b->pattern_ids) {
      const auto r = tx.exec_params("SELECT kind, data FROM patterns WHERE pattern_id = $1", pattern);
      result.add_pattern(pattern,
                         r.empty() ? std::nullopt : std::optional(std::make_pair(r[0][0].as<std::string>(), r[0][1].as<std::string>())));
    }
    for (const auto& r : tx.exec_params("SELECT time, kind, weight, origin, coalesce(session_id, ''), note FROM "
                                        "(SELECT * FROM feedback WHERE bullet_id = $1 ORDER BY id DESC LIMIT $2) f ORDER BY id",
                                        b->id, kMaxWhyFeedback)) {
      result.add_feedback({r[0].as<double>(), r[1].as<std::string>() == "harmful" ? FeedbackKind::kHarmful : FeedbackKind::kHelpful,
                           r[2].as<double>(), r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<std::string>()});
    }
    result.sessions_given = tx.exec_params1("SELECT count(*) FROM session_rules WHERE bullet_id = $1", b->id)[0].as<std::int64_t>();
    return result;
  });
}

PatternsResult PostgresLearningStore::patterns() {
  return run("patterns", [&](pqxx::connection& c) {
    pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only> tx(c);
    PatternsResult result;
    result.reflection_id = tx.exec1("SELECT coalesce(max(reflection_id), 0) FROM patterns")[0].as<std::int64_t>();
    // In the embedded store's order: its kinds and ids are ASCII, which sort alike in both.
    for (const auto& r : tx.exec_params("SELECT kind, data FROM patterns WHERE reflection_id = $1 ORDER BY kind COLLATE \"C\", "
                                        "pattern_id COLLATE \"C\"",
                                        result.reflection_id))
      result.add_stored(r[0].as<std::string>(), r[1].as<std::string>());
    result.order();
    return result;
  });
}

std::vector<std::string> PostgresLearningStore::given_rules(std::string_view session_id) {
  const std::string session = required_session(session_id);
  return run("given rules", [&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    std::vector<std::string> ids;
    for (const auto& r : tx.exec_params("SELECT bullet_id FROM session_rules WHERE session_id = $1 ORDER BY given, bullet_id", session))
      ids.push_back(r[0].as<std::string>());
    return ids;
  });
}

ContextResult PostgresLearningStore::context(std::string_view task_text, std::optional<int> limit_arg, std::string_view project) {
  ContextResult result;
  const int limit = checked_context_query(task_text, limit_arg, project, settings_, result.task);
  auto words = content_words(result.task);
  if (words.size() > kMaxQueryWords) words.resize(kMaxQueryWords);
  if (words.empty()) return result;
  const double t = now();
  // The rules: the team's playbook as a local copy brought up to date, ranked by the embedded
  // store's own code (playbook_mirror.h, rule_search.h).
  sqlite3* rules = follow();
  return run("context", [&](pqxx::connection& c) {
    result.degraded = catch_up_history(c);
    if (!stemmer_) {
      stemmer_ = std::make_unique<FtsStemmer>(rules);
      thesaurus_ = std::make_unique<Thesaurus>(Thesaurus::builtin_text(), *stemmer_);
      symptoms_ = std::make_unique<Symptoms>(Symptoms::builtin_text(), *stemmer_);
    }
    ContextRules ranked =
        context_rules(rules, query_concepts(result.task, *thesaurus_, *stemmer_, kMaxQueryWords, WordNet::installed(), symptoms_.get()),
                      settings_.reflection.model,
                      {project, static_cast<std::size_t>(limit), settings_.confidence_weight, settings_.frequent_term_share, t});
    result.relevant_bullets = std::move(ranked.rules);
    result.anti_patterns = std::move(ranked.anti_patterns);
    pqxx::work tx(c);
    // The history's size and length from learning_state (index_tasks keeps them), not a scan.
    std::int64_t tasks = 0;
    double task_tokens = 0;
    for (const auto& r : tx.exec("SELECT key, value FROM learning_state WHERE key IN ('history_count', 'history_tokens')")) {
      if (r[0].as<std::string>() == "history_count")
        tasks = r[1].as<std::int64_t>();
      else
        task_tokens = r[1].as<double>();
    }
    if (const auto kept = kept_words(tx, words, tasks, settings_.frequent_term_share); !kept.empty()) {
      const auto params = search_params({std::to_string(kMaxRankedTasks)}, kept);
      const double average = tasks > 0 ? task_tokens / static_cast<double>(tasks) : 0.0;
      std::vector<HistoryHit>& hits = result.history_snippets;
      for (const auto& plan : search_plans(tx, "history_tasks", kept, 2, kMaxRankedTasks, params)) {
        if (hits.size() >= static_cast<std::size_t>(limit)) break;
        const auto rows =
            tx.exec_params("WITH newest AS (SELECT event_id FROM history_tasks WHERE search @@ (" + plan +
                               ") ORDER BY event_id DESC LIMIT $1) "
                               "SELECT event_id, search::text, tokens, session_id, title, approach, snippet, success, duration, time "
                               "FROM newest JOIN history_tasks USING (event_id)",
                           pqxx::prepare::make_dynamic_params(params));
        std::vector<HistoryHit> found;
        for (const auto& r : rows) {
          HistoryHit h;
          h.event_id = r[0].as<std::int64_t>();
          h.relevance = bm25(weighted_frequencies(r[1].c_str(), kept, kTaskWeights), kept, r[2].as<double>(), tasks, average);
          h.session_id = r[3].as<std::string>();
          h.title = r[4].as<std::string>();
          h.approach = r[5].as<std::string>();
          h.snippet = r[6].as<std::string>();
          h.success = r[7].as<bool>();
          h.duration_seconds = r[8].as<double>();
          h.time = r[9].as<double>();
          found.push_back(std::move(h));
        }
        std::stable_sort(found.begin(), found.end(), [](const HistoryHit& a, const HistoryHit& b) {
          return a.relevance != b.relevance ? a.relevance > b.relevance : a.event_id < b.event_id;
        });
        if (found.size() > static_cast<std::size_t>(limit)) found.resize(static_cast<std::size_t>(limit));
        for (auto& h : found) {
          if (hits.size() < static_cast<std::size_t>(limit) &&
              std::none_of(hits.begin(), hits.end(), [&](const HistoryHit& x) { return x.event_id == h.event_id; }))
            hits.push_back(std::move(h));
        }
      }
    }
    tx.commit();
    return result;
  });
}

MarkResult PostgresLearningStore::mark(const MarkRequest& request) {
  FeedbackSignal s;
  s.bullet_id = request.id;
  while (!s.bullet_id.empty() && std::isspace(static_cast<unsigned char>(s.bullet_id.back()))) s.bullet_id.pop_back();
  s.bullet_id.erase(0, std::min(s.bullet_id.size(), s.bullet_id.find_first_not_of(" \t\r\n")));
  if (s.bullet_id.empty()) throw input_error("MISSING_ID", "which rule? the id is empty", {"cm mark b-8f3a2c --helpful"});
  s.kind = request.kind;
  s.origin = "mark";
  if (!request.session_id.empty()) s.session_id = request.session_id;
  s.note = request.reason;
  s.task = checked_feedback_task(request.task);
  s.time = now();
  return run("mark", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    MarkResult result;
    result.feedback = feedback_in(tx, s, settings_.reflection.model, settings_.reflection.max_rules);
    const Bullet b = *find_in(tx, result.feedback.bullet_id, false);
    commit_playbook(tx);
    result.helpful = b.helpful;
    result.harmful = b.harmful;
    result.active = b.active;
    return result;
  });
}

OutcomeResult PostgresLearningStore::outcome(const OutcomeRequest& request) {
  const std::vector<std::string> ids = checked_outcome_rules(request);
  const double t = now();
  return run("outcome", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    OutcomeResult result = outcome_in(tx, request, ids, t, settings_.reflection.model, settings_.reflection.max_rules);
    commit_playbook(tx);
    return result;
  });
}

void PostgresLearningStore::remember_given(std::string_view session_id, const std::vector<std::string>& rule_ids, std::string_view task) {
  const std::string session = required_session(session_id);
  const double t = now();
  const std::string words = learnable_words(task);
  run("remember the given rules", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params("DELETE FROM session_rules WHERE given < $1", t - SessionRules::kKeepDays * kSecondsPerDay);
    for (const auto& id : rule_ids) {
      tx.exec_params("INSERT INTO session_rules(session_id, bullet_id, given, task) VALUES($1, $2, $3, $4) ON CONFLICT DO NOTHING", session,
                     id, t, words);
    }
    tx.commit();
  });
}

OutcomeResult PostgresLearningStore::grade_session(std::string_view session_id, bool success, std::string_view failure_type) {
  const std::string session = required_session(session_id);
  const double t = now();
  return run("grade the session", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    // The session's rules not graded yet, taken at once: two ends of one session grade them once.
    // The task's words go with the grade (the old row's, which RETURNING gives before the update).
    const auto taken = tx.exec_params(
        "UPDATE session_rules s SET graded = $2, task = '' FROM session_rules o WHERE s.session_id = $1 AND s.graded IS NULL "
        "AND o.session_id = s.session_id AND o.bullet_id = s.bullet_id RETURNING s.bullet_id, s.given, o.task",
        session, t);
    std::vector<std::tuple<double, std::string, std::string>> order;
    for (const auto& r : taken) order.emplace_back(r[1].as<double>(), r[0].as<std::string>(), r[2].as<std::string>());
    std::sort(order.begin(), order.end());  // as the embedded store: by when given, then id
    std::vector<GivenRule> rules;
    for (auto& [given, id, task] : order) {
      if (find_in(tx, id, false)) rules.push_back({std::move(id), std::move(task)});
    }
    OutcomeResult result = grade_given(rules, success, failure_type, session, [&](const OutcomeRequest& request) {
      return outcome_in(tx, request, checked_outcome_rules(request), t, settings_.reflection.model, settings_.reflection.max_rules);
    });
    commit_playbook(tx);
    return result;
  });
}

MarkersResult PostgresLearningStore::apply_markers(std::string_view session_id, std::string_view agent_text) {
  const std::string session = required_session(session_id);
  const auto markers = feedback_markers(agent_text);
  if (markers.empty()) return {};
  const double t = now();
  const std::vector<std::string> given = given_rules(session);
  return run("apply the markers", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    MarkersResult result = apply_markers_to(
        markers, given, session, t, [&](const std::string& id) { return find_in(tx, id, false).has_value(); },
        [&](const FeedbackSignal& s) { return feedback_in(tx, s, settings_.reflection.model, settings_.reflection.max_rules); });
    commit_playbook(tx);
    return result;
  });
}

PlaybookAddResult PostgresLearningStore::playbook_add(const NewBullet& bullet) {
  const double t = now();
  return run("playbook add", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    const AddResult r = add_in(tx, bullet, t, settings_.reflection.model, settings_.reflection.max_rules);
    commit_playbook(tx);
    return PlaybookAddResult{r.action, r.similarity, {r.bullet, r.bullet.confidence_at(t, settings_.reflection.model)}};
  });
}

std::vector<BulletView> PostgresLearningStore::listed(const Playbook::Filter& filter, double t) {
  const auto& model = settings_.reflection.model;
  std::vector<BulletView> all = run("playbook list", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    const auto rows =
        tx.exec_params(std::string("SELECT ") + kPostgresBulletColumns +
                           " FROM bullets WHERE ($1 OR state = 'active') AND ($2 = '' OR kind = $2) AND ($3 = '' OR source = $3)",
                       filter.include_retired, filter.kind ? std::string(to_string(*filter.kind)) : std::string(),
                       filter.source ? std::string(to_string(*filter.source)) : std::string());
    std::vector<BulletView> views;
    for (const auto& r : rows) {
      Bullet b = read_bullet(r);
      const double confidence = b.confidence_at(t, model);
      views.push_back({std::move(b), confidence});
    }
    return views;
  });
  // As Playbook::list: by decayed confidence, then id.
  std::sort(all.begin(), all.end(), [](const BulletView& a, const BulletView& b) {
    return a.confidence != b.confidence ? a.confidence > b.confidence : a.bullet.id < b.bullet.id;
  });
  return all;
}

ImportResult PostgresLearningStore::playbook_import(const nlohmann::ordered_json& document) {
  const std::vector<NewBullet> rules = parse_import(document);
  const double t = now();
  return run("playbook import", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    ImportResult result = import_rules(
        rules, [&](const NewBullet& nb) { return add_in(tx, nb, t, settings_.reflection.model, settings_.reflection.max_rules); });
    commit_playbook(tx);
    return result;
  });
}

PlaybookListResult PostgresLearningStore::playbook_list(const PlaybookListRequest& request) {
  if (request.limit < 1 || request.limit > kMaxPlaybookPage) {
    throw input_error("INVALID_LIMIT", "the limit must be between 1 and " + std::to_string(kMaxPlaybookPage), {"pass --limit 100"});
  }
  if (request.offset < 0) throw input_error("INVALID_OFFSET", "the offset must be 0 or more", {"pass --offset 100 for the second page"});
  std::vector<BulletView> all = listed(request.filter, now());
  PlaybookListResult result;
  result.total = static_cast<std::int64_t>(all.size());
  result.offset = request.offset;
  result.limit = request.limit;
  const auto first = std::min(all.size(), static_cast<std::size_t>(request.offset));
  const auto last = std::min(all.size(), first + static_cast<std::size_t>(request.limit));
  result.bullets.assign(std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(first)),
                        std::make_move_iterator(all.begin() + static_cast<std::ptrdiff_t>(last)));
  return result;
}

namespace {

// The last `limit` reflection runs, newest first, as LearningService::reflections.
std::vector<LastReflection> reflections_in(pqxx::transaction_base& tx, int limit) {
  std::vector<LastReflection> runs;
  for (const auto& r : tx.exec_params(
           "SELECT id, started, duration_seconds, trigger, status, summary, error FROM reflection_runs ORDER BY id DESC LIMIT $1",
           std::max(limit, 0))) {
    LastReflection& run = runs.emplace_back();
    run.id = r[0].as<std::int64_t>();
    run.started = r[1].as<double>();
    if (!r[2].is_null()) run.duration_seconds = r[2].as<double>();
    run.trigger = r[3].as<std::string>();
    run.status = r[4].as<std::string>();
    run.summary = nlohmann::ordered_json::parse(r[5].as<std::string>(), nullptr, false);
    if (run.summary.is_discarded()) run.summary = nullptr;
    if (!r[6].is_null()) run.error = r[6].as<std::string>();
  }
  return runs;
}

}  // namespace

std::vector<LastReflection> PostgresLearningStore::reflections(int limit) {
  return run("reflections", [&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return reflections_in(tx, limit);
  });
}

StatsResult PostgresLearningStore::stats() {
  const double t = now();
  std::vector<Bullet> rules;
  for (auto& view : listed({std::nullopt, std::nullopt, true}, t)) rules.push_back(std::move(view.bullet));
  StatsResult s = rule_stats(rules, t, settings_.reflection.model);
  run("stats", [&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (const auto& r : tx.exec("SELECT kind, count(*) FROM feedback GROUP BY kind"))
      (r[0].as<std::string>() == "helpful" ? s.helpful_signals : s.harmful_signals) = r[1].as<std::int64_t>();
    s.reflection_runs = tx.exec1("SELECT count(*) FROM reflection_runs")[0].as<std::int64_t>();
    if (auto last = reflections_in(tx, 1); !last.empty()) s.last_reflection = std::move(last.front());
    s.indexed_tasks = state_value(tx, "history_count", 0);
    // The team's task events not indexed yet (none while no sidecar has stored any).
    if (tx.exec1("SELECT to_regclass('events') IS NOT NULL")[0].as<bool>()) {
      s.pending_tasks = tx.exec_params1(
                              "SELECT count(*) FROM events e WHERE e.id > $1 AND e.kind = 'task' AND NOT EXISTS "
                              "(SELECT 1 FROM history_tasks h WHERE h.event_id = e.id)",
                              state_value(tx, "history_settled", 0))[0]
                            .as<std::int64_t>();
    }
  });
  return s;
}

std::unique_ptr<ReflectionLease> PostgresLearningStore::try_reflection_lease() {
  std::unique_ptr<store::PostgresConnection> session;
  try {
    session = std::make_unique<store::PostgresConnection>(url_);
    pqxx::nontransaction tx(session->get());
    if (!tx.exec_params1("SELECT pg_try_advisory_lock($1)", kReflectionLockKey)[0].as<bool>()) return nullptr;
  } catch (const store::StoreError& e) {
    throw unreachable(name(), e.what());
  } catch (const pqxx::broken_connection& e) {
    throw unreachable(name(), store::without_password(e.what(), url_));
  }
  return std::make_unique<PostgresReflectionLease>(std::move(session));
}

namespace {

// How many events one transaction of the team's reflection reads, and rules it decays.
constexpr std::int64_t kReflectionBatch = 500;

// The team's playbook as a reflection writes its learned rules, in one transaction: the rule a
// pattern found is locked until the commit, so feedback from elsewhere waits for it.
class TeamRuleBook final : public RuleBook {
 public:
  TeamRuleBook(pqxx::work& tx, const ConfidenceModel& model, std::size_t max_rules) : tx_(tx), model_(model), max_rules_(max_rules) {}
  std::optional<Bullet> find_by_pattern(std::string_view pattern_id) override {
    const auto r =
        tx_.exec_params("SELECT bullet_id FROM bullet_patterns WHERE pattern_id = $1 ORDER BY bullet_id LIMIT 1", std::string(pattern_id));
    if (r.empty()) return std::nullopt;
    return find_in(tx_, r[0][0].as<std::string>(), true);
  }
  double pattern_counted_until(std::string_view bullet_id, std::string_view pattern_id) override {
    const auto r = tx_.exec_params("SELECT counted_until FROM bullet_patterns WHERE bullet_id = $1 AND pattern_id = $2",
                                   std::string(bullet_id), std::string(pattern_id));
    return r.empty() ? 0.0 : r[0][0].as<double>();
  }
  // As Playbook::reinforce, on the row find_by_pattern locked.
  void reinforce(const Bullet& bullet, std::int64_t evidence, double now) override {
    save_state(tx_, reinforced(bullet, evidence, now, model_));
  }
  void link_pattern(std::string_view bullet_id, std::string_view pattern_id, double counted_until) override {
    learning::link_pattern(tx_, bullet_id, pattern_id, counted_until);
  }
  AddResult add(const NewBullet& bullet, double now) override { return add_in(tx_, bullet, now, model_, max_rules_); }

 private:
  pqxx::work& tx_;
  const ConfidenceModel& model_;
  std::size_t max_rules_;
};

}  // namespace

std::optional<ReflectionReport> PostgresLearningStore::reflect(std::string_view trigger, const std::atomic<bool>* cancel,
                                                               const WriteRunner* /*runner*/) {
  const auto lease = try_reflection_lease();
  if (!lease) return std::nullopt;
  const ReflectionSettings& settings = settings_.reflection;
  ReflectionReport report;
  report.trigger = trigger;
  report.started = now();
  const auto t0 = std::chrono::steady_clock::now();
  report.id = run("reflect", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    const auto id = tx.exec_params1("INSERT INTO reflection_runs(started, trigger, status) VALUES($1, $2, 'running') RETURNING id",
                                    report.started, std::string(trigger))[0]
                        .as<std::int64_t>();
    tx.commit();
    return id;
  });
  const auto finish = [&](const char* status, const std::string& error) {
    report.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    run("reflect", [&](pqxx::connection& c) {
      pqxx::work tx(c);
      tx.exec_params(
          "UPDATE reflection_runs SET finished = $2, duration_seconds = $3, status = $4, summary = $5, error = NULLIF($6, '') "
          "WHERE id = $1",
          report.id, report.started + report.duration_seconds, report.duration_seconds, std::string(status), run_summary(report).dump(),
          error);
      tx.commit();
    });
  };
  record_reflection_run(
      [&] {
        const double t = report.started;
        report.history_indexed = index_history(cancel);
        const TaskFeedbackTally tally = apply_task_feedback(cancel);
        report.feedback_applied = tally.signals;
        report.rules_inverted = tally.inverted;
        report.rules_retired = tally.retired;

        std::vector<OutcomeRow> rows;
        SessionActivityLoad activity;
        run("reflect: read the outcomes", [&](pqxx::connection& c) {
          pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only> snapshot(c);
          // No sidecar has written to this database yet: no events.
          if (!snapshot.exec1("SELECT to_regclass('events') IS NOT NULL")[0].as<bool>()) return;
          const double from = t - settings.patterns.window_seconds;
          // As load_outcome_rows: a label that is absent or empty is "unknown".
          for (const auto& r : snapshot.exec_params(
                   "SELECT id, kind, time, coalesce(nullif(fields->>'stage', ''), 'unknown'), "
                   "coalesce(nullif(fields->>'failure_type', ''), 'unknown'), coalesce(am_num(fields, 'success'), 0) <> 0, "
                   "coalesce(am_num(fields, 'duration_seconds'), 0), coalesce(nullif(fields->>'agent_type', ''), 'unknown'), "
                   "coalesce(nullif(fields->>'task_type', ''), 'unknown'), coalesce(fields->>'approach', '') "
                   "FROM events WHERE kind IN ('task', 'pipeline') AND time >= $1 AND time <= $2 ORDER BY time, id",
                   from, t)) {
            rows.push_back({r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<double>(), r[3].as<std::string>(),
                            r[4].as<std::string>(), r[5].as<bool>(), r[6].as<double>(), r[7].as<std::string>(), r[8].as<std::string>(),
                            r[9].as<std::string>()});
          }
          if (!settings.session_patterns.enabled) return;
          for (const auto& r : snapshot.exec_params(
                   "SELECT id, time, coalesce(fields->>'session_id', ''), coalesce(fields->>'agent_type', ''), fields->>'tool_failures' "
                   "FROM events WHERE kind = 'task' AND time >= $1 AND time <= $2 AND fields->>'tool_failures' IS NOT NULL "
                   "ORDER BY time, id",
                   from, t)) {
            activity.add(r[0].as<std::int64_t>(), r[1].as<double>(), r[2].as<std::string>(), r[3].as<std::string>(),
                         std::string_view(r[4].c_str(), r[4].size()));
          }
        });
        const auto learned = learn_from(rows, activity, settings, report);
        store_patterns(report, t);
        write_learned_rules(learned, t, report);
        const DecayResult decay = decay_all(t, cancel);
        report.decayed = decay.decayed;
        report.rules_retired.insert(report.rules_retired.end(), decay.retired.begin(), decay.retired.end());
        report.cancelled = cancel && cancel->load();
      },
      finish);
  return report;
}

std::size_t PostgresLearningStore::index_history(const std::atomic<bool>* cancel) {
  const std::int64_t before = indexed_tasks();
  std::int64_t after = before;
  // A batch at a time, for as long as each indexes more (another process indexing: it goes on).
  for (;;) {
    if (cancel && cancel->load()) break;
    const auto behind = run("reflect: index the history", [&](pqxx::connection& c) { return catch_up_history(c); });
    const std::int64_t now_indexed = indexed_tasks();
    if (!behind || now_indexed == after) {
      after = now_indexed;
      break;
    }
    after = now_indexed;
  }
  return static_cast<std::size_t>(std::max<std::int64_t>(0, after - before));
}

TaskFeedbackTally PostgresLearningStore::apply_task_feedback(const std::atomic<bool>* cancel) {
  TaskFeedbackTally tally;
  const auto& model = settings_.reflection.model;
  const std::size_t max_rules = settings_.reflection.max_rules;
  std::int64_t after = -1;  // the last event of the batch before, in this run
  for (;;) {
    if (cancel && cancel->load()) return tally;  // not settled: what is left is read again next time
    const bool more = run("reflect: task feedback", [&](pqxx::connection& c) {
      pqxx::work tx(c);
      if (!tx.exec1("SELECT to_regclass('events') IS NOT NULL")[0].as<bool>()) return false;
      if (after < 0) after = state_value(tx, "feedback_settled", 0);
      // The task events that name rules or carry inline feedback, not applied yet (no feedback row
      // names them).
      const auto rows = tx.exec_params(
          "SELECT e.id, e.time, coalesce(e.fields->>'rule_ids', ''), coalesce(am_num(e.fields, 'success'), 0) <> 0, "
          "coalesce(e.fields->>'stage', ''), coalesce(e.fields->>'failure_type', ''), coalesce(e.fields->>'session_id', ''), "
          "coalesce(e.fields->>'title', ''), coalesce(e.fields->>'rule_feedback', ''), coalesce(e.fields->>'task_type', ''), "
          "e.producer_id FROM events e WHERE e.id > $1 AND e.kind = 'task' AND "
          "(e.fields->>'rule_ids' IS NOT NULL OR e.fields->>'rule_feedback' IS NOT NULL) AND NOT EXISTS "
          "(SELECT 1 FROM feedback f WHERE f.event_id = e.id AND f.origin IN ('task_event', 'marker')) ORDER BY e.id LIMIT $2",
          after, kReflectionBatch);
      for (const auto& r : rows) {
        after = r[0].as<std::int64_t>();
        const auto feedback = [&](const FeedbackSignal& s) { return feedback_in(tx, s, model, max_rules); };
        apply_event_markers(
            parse_rule_feedback(r[8].as<std::string>()), [&](const std::string& id) { return find_in(tx, id, false).has_value(); },
            event_session_key(r[9].as<std::string>(), static_cast<std::uint64_t>(r[10].as<std::int64_t>()), r[6].as<std::string>()),
            r[7].as<std::string>(), after, r[1].as<double>(), feedback, tally);
        std::vector<Bullet> rules;
        for (const auto& id : split_list(r[2].as<std::string>())) {
          if (auto b = find_in(tx, id, false)) {
            rules.push_back(std::move(*b));
          } else {
            ++tally.unknown_rules;
          }
        }
        if (!rules.empty() || !r[8].as<std::string>().empty()) ++tally.events;
        apply_task_event(rules, r[3].as<bool>(), {r[4].as<std::string>(), r[5].as<std::string>()}, r[6].as<std::string>(),
                         r[7].as<std::string>(), after, r[1].as<double>(), feedback, tally);
      }
      const bool full = rows.size() == static_cast<std::size_t>(kReflectionBatch);
      if (!full) advance_settled(tx, "feedback");
      commit_playbook(tx);
      return full;
    });
    if (!more) return tally;
  }
}

void PostgresLearningStore::store_patterns(const ReflectionReport& report, double now) {
  run("reflect: store the patterns", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    const auto put = [&](const std::string& id, const char* kind, const nlohmann::ordered_json& data) {
      tx.exec_params(
          "INSERT INTO patterns(pattern_id, kind, data, reflection_id, updated) VALUES($1, $2, $3, $4, $5) ON CONFLICT(pattern_id) "
          "DO UPDATE SET kind = excluded.kind, data = excluded.data, reflection_id = excluded.reflection_id, updated = excluded.updated",
          id, std::string(kind), data.dump(), report.id, now);
    };
    for (const auto& p : report.patterns.failures) put(p.pattern_id, "failure", to_json(p));
    for (const auto& p : report.patterns.successes) put(p.pattern_id, "success", to_json(p));
    for (const auto& p : report.session_patterns) put(p.pattern_id, "session", to_json(p));
    tx.commit();
  });
}

void PostgresLearningStore::write_learned_rules(const std::vector<LearnedRule>& learned, double now, ReflectionReport& report) {
  run("reflect: learn rules", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    TeamRuleBook rules(tx, settings_.reflection.model, settings_.reflection.max_rules);
    write_learned(rules, learned, now, settings_.reflection, report);
    commit_playbook(tx);
  });
}

DecayResult PostgresLearningStore::decay_all(double now, const std::atomic<bool>* cancel) {
  DecayResult result;
  const auto& model = settings_.reflection.model;
  std::int64_t after = 0;
  for (;;) {
    if (cancel && cancel->load()) return result;
    const bool more = run("reflect: decay", [&](pqxx::connection& c) {
      pqxx::work tx(c);
      // Each row locked: a concurrent grade moves the confidence this decay left, or this decay
      // the grade's.
      const auto rows = tx.exec_params(
          "SELECT seq, id, confidence, confidence_time FROM bullets WHERE state = 'active' AND seq > $1 ORDER BY seq LIMIT $2 FOR UPDATE",
          after, kReflectionBatch);
      for (const auto& r : rows) {
        after = r[0].as<std::int64_t>();
        const double since = r[3].as<double>();
        if (since >= now) continue;
        const double confidence = model.decayed(r[2].as<double>(), since, now);
        const bool retired = confidence < model.retire_below;
        tx.exec_params(
            "UPDATE bullets SET confidence = $2, confidence_time = $3, state = CASE WHEN $4 THEN 'retired' ELSE state END, "
            "retired_reason = CASE WHEN $4 THEN 'stale' ELSE retired_reason END, "
            "retired_at = CASE WHEN $4 THEN $3 ELSE retired_at END WHERE seq = $1",
            after, confidence, now, retired);
        ++result.decayed;
        if (retired) result.retired.push_back(r[1].as<std::string>());
      }
      commit_playbook(tx);
      return rows.size() == static_cast<std::size_t>(kReflectionBatch);
    });
    if (!more) return result;
  }
}

std::optional<double> PostgresLearningStore::last_reflection_started() {
  return run("last reflection", [&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    const auto r = tx.exec1("SELECT max(started) FROM reflection_runs");
    return r[0].is_null() ? std::nullopt : std::optional<double>(r[0].as<double>());
  });
}

namespace {

// A task as the history index keeps it.
struct TaskRow {
  std::int64_t event_id = 0;
  std::string title, approach, snippet, task_type, agent_type, session_id;
  bool success = false;
  double duration = 0, time = 0;
};

// Indexes the tasks in the caller's transaction, keeping the sums BM25 needs; an id indexed
// already is replaced (a fuller account of the same task).
void index_rows(pqxx::work& tx, const std::vector<TaskRow>& rows) {
  std::int64_t added = 0, tokens = 0;
  for (const auto& t : rows) {
    const std::int64_t words = token_count({t.title, t.approach, t.snippet, t.task_type, t.agent_type});
    const auto before = tx.exec_params("SELECT tokens FROM history_tasks WHERE event_id = $1", t.event_id);
    if (before.empty()) {
      ++added;
      tokens += words;
    } else {
      tokens += words - before[0][0].as<std::int64_t>();
    }
    tx.exec_params(
        "INSERT INTO history_tasks(event_id, title, approach, snippet, task_type, agent_type, session_id, success, duration, time, "
        "tokens) "
        "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT(event_id) DO UPDATE SET title = excluded.title, "
        "approach = excluded.approach, snippet = excluded.snippet, task_type = excluded.task_type, agent_type = excluded.agent_type, "
        "session_id = excluded.session_id, success = excluded.success, duration = excluded.duration, time = excluded.time, "
        "tokens = excluded.tokens",
        t.event_id, t.title, t.approach, t.snippet, t.task_type, t.agent_type, t.session_id, t.success, t.duration, t.time, words);
  }
  tx.exec_params(
      "INSERT INTO learning_state(key, value) VALUES('history_count', $1), ('history_tokens', $2) "
      "ON CONFLICT(key) DO UPDATE SET value = learning_state.value + excluded.value",
      added, tokens);
}

}  // namespace

std::size_t PostgresLearningStore::index_tasks(std::span<const std::pair<std::int64_t, ipc::OutcomeEvent>> tasks) {
  std::vector<TaskRow> rows;
  const auto text = [](const ipc::OutcomeEvent& e, std::string_view field) {
    const std::string* v = e.text(field);
    return v ? *v : std::string();
  };
  for (const auto& [id, e] : tasks) {
    if (e.kind != ipc::OutcomeKind::kTask) continue;
    rows.push_back({id, text(e, "title"), text(e, "approach"), text(e, "snippet"), text(e, "task_type"), text(e, "agent_type"),
                    text(e, "session_id"), e.flag("success").value_or(false), e.number("duration_seconds").value_or(0.0), e.time});
  }
  return run("index tasks", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    // One writer of the history at a time, as catch_up_history: two would update the same lexeme
    // counts in different orders and could deadlock.
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kHistoryLock);
    index_rows(tx, rows);
    tx.commit();
    return rows.size();
  });
}

std::optional<std::string> PostgresLearningStore::catch_up_history(pqxx::connection& c) {
  pqxx::work tx(c);
  // No sidecar has written to this database yet: no events to index.
  if (!tx.exec1("SELECT to_regclass('events') IS NOT NULL AND to_regclass('replaced_events') IS NOT NULL")[0].as<bool>())
    return std::nullopt;
  const std::int64_t settled = state_value(tx, "history_settled", 0);
  const auto behind = [&] {
    return !tx.exec_params(
                  "SELECT 1 FROM events e WHERE e.id > $1 AND e.kind = 'task' AND NOT EXISTS "
                  "(SELECT 1 FROM history_tasks h WHERE h.event_id = e.id) LIMIT 1",
                  settled)
                .empty();
  };
  // One process indexes at a time; the others search what is indexed.
  if (!tx.exec_params1("SELECT pg_try_advisory_xact_lock($1)", kHistoryLock)[0].as<bool>()) {
    if (!behind()) return std::nullopt;
    return std::string("another process is indexing the team's new past tasks: those were not searched yet");
  }
  // The tasks after the settled id that are not indexed yet, oldest first. Sidecars insert at
  // once, so a smaller id may become visible after a larger one: ids are settled (never looked
  // at again) only once kSettleSeconds have passed since they were seen, which no insert takes.
  const auto rows = tx.exec_params(
      "SELECT e.id, coalesce(e.fields->>'title', ''), coalesce(e.fields->>'approach', ''), coalesce(e.fields->>'snippet', ''), "
      "coalesce(e.fields->>'task_type', ''), coalesce(e.fields->>'agent_type', ''), coalesce(e.fields->>'session_id', ''), "
      "coalesce(am_num(e.fields, 'success'), 0) = 1, coalesce(am_num(e.fields, 'duration_seconds'), 0), e.time "
      "FROM events e WHERE e.id > $1 AND e.kind = 'task' AND NOT EXISTS (SELECT 1 FROM history_tasks h WHERE h.event_id = e.id) "
      "ORDER BY e.id LIMIT $2",
      settled, kHistoryBatch + 1);
  std::vector<TaskRow> tasks;
  for (const auto& r : rows) {
    if (tasks.size() == static_cast<std::size_t>(kHistoryBatch)) break;
    tasks.push_back({r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>(),
                     r[4].as<std::string>(), r[5].as<std::string>(), r[6].as<std::string>(), r[7].as<bool>(), r[8].as<double>(),
                     r[9].as<double>()});
  }
  index_rows(tx, tasks);
  // A task replaced by a fuller account of it (a session imported again as it grew) leaves the
  // index with the sums.
  const auto gone = tx.exec_params1(
      "WITH gone AS (DELETE FROM history_tasks h USING replaced_events r WHERE r.by > $1 AND h.event_id = r.id RETURNING h.tokens) "
      "SELECT count(*), coalesce(sum(tokens), 0) FROM gone",
      settled);
  tx.exec_params(
      "UPDATE learning_state SET value = value - CASE key WHEN 'history_count' THEN $1::bigint ELSE $2::bigint END "
      "WHERE key IN ('history_count', 'history_tokens')",
      gone[0].as<std::int64_t>(), gone[1].as<std::int64_t>());
  advance_settled(tx, "history");
  tx.commit();
  if (rows.size() > tasks.size()) return std::string("the team's past tasks are still being indexed: the newest were not searched yet");
  return std::nullopt;
}

std::int64_t PostgresLearningStore::indexed_tasks() {
  return run("count tasks", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    const auto r = tx.exec("SELECT value FROM learning_state WHERE key = 'history_count'");
    return r.empty() ? std::int64_t{0} : r[0][0].as<std::int64_t>();
  });
}

}  // namespace agentmetrics::learning
