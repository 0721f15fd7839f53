#include "collector/learning/rule_search.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <set>
#include <unordered_map>

#include "collector/learning/fts_stemmer.h"
#include "collector/learning/playbook.h"
#include "collector/learning/query_terms.h"
#include "collector/learning/symptoms.h"
#include "collector/learning/text_tokens.h"
#include "collector/learning/thesaurus.h"
#include "collector/learning/wordnet.h"
#include "collector/store/sqlite_statement.h"

namespace agentmetrics::learning {
namespace {

// At most this many matches are ranked (the best by relevance): each costs a lookup of its state,
// project and confidence.
constexpr std::size_t kMaxRankedRules = 400;

// Enough related terms to reach a rule, few enough to keep a query's lookups cheap.
constexpr std::size_t kMaxFormsPerConcept = 48;
// A form in more than the common share of the rules (and in more than kAlwaysRare) only breaks
// ties: "update the cache" must rank the cache rules, not every rule that says "update".
constexpr double kCommonWeight = 0.1;

bool upper(char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; }
bool lower(char c) { return std::islower(static_cast<unsigned char>(c)) != 0; }

// A concept's forms: `first` (at weight 1, or kUnlistedWeight when it is in no group), then the
// other terms of `groups` at kRelatedWeight; a word in no group, its WordNet synonyms and broader
// words, below its own weight.
QueryConcept concept_of(const std::string& first, const std::vector<std::string>& first_stems, const std::vector<std::size_t>& groups,
                        const Thesaurus& thesaurus, const WordNet* wordnet) {
  QueryConcept c;
  c.forms.push_back({fts_any_of({first}), groups.empty() ? kUnlistedWeight : 1.0});
  std::set<std::string> seen = {c.forms.front().match};
  for (const std::size_t g : groups) {
    for (const auto& term : thesaurus.group(g)) {
      if (c.forms.size() >= kMaxFormsPerConcept) return c;
      if (term.stems.empty() || term.stems == first_stems) continue;
      auto match = fts_any_of({term.text});
      if (seen.insert(match).second) c.forms.push_back({std::move(match), kRelatedWeight});
    }
  }
  // The thesaurus's groups are the trade's own expansions; WordNet reaches the everyday words.
  if (wordnet == nullptr || !groups.empty()) return c;
  for (const auto& r : wordnet->related(first, kWordNetSenses)) {
    if (c.forms.size() >= kMaxFormsPerConcept) return c;
    auto match = fts_any_of({r.text});
    if (seen.insert(match).second) c.forms.push_back({std::move(match), kUnlistedWeight * (r.hypernym ? kBroaderWeight : kSynonymWeight)});
  }
  return c;
}

}  // namespace

std::string split_camel_case(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i > 0 && upper(c)) {
      const char prev = text[i - 1];
      const bool next_lower = i + 1 < text.size() && lower(text[i + 1]);
      // fooBar -> foo Bar; OOMKilled -> OOM Killed
      if (lower(prev) || (upper(prev) && next_lower)) out += ' ';
    }
    out += c;
  }
  return out;
}

std::vector<std::string> query_words(std::string_view task) {
  auto words = content_words(split_camel_case(task));
  for (auto& w : content_words(task)) {
    if (std::find(words.begin(), words.end(), w) == words.end()) words.push_back(std::move(w));
  }
  return words;
}

std::vector<QueryConcept> query_concepts(std::string_view task, const Thesaurus& thesaurus, const FtsStemmer& stemmer,
                                         std::size_t max_words, const WordNet* wordnet, const Symptoms* symptoms) {
  const std::string split = split_camel_case(task);
  auto words = query_words(task);
  if (words.size() > max_words) words.resize(max_words);
  std::vector<QueryConcept> concepts;
  for (const auto& w : words) {
    const auto stems = stemmer.stems(w);
    if (stems.empty()) continue;
    const std::vector<std::size_t> none;
    concepts.push_back(concept_of(w, stems, stems.size() == 1 ? thesaurus.groups_of(stems[0]) : none, thesaurus, wordnet));
  }
  const auto task_stems = stemmer.stems(split);
  for (const auto& [g, t] : thesaurus.phrases_in(task_stems)) {
    const auto& phrase = thesaurus.group(g)[t];
    concepts.push_back(concept_of(phrase.text, phrase.stems, {g}, thesaurus, nullptr));
  }
  if (symptoms == nullptr) return concepts;
  // Each cause a concept of its own: a rule that names the cause and its remedy shares two of
  // the task's ideas. A cause the task names itself is already among its words.
  // Symptoms are looked for in the task as written and with its compounds split: a symptom may
  // name either ("OOMKilled", "oom killed").
  std::set<std::vector<std::string>> causes;
  for (const std::string_view text : {std::string_view(split), task}) {
    for (const auto* line : symptoms->causes_in(text, stemmer)) {
      for (const auto& cause : *line) {
        if (std::search(task_stems.begin(), task_stems.end(), cause.stems.begin(), cause.stems.end()) != task_stems.end()) continue;
        if (causes.insert(cause.stems).second) concepts.push_back({{{fts_any_of({cause.text}), kSymptomWeight}}});
      }
    }
    if (split == task) break;
  }
  return concepts;
}

std::vector<RuleCandidate> rank_rules(sqlite3* db, const std::vector<QueryConcept>& concepts, std::int64_t documents, double common_share,
                                      std::size_t max) {
  const double common_rows = std::max(static_cast<double>(kAlwaysRare), common_share * static_cast<double>(documents));
  store::SqliteStatement rows(db, "SELECT rowid FROM bullets_fts WHERE bullets_fts MATCH ? LIMIT ?");
  struct Posting {
    bool common = false;  // in more than the common share of the rules
    double idf = 0;
    std::vector<std::int64_t> rowids;
  };
  std::unordered_map<std::string, Posting> postings;  // a form shared by concepts is looked up once
  const auto posting = [&](const std::string& match) -> const Posting& {
    auto [it, added] = postings.try_emplace(match);
    if (!added) return it->second;
    rows.reset();
    rows.bind(1, match);
    rows.bind(2, kMaxFormRows + 1);
    std::vector<std::int64_t> found;
    while (rows.step()) found.push_back(rows.column_int64(0));
    it->second.common = static_cast<double>(found.size()) > common_rows;
    if (found.empty() || static_cast<std::int64_t>(found.size()) > kMaxFormRows) return it->second;
    const auto n = static_cast<double>(std::max<std::int64_t>(documents, static_cast<std::int64_t>(found.size())));
    const auto df = static_cast<double>(found.size());
    it->second.idf = std::log(1.0 + (n - df + 0.5) / (df + 0.5)) * (it->second.common ? kCommonWeight : 1.0);
    it->second.rowids = std::move(found);
    return it->second;
  };
  std::unordered_map<std::int64_t, double> total;
  for (const auto& c : concepts) {
    std::unordered_map<std::int64_t, double> best;
    // A related term says no more than the task's own word: where that word is common in the
    // playbook, its IDF caps its related terms' (a generic "update" must not weigh as "upgrade").
    const Posting& own = posting(c.forms.front().match);
    const double cap = own.common ? own.idf : std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < c.forms.size(); ++i) {
      const QueryForm& form = c.forms[i];
      const Posting& p = posting(form.match);
      const double score = form.weight * (i == 0 ? p.idf : std::min(p.idf, cap));
      for (const std::int64_t r : p.rowids) {
        double& b = best[r];
        b = std::max(b, score);
      }
    }
    for (const auto& [r, score] : best) total[r] += score;
  }
  std::vector<RuleCandidate> out;
  out.reserve(total.size());
  for (const auto& [r, score] : total) out.push_back({r, score});
  const auto n = std::min(out.size(), max);
  std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), out.end(),
                    [](const RuleCandidate& a, const RuleCandidate& b) {
                      return a.relevance != b.relevance ? a.relevance > b.relevance : a.seq < b.seq;
                    });
  out.resize(n);
  return out;
}

ContextRules context_rules(sqlite3* db, const std::vector<QueryConcept>& concepts, const ConfidenceModel& model,
                           const ContextRulesQuery& query) {
  std::int64_t documents = 0;
  {
    store::SqliteStatement n(db, "SELECT coalesce(max(seq), 0) FROM bullets");
    n.step();
    documents = n.column_int64(0);
  }
  struct Ranked {
    std::int64_t seq;
    double score;
  };
  std::vector<Ranked> ranked[2];
  const double w = query.confidence_weight;
  store::SqliteStatement rule(db,
                              "SELECT kind = 'anti-pattern', confidence, confidence_time FROM bullets "
                              "WHERE seq = ? AND state = 'active' AND (scope_project = '' OR scope_project = ?)");
  for (const auto& candidate : rank_rules(db, concepts, documents, query.common_share, kMaxRankedRules)) {
    rule.reset();
    rule.bind(1, candidate.seq);
    rule.bind(2, query.project);
    if (!rule.step()) continue;
    const double confidence = model.decayed(rule.column_double(1), rule.column_double(2), query.now);
    ranked[rule.column_int(0)].push_back({candidate.seq, candidate.relevance * ((1.0 - w) + w * std::max(0.1, confidence))});
  }
  // The winners only: one lookup each, of just the columns the answer shows (the confidence
  // decayed to now, the source as to_string(BulletSource) names it).
  store::SqliteStatement by_seq(db,
                                "SELECT id, content, confidence, confidence_time, evidence_count, source, added_by, created "
                                "FROM bullets WHERE seq = ?");
  ContextRules out;
  for (int k = 0; k < 2; ++k) {
    auto& list = ranked[k];
    const auto n = std::min(list.size(), query.limit);
    std::partial_sort(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(n), list.end(),
                      [](const Ranked& a, const Ranked& b) { return a.score != b.score ? a.score > b.score : a.seq < b.seq; });
    for (std::size_t i = 0; i < n; ++i) {
      by_seq.reset();
      by_seq.bind(1, list[i].seq);
      if (!by_seq.step()) continue;
      (k == 0 ? out.rules : out.anti_patterns)
          .push_back({by_seq.column_text(0), truncated_text(without_control_characters(by_seq.column_text(1)), kMaxRuleBytes),
                      model.decayed(by_seq.column_double(2), by_seq.column_double(3), query.now), by_seq.column_int64(4),
                      parse_bullet_source(by_seq.column_text(5)), by_seq.column_text(6), by_seq.column_double(7)});
    }
  }
  return out;
}

}  // namespace agentmetrics::learning
