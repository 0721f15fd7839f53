// The rules a task needs, found when the task says it in other words than the rule.
//
// A rule is found by its text, its tags and the words it learned from the tasks it helped
// (learned_words.h), all one document of the full-text index. A task becomes concepts: each
// content word (compound words split too: "UnhandledPromise" -> unhandled, promise), each
// thesaurus phrase it contains, and each cause its symptoms point to (symptoms.h: "each waiting
// for the other's lock" -> deadlock, lock order). A concept is matched by any of its forms: the
// word itself or a related term of its thesaurus groups (weight kRelatedWeight), or for a word in
// no group its WordNet synonyms and broader words, below the word itself. A word in no group
// weighs kUnlistedWeight: the thesaurus is the trade's vocabulary, and a word outside it is more
// often everyday language ("shows", "Monday", "nobody") that a long unrelated rule shares by
// chance than the word a relevant rule turns on. A rule scores, per concept, its best form's
// weight x the form's IDF among the rules, summed over the concepts: a rule that shares three of
// the task's ideas beats one that shares one idea in three words. Forms are looked up in the
// full-text index one by one (its stemming is the index's own); a form found in more than
// kMaxFormRows rules says too little to be worth its cost and is left out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collector/learning/confidence.h"
#include "collector/learning/learning_results.h"

struct sqlite3;

namespace agentmetrics::learning {

class FtsStemmer;
class Symptoms;
class Thesaurus;
class WordNet;

// Chosen on the evaluation set's dev split (docs/learning.md): related terms at 0.5, 0.7, 0.85
// and 1.0, unlisted words at 1.0, 0.6, 0.4, 0.3 and 0.2.
inline constexpr double kRelatedWeight = 1.0;
inline constexpr double kUnlistedWeight = 0.3;
inline constexpr std::int64_t kMaxFormRows = 2000;
// A word in no thesaurus group also brings its WordNet synonyms (wordnet.h) at kSynonymWeight of
// its own weight and the words of their broader concepts at kBroaderWeight, from its first
// kWordNetSenses senses. Chosen on the dev split with the thesaurus left out, where WordNet has
// to do the thesaurus's work (synonyms 0.3-1.0, broader 0-0.3, 1-5 senses; docs/learning.md).
inline constexpr double kSynonymWeight = 0.7;
inline constexpr double kBroaderWeight = 0.3;
inline constexpr std::size_t kWordNetSenses = 2;
// The causes a task's symptoms point to (symptoms.h) weigh kSymptomWeight, below the task's own
// words: an inference, not what it said. Chosen on all 159 tasks of the evaluation set (0.3-1.0,
// docs/learning.md).
inline constexpr double kSymptomWeight = 0.6;

struct QueryForm {
  std::string match;  // FTS5 query: one quoted term or phrase
  double weight = 1;
};
struct QueryConcept {
  std::vector<QueryForm> forms;
};

// At most `max_words` content words (and the phrases among them); `wordnet` (nullptr: none)
// expands the words the thesaurus does not list; `symptoms` (nullptr: none) adds the causes of
// the symptoms the task shows, those it does not name itself.
std::vector<QueryConcept> query_concepts(std::string_view task, const Thesaurus& thesaurus, const FtsStemmer& stemmer,
                                         std::size_t max_words, const WordNet* wordnet = nullptr, const Symptoms* symptoms = nullptr);

struct RuleCandidate {
  std::int64_t seq = 0;
  double relevance = 0;
};

// The `max` best matches among the rules of bullets_fts (any state: the caller filters), best
// first. `documents`: the number of rules, for the IDF. A form found in more than `common_share`
// of them weighs a tenth (the frequent-word rule of query_terms.h, as a weight).
std::vector<RuleCandidate> rank_rules(sqlite3* db, const std::vector<QueryConcept>& concepts, std::int64_t documents, double common_share,
                                      std::size_t max);

// The rules of a context, on a store with the embedded store's tables: the store itself, or a
// team's playbook copied into one (playbook_mirror.h), so that both rank with this one code.
struct ContextRules {
  std::vector<ContextBullet> rules, anti_patterns;
};
struct ContextRulesQuery {
  std::string_view project;  // its rules and every project's, no other's
  std::size_t limit = 5;     // per list
  double confidence_weight = 1.0;
  double common_share = 0.1;  // as rank_rules'
  double now = 0;             // Unix seconds: confidence is decayed to it
};
// The `limit` best active rules and anti-patterns for `concepts`: each match of rank_rules scored
// relevance x ((1 - w) + w x max(0.1, decayed confidence)), ties to the older rule; the number
// of rules for the IDF is the largest seq.
ContextRules context_rules(sqlite3* db, const std::vector<QueryConcept>& concepts, const ConfidenceModel& model,
                           const ContextRulesQuery& query);

// "UnhandledPromiseRejection OOMKilled" -> "Unhandled Promise Rejection OOM Killed": words
// written together in camel case, apart.
std::string split_camel_case(std::string_view text);
// The task's content words as the search reads them: those of the task with its compounds split
// ("OOMKilled" -> oom, killed), then the compounds as written (a rule may name one whole).
std::vector<std::string> query_words(std::string_view task);

}  // namespace agentmetrics::learning
