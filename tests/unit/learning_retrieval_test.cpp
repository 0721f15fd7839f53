// Retrieval that survives paraphrase: the thesaurus and the query's concepts (rule_search.h,
// thesaurus.h), and the floor the real ranker holds on the frozen evaluation set
// (tests/data/learning/retrieval; the figures are bench/retrieval_eval's, docs/learning.md).
#include <gtest/gtest.h>

#include "bench/retrieval_eval_set.h"
#include "collector/learning/fts_stemmer.h"
#include "collector/learning/rule_search.h"
#include "collector/learning/thesaurus.h"
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

// Set below the measured figures (docs/learning.md): a drop past them is a regression.
constexpr double kRecallFloor = 0.85;
constexpr double kHeldoutRecallFloor = 0.80;

// The floor on the paraphrase set, the evaluated rules alone (the 1k and 10k distractor figures
// take minutes to build and are bench/retrieval_eval's). Measured 0.50 before the thesaurus.
TEST(RetrievalEval, RecallAtFiveOnTheParaphraseSetHoldsItsFloor) {
  const auto set = bench::load_eval_set(AM_RETRIEVAL_DATA_DIR);
  ASSERT_GE(set.rules.size(), 60u);
  ASSERT_GE(set.tasks.size(), 150u);
  testing::TempDir dir;
  const auto run = bench::evaluate(set, 0, dir.path() + "/events.db");
  EXPECT_GE(run.all.recall, kRecallFloor);
  EXPECT_GE(run.heldout.recall, kHeldoutRecallFloor);
  EXPECT_GT(run.all.ndcg, 0.0);
}

}  // namespace
}  // namespace agentmetrics::learning
