// Retrieval that survives paraphrase: the thesaurus and the query's concepts (rule_search.h,
// thesaurus.h), and the floor the real ranker holds on the frozen evaluation set
// (tests/data/learning/retrieval; the figures are bench/retrieval_eval's, docs/learning.md).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "bench/retrieval_eval_set.h"
#include "collector/learning/fts_stemmer.h"
#include "collector/learning/rule_search.h"
#include "collector/learning/symptoms.h"
#include "collector/learning/thesaurus.h"
#include "collector/learning/wordnet.h"
#include "collector/store/sqlite_event_store.h"
#include "tests/support/temp_dir.h"

namespace agentmetrics::learning {
namespace {

class RetrievalTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = store::SqliteEventStore::open(dir_.path() + "/events.db", store::SqliteEventStore::Mode::kReadWrite); }
  testing::TempDir dir_;
  std::unique_ptr<store::SqliteEventStore> store_;
};

bool has_form(const QueryConcept& c, const std::string& match, double weight) {
  return std::any_of(c.forms.begin(), c.forms.end(), [&](const QueryForm& f) { return f.match == match && f.weight == weight; });
}

TEST_F(RetrievalTest, StemsAsTheFullTextIndexDoes) {
  const FtsStemmer stemmer(store_->handle());
  EXPECT_EQ(stemmer.stems("Flaky flakiness, tests"), (std::vector<std::string>{"flaki", "flaki", "test"}));
  EXPECT_TRUE(stemmer.stems("  ,. ").empty());
}

TEST_F(RetrievalTest, AWordBringsItsGroupAndAPhraseItsOwn) {
  const FtsStemmer stemmer(store_->handle());
  const Thesaurus thesaurus("# comment, not a group\nflaky, intermittent , now and then\n\nleak, open files\n", stemmer);
  ASSERT_EQ(thesaurus.size(), 2u);
  EXPECT_EQ(thesaurus.group(0)[2].stems, (std::vector<std::string>{"now", "and", "then"}));
  // An inflection finds the group by its stem.
  const auto concepts = query_concepts("the FLAKINESS shows now and then", thesaurus, stemmer, 32);
  // flakiness, shows, and the phrase "now and then" (its words are stopwords, not concepts).
  ASSERT_EQ(concepts.size(), 3u);
  EXPECT_TRUE(has_form(concepts[0], "\"flakiness\"", 1.0));
  EXPECT_TRUE(has_form(concepts[0], "\"intermittent\"", kRelatedWeight));
  EXPECT_TRUE(has_form(concepts[0], "\"now and then\"", kRelatedWeight));
  EXPECT_FALSE(has_form(concepts[0], "\"flaky\"", kRelatedWeight));  // the same stem as the word itself
  ASSERT_EQ(concepts[1].forms.size(), 1u);                           // "shows" is in no group: everyday language weighs less
  EXPECT_TRUE(has_form(concepts[1], "\"shows\"", kUnlistedWeight));
  EXPECT_TRUE(has_form(concepts[2], "\"now and then\"", 1.0));
  EXPECT_TRUE(has_form(concepts[2], "\"flaky\"", kRelatedWeight));
  EXPECT_FALSE(has_form(concepts[2], "\"open files\"", kRelatedWeight));
}

TEST_F(RetrievalTest, CamelCaseCompoundsAreSplit) {
  EXPECT_EQ(split_camel_case("UnhandledPromiseRejectionWarning OOMKilled x-y"), "Unhandled Promise Rejection Warning OOM Killed x-y");
  const FtsStemmer stemmer(store_->handle());
  const Thesaurus none("", stemmer);
  const auto concepts = query_concepts("NullPointerException", none, stemmer, 32);
  // null, pointer, exception, and the compound as written.
  ASSERT_EQ(concepts.size(), 4u);
  EXPECT_TRUE(has_form(concepts[0], "\"null\"", kUnlistedWeight));
  EXPECT_TRUE(has_form(concepts[3], "\"nullpointerexception\"", kUnlistedWeight));
}

TEST_F(RetrievalTest, TheBuiltInThesaurusParses) {
  const FtsStemmer stemmer(store_->handle());
  const Thesaurus thesaurus(Thesaurus::builtin_text(), stemmer);
  EXPECT_GT(thesaurus.size(), 80u);
  EXPECT_FALSE(thesaurus.groups_of("flaki").empty());
}

std::vector<std::string> causes_of(const Symptoms& symptoms, const FtsStemmer& stemmer, std::string_view text) {
  std::vector<std::string> out;
  for (const auto* line : symptoms.causes_in(text, stemmer)) {
    for (const auto& cause : *line) out.push_back(cause.text);
  }
  return out;
}

TEST_F(RetrievalTest, ASymptomBringsItsCausesWithinOneSentenceOnly) {
  const FtsStemmer stemmer(store_->handle());
  const Symptoms symptoms(
      "# comment => not a line\n"
      "each .. waiting|blocked .. other; waiting for each other => deadlock, lock order\n"
      "worked in # .. broken; used to work => regression, bisect\n"
      "no arrow on this line\n"
      "symptom without causes =>\n"
      "=> cause without symptoms\n",
      stemmer);
  ASSERT_EQ(symptoms.size(), 2u);
  const std::vector<std::string> deadlock = {"deadlock", "lock order"};
  // Words by their stems, up to three words between the slots.
  EXPECT_EQ(causes_of(symptoms, stemmer, "two threads stuck forever, each waiting for the other's lock"), deadlock);
  EXPECT_EQ(causes_of(symptoms, stemmer, "the jobs are WAITING FOR EACH OTHER"), deadlock);
  // Not across a sentence, not with more words between, not in the wrong order, not elsewhere.
  EXPECT_TRUE(causes_of(symptoms, stemmer, "each request is waiting. The other one finished").empty());
  EXPECT_TRUE(causes_of(symptoms, stemmer, "each of the many jobs kept on waiting for the other").empty());
  EXPECT_TRUE(causes_of(symptoms, stemmer, "the other job is waiting for each batch").empty());
  EXPECT_TRUE(causes_of(symptoms, stemmer, "waiting for the bus in the rain").empty());
  // "#" is any number: "2.3" is one, a word is not.
  EXPECT_EQ(causes_of(symptoms, stemmer, "feature worked in 2.3 and is broken in 2.5"), (std::vector<std::string>{"regression", "bisect"}));
  EXPECT_TRUE(causes_of(symptoms, stemmer, "it worked in production and is broken in staging").empty());
  // A line found by two of its symptoms comes once.
  EXPECT_EQ(causes_of(symptoms, stemmer, "it used to work; it worked in 3.1 but is broken now").size(), 2u);
}

TEST_F(RetrievalTest, TheCausesOfATasksSymptomsAreConceptsBelowItsOwnWords) {
  const FtsStemmer stemmer(store_->handle());
  const Thesaurus none("", stemmer);
  const Symptoms symptoms("oom killed|exit code 137 => memory limit, oom\nwaiting for each other => deadlock, lock order\n", stemmer);
  const auto has_concept = [](const std::vector<QueryConcept>& concepts, const std::string& match) {
    return std::any_of(concepts.begin(), concepts.end(), [&](const QueryConcept& c) {
      return c.forms.size() == 1 && c.forms.front().match == match && c.forms.front().weight == kSymptomWeight;
    });
  };
  // Camel case split first ("OOMKilled" -> "OOM Killed"); each cause a concept of its own.
  const auto oom = query_concepts("pod OOMKilled again", none, stemmer, 32, nullptr, &symptoms);
  EXPECT_TRUE(has_concept(oom, "\"memory limit\""));
  EXPECT_FALSE(has_concept(oom, "\"oom\""));  // the task says it: its own word, at its own weight
  EXPECT_EQ(oom.size(), query_concepts("pod OOMKilled again", none, stemmer, 32).size() + 1);
  const auto hang = query_concepts("deadlock? the workers are waiting for each other", none, stemmer, 32, nullptr, &symptoms);
  EXPECT_TRUE(has_concept(hang, "\"lock order\""));
  EXPECT_FALSE(has_concept(hang, "\"deadlock\""));
  EXPECT_EQ(query_concepts("the workers are waiting for the bus", none, stemmer, 32, nullptr, &symptoms).size(),
            query_concepts("the workers are waiting for the bus", none, stemmer, 32).size());
}

TEST_F(RetrievalTest, TheBuiltInSymptomsParse) {
  const FtsStemmer stemmer(store_->handle());
  const Symptoms symptoms(Symptoms::builtin_text(), stemmer);
  EXPECT_GT(symptoms.size(), 90u);
  const auto causes = causes_of(symptoms, stemmer, split_camel_case("the pod was OOMKilled"));
  EXPECT_NE(std::find(causes.begin(), causes.end(), "memory limit"), causes.end());
}

// A WordNet database in its documented format (wndb(5WN)): synsets at the byte offsets their
// index lines and pointers name, a license header the bisection has to pass over.
class WordNetFiles {
 public:
  explicit WordNetFiles(const std::string& dir) : dir_(dir) {}
  // `words`, then `pointers` ("@ 1": a hypernym, the synset added as 1); returns its number.
  std::size_t synset(const std::string& pos, const std::vector<std::string>& words,
                     const std::vector<std::pair<std::string, std::size_t>>& pointers = {}) {
    synsets_[pos].push_back({words, pointers});
    return synsets_[pos].size() - 1;
  }
  void exception(const std::string& pos, const std::string& line) { exceptions_[pos] += line + "\n"; }
  // Writes the files; `corrupt`: the index of "car" names an offset inside a line.
  void write(bool corrupt = false) const {
    for (const std::string pos : {"noun", "verb", "adj", "adv"}) {
      const char tag = pos == "noun" ? 'n' : pos == "verb" ? 'v' : pos == "adj" ? 'a' : 'r';
      const std::string header = "  1 This software and database is being provided to you, the LICENSEE, by Princeton University\n";
      std::vector<std::size_t> offsets;
      std::string data = header;
      const auto it = synsets_.find(pos);
      const auto& list = it == synsets_.end() ? std::vector<Synset>{} : it->second;
      // Fixed-width offsets: each line's length does not depend on them.
      for (const auto& s : list) {
        offsets.push_back(data.size());
        data += line(s, tag, offsets.back(), offsets);
      }
      // Again with every offset known (pointers may point forward).
      data = header;
      for (std::size_t i = 0; i < list.size(); ++i) data += line(list[i], tag, offsets[i], offsets);
      std::map<std::string, std::vector<std::size_t>> lemmas;
      for (std::size_t i = 0; i < list.size(); ++i) {
        for (const auto& w : list[i].words) lemmas[w].push_back(corrupt && w == "car" ? offsets[i] + 3 : offsets[i]);
      }
      std::string index = header;
      for (const auto& [lemma, at] : lemmas) {
        index += lemma + " " + tag + " " + std::to_string(at.size()) + " 1 @ " + std::to_string(at.size()) + " 0";
        for (const auto o : at) index += " " + eight(o);
        index += "\n";
      }
      write_file("data." + pos, data);
      write_file("index." + pos, index);
      const auto exc = exceptions_.find(pos);
      write_file(pos + ".exc", exc == exceptions_.end() ? "" : exc->second);
    }
  }

 private:
  struct Synset {
    std::vector<std::string> words;
    std::vector<std::pair<std::string, std::size_t>> pointers;
  };
  static std::string eight(std::size_t n) {
    char b[16];
    std::snprintf(b, sizeof b, "%08zu", n);
    return b;
  }
  static std::string line(const Synset& s, char tag, std::size_t offset, const std::vector<std::size_t>& offsets) {
    char count[8];
    std::snprintf(count, sizeof count, "%02zx", s.words.size());
    std::string out = eight(offset) + " 05 " + tag + " " + count;
    for (const auto& w : s.words) out += " " + w + " 0";
    std::snprintf(count, sizeof count, "%03zu", s.pointers.size());
    out += std::string(" ") + count;
    for (const auto& [symbol, target] : s.pointers) {
      out += " " + symbol + " " + eight(target < offsets.size() ? offsets[target] : 0) + " " + tag + " 0000";
    }
    return out + " | a gloss\n";
  }
  void write_file(const std::string& name, const std::string& text) const { std::ofstream(dir_ + "/" + name, std::ios::binary) << text; }

  std::string dir_;
  std::map<std::string, std::vector<Synset>> synsets_;
  std::map<std::string, std::string> exceptions_;
};

TEST(WordNetTest, SynonymsAndBroaderWordsOfTheFirstSensesFromTheBaseForm) {
  testing::TempDir dir;
  WordNetFiles files(dir.path());
  const auto vehicle = files.synset("noun", {"motor_vehicle", "automotive_vehicle"});
  files.synset("noun", {"car", "auto", "automobile"}, {{"@", vehicle}});
  files.synset("noun", {"car", "railcar"});
  files.synset("noun", {"car", "gondola"});  // a third sense: beyond two senses
  files.synset("noun", {"mouse"});
  files.exception("noun", "mice mouse");
  files.write();
  const auto wordnet = WordNet::open(dir.path());
  ASSERT_NE(wordnet, nullptr);
  // "cars" by the suffix rule, "mice" by the exception list.
  EXPECT_EQ(wordnet->base_forms("cars", 0), std::vector<std::string>{"car"});
  EXPECT_EQ(wordnet->base_forms("mice", 0), std::vector<std::string>{"mouse"});
  EXPECT_TRUE(wordnet->base_forms("cars", 1).empty());
  std::vector<std::string> synonyms, broader;
  for (const auto& r : wordnet->related("cars", 2)) (r.hypernym ? broader : synonyms).push_back(r.text);
  EXPECT_EQ(synonyms, (std::vector<std::string>{"auto", "automobile", "railcar"}));
  EXPECT_EQ(broader, (std::vector<std::string>{"motor vehicle", "automotive vehicle"}));
  EXPECT_TRUE(wordnet->related("bicycle", 2).empty());
  EXPECT_TRUE(wordnet->related(std::string(200, 'a'), 2).empty());
}

TEST(WordNetTest, AnIndexThatNamesNoSynsetAndMissingFilesAreNoExpansion) {
  testing::TempDir dir;
  EXPECT_EQ(WordNet::open(dir.path()), nullptr);
  WordNetFiles files(dir.path());
  files.synset("noun", {"car", "auto"});
  files.synset("noun", {"truck", "lorry"});
  files.write(/*corrupt=*/true);
  const auto wordnet = WordNet::open(dir.path());
  ASSERT_NE(wordnet, nullptr);
  EXPECT_TRUE(wordnet->related("car", 2).empty());
  ASSERT_EQ(wordnet->related("truck", 2).size(), 1u);
  EXPECT_EQ(wordnet->related("truck", 2)[0].text, "lorry");
}

// Debian's wordnet-base, which deploy/install-deps.sh installs.
TEST(WordNetTest, TheInstalledDatabaseIsRead) {
  const WordNet* wordnet = WordNet::installed();
  ASSERT_NE(wordnet, nullptr) << "wordnet-base is not installed (deploy/install-deps.sh)";
  EXPECT_EQ(wordnet->base_forms("mice", 0), std::vector<std::string>{"mouse"});
  const auto related = wordnet->related("cars", 2);
  const auto has = [&](const std::string& text, bool hypernym) {
    return std::any_of(related.begin(), related.end(), [&](const WordNet::Related& r) { return r.text == text && r.hypernym == hypernym; });
  };
  EXPECT_TRUE(has("automobile", false));
  EXPECT_TRUE(has("motor vehicle", true));
}

TEST_F(RetrievalTest, AWordInNoGroupBringsItsWordNetSynonymsBelowItsOwnWeight) {
  const FtsStemmer stemmer(store_->handle());
  const Thesaurus thesaurus("flaky, intermittent\n", stemmer);
  testing::TempDir dir;
  WordNetFiles files(dir.path());
  const auto fail = files.synset("verb", {"fail", "go_wrong"});
  files.synset("verb", {"crash", "smash"}, {{"@", fail}});
  files.synset("adj", {"flaky", "flakey"});
  const auto verification = files.synset("noun", {"verification", "check"});
  files.synset("noun", {"checksum", "hash_sum"}, {{"@", verification}});
  files.write();
  const auto wordnet = WordNet::open(dir.path());
  ASSERT_NE(wordnet, nullptr);
  const auto concepts = query_concepts("flaky build crashing checksums", thesaurus, stemmer, 32, wordnet.get());
  ASSERT_EQ(concepts.size(), 4u);
  // flaky is in a group: the thesaurus's terms only.
  EXPECT_EQ(concepts[0].forms.size(), 2u);
  EXPECT_TRUE(has_form(concepts[0], "\"intermittent\"", kRelatedWeight));
  EXPECT_EQ(concepts[1].forms.size(), 1u);  // "build": not in this WordNet
  EXPECT_TRUE(has_form(concepts[2], "\"crashing\"", kUnlistedWeight));
  EXPECT_TRUE(has_form(concepts[2], "\"smash\"", kUnlistedWeight * kSynonymWeight));
  EXPECT_FALSE(has_form(concepts[2], "\"crash\"", kUnlistedWeight * kSynonymWeight));  // its own base form
  EXPECT_EQ(concepts[2].forms.size(), 2u);  // a verb's broader words are not taken: "go wrong" is not there
  EXPECT_TRUE(has_form(concepts[3], "\"hash sum\"", kUnlistedWeight * kSynonymWeight));
  EXPECT_TRUE(has_form(concepts[3], "\"verification\"", kUnlistedWeight * kBroaderWeight));
  EXPECT_TRUE(has_form(concepts[3], "\"check\"", kUnlistedWeight * kBroaderWeight));
}

// Set below the measured figures (docs/learning.md): a drop past them is a regression.
constexpr double kDevRecallFloor = 0.97;
constexpr double kHeldoutRecallFloor = 0.96;
// Another author's tasks, which no tuning saw (measured once: 0.473; 0.405 before the symptoms).
constexpr double kFreshRecallFloor = 0.45;

// The floor on the paraphrase set, the evaluated rules alone (the 1k and 10k distractor figures
// take minutes to build and are bench/retrieval_eval's). Measured 0.50 before the thesaurus, 0.915
// (held-out 0.840) before the symptoms.
TEST(RetrievalEval, RecallAtFiveOnTheParaphraseSetHoldsItsFloor) {
  const auto set = bench::load_eval_set(AM_RETRIEVAL_DATA_DIR);
  ASSERT_GE(set.rules.size(), 60u);
  ASSERT_GE(set.tasks.size(), 150u);
  testing::TempDir dir;
  const auto run = bench::evaluate(set, 0, dir.path() + "/events.db");
  ASSERT_GE(run.fresh.tasks, 132u);
  EXPECT_GE(run.dev.recall, kDevRecallFloor);
  EXPECT_GE(run.heldout.recall, kHeldoutRecallFloor);
  EXPECT_GE(run.fresh.recall, kFreshRecallFloor);
  EXPECT_GT(run.all.ndcg, 0.0);
}

// Learning from feedback (learned_words.h): each of the 159 tasks marks its rules helpful with its
// text, then the fresh split, another author's words for the same rules, is asked. Measured
// 0.633, against 0.489 for the same marks without the tasks' text (confidence alone) and 0.473
// with no feedback.
constexpr double kFreshRecallAfterFeedbackFloor = 0.60;

TEST(RetrievalEval, FeedbackWithItsTasksTeachesTheRulesAnotherAuthorsWords) {
  const auto set = bench::load_eval_set(AM_RETRIEVAL_DATA_DIR);
  testing::TempDir dir;
  const auto taught = bench::evaluate(set, 0, dir.path() + "/taught.db", 5, {{"dev", "heldout"}, true});
  const auto control = bench::evaluate(set, 0, dir.path() + "/control.db", 5, {{"dev", "heldout"}, false});
  EXPECT_GE(taught.fresh.recall, kFreshRecallAfterFeedbackFloor);
  EXPECT_GT(taught.fresh.recall, control.fresh.recall + 0.1);
  // What the feedback was given for is still found.
  EXPECT_GE(taught.dev.recall, kDevRecallFloor);
  EXPECT_GE(taught.heldout.recall, kHeldoutRecallFloor);
}

}  // namespace
}  // namespace agentmetrics::learning
