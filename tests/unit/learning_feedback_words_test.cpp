// Learning from feedback (learned_words.h): a rule that helped a task learns the task's words and
// is found the next time a task is said in them, whichever way the feedback came (cm mark --task,
// cm outcome --task, a task event's title, a hook's session); help teaches, harm does not; the
// words leave with the rule and with an undone feedback; and a store of the version before is
// migrated with its rules still found.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collector/learning/learned_words.h"
#include "collector/learning/learning_schema.h"
#include "collector/learning/learning_service.h"
#include "collector/learning/reflection.h"
#include "collector/learning/text_tokens.h"
#include "collector/store/sqlite_event_store.h"
#include "collector/store/sqlite_statement.h"
#include "collector/store/sqlite_transaction.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_clock.h"
#include "tests/unit/learning_service_fixture.h"

namespace agentmetrics::learning {
namespace {

using agentmetrics::testing::kNow;
using store::SqliteEventStore;
using store::SqliteStatement;
using testing::TempDir;

TEST(LearnedWords, TakeTheTasksWordsNewestLastWithoutTheRulesOwnOrIdentifiers) {
  const std::string rule = "Quarantine tests that fail intermittently";
  EXPECT_EQ(learned_with_task("", "The OrderServiceIT tests go red on Jenkins, commit 3f9a2c4e1b", rule),
            "order service go red jenkins commit orderserviceit");
  // A word learned before moves to the end; the rest keep their order.
  EXPECT_EQ(learned_with_task("order service go red jenkins", "order flakes again", rule), "service go red jenkins order flakes");
  EXPECT_EQ(learned_with_task("a b", "", rule), "a b");
  EXPECT_EQ(learnable_words("Fix the flaky UploadResume test, session 0c1d2e3f4a5b"), "fix flaky upload resume test session uploadresume");
}

TEST(LearnedWords, KeepTheNewestUpToTheCap) {
  std::string learned;
  for (int i = 0; i < 300; ++i)
    learned = learned_with_task(
        learned, "word" + std::string(1, static_cast<char>('a' + i % 26)) + std::string(1, static_cast<char>('a' + i / 26)), "");
  const auto words = tokenize(learned);
  ASSERT_EQ(words.size(), kMaxLearnedWords);
  EXPECT_EQ(words.back(), "wordnl");   // the 300th: 299 = 11 x 26 + 13
  EXPECT_EQ(words.front(), "wordwd");  // the 101st: 100 = 3 x 26 + 22
}

class FeedbackWordsTest : public LearningServiceTest {
 protected:
  void SetUp() override {
    LearningServiceTest::SetUp();
    flaky_ = add("Quarantine tests that fail intermittently and rerun them in isolation before blaming the change.");
    lockfile_ = add("Pin dependency versions in a lockfile and update them in a dedicated commit.");
    rollback_ = add("Roll back a bad release first, then look for the cause.");
  }
  // The rules `cm context` gives for the task, best first.
  std::vector<std::string> found(const std::string& task) {
    std::vector<std::string> ids;
    for (const auto& b : service_->context(task).relevant_bullets) ids.push_back(b.id);
    return ids;
  }
  std::string learned(const std::string& id) {
    SqliteStatement st(store_->handle(), "SELECT learned FROM bullets WHERE id = ?");
    st.bind(1, id);
    return st.step() ? st.column_text(0) : "(no such rule)";
  }
  MarkResult mark(const std::string& id, FeedbackKind kind, const std::string& task, const std::string& session = "") {
    return service_->mark({id, kind, "", session, task});
  }

  std::string flaky_, lockfile_, rollback_;
};

// Words no rule, thesaurus group or WordNet entry has: only what feedback taught can link them.
constexpr const char* kTask = "the zorblax suite on the quuxfarm runner went red again";

TEST_F(FeedbackWordsTest, AHelpfulMarkWithItsTaskFindsTheRuleForThoseWords) {
  EXPECT_TRUE(found("zorblax quuxfarm").empty());
  mark(flaky_, FeedbackKind::kHelpful, kTask);
  EXPECT_EQ(learned(flaky_), "zorblax suite quuxfarm runner went red");
  const auto ids = found("quuxfarm failed zorblax once more");
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids.front(), flaky_);
  // Learned words find a rule for a task; they do not make it similar to another rule's text.
  EXPECT_TRUE(service_->similar("zorblax quuxfarm", 10, false).rules.empty());
  EXPECT_EQ(learned(lockfile_), "");
}

TEST_F(FeedbackWordsTest, HarmTeachesNothingAndASessionTeachesOnce) {
  mark(flaky_, FeedbackKind::kHarmful, kTask);
  EXPECT_EQ(learned(flaky_), "");
  EXPECT_FALSE(mark(lockfile_, FeedbackKind::kHelpful, "zorblax lockfile drift", "ses-1").feedback.skipped);
  EXPECT_TRUE(mark(lockfile_, FeedbackKind::kHelpful, "quuxfarm lockfile drift", "ses-1").feedback.skipped);
  EXPECT_EQ(learned(lockfile_), "zorblax drift");
  // A task that is not UTF-8 is refused, and nothing is recorded.
  EXPECT_THROW(mark(rollback_, FeedbackKind::kHelpful, "\xff\xfe"), LearningError);
  EXPECT_EQ(service_->playbook().get(rollback_).helpful, 0.0);
}

TEST_F(FeedbackWordsTest, AnOutcomeTeachesItsRulesOnSuccessOnly) {
  OutcomeRequest failure{"failure", {flaky_ + "," + lockfile_}, "", "", "", kTask};
  service_->outcome(failure);
  EXPECT_EQ(learned(flaky_), "");
  OutcomeRequest success{"success", {flaky_ + "," + lockfile_}, "", "", "", "zorblax broke after the upgrade"};
  service_->outcome(success);
  EXPECT_EQ(learned(flaky_), "zorblax broke upgrade");
  EXPECT_EQ(learned(lockfile_), "zorblax broke upgrade");
}

TEST_F(FeedbackWordsTest, ATaskEventsTitleTeachesTheRulesItNames) {
  ipc::OutcomeEvent e;
  e.kind = ipc::OutcomeKind::kTask;
  e.producer_id = 7;
  e.sequence = 1;
  e.time = kNow - 60;
  e.fields = {{"agent_type", std::string("build")}, {"task_type", std::string("fix")},      {"success", true},
              {"title", std::string(kTask)},        {"rule_ids", flaky_ + "," + rollback_}, {"session_id", std::string("s1")}};
  store_->insert(std::vector{e}, kNow);
  const TaskFeedbackTally tally = apply_task_feedback(store_->handle(), service_->playbook(), 100);
  EXPECT_EQ(tally.signals, 2u);
  EXPECT_EQ(learned(flaky_), "zorblax suite quuxfarm runner went red");
  EXPECT_EQ(learned(rollback_), "zorblax suite quuxfarm runner went red");
  EXPECT_EQ(learned(lockfile_), "");
}

TEST_F(FeedbackWordsTest, AHooksSessionTeachesEachRuleItsOwnPromptsWords) {
  service_->remember_given("ses-a", {flaky_}, "zorblax went red");
  service_->remember_given("ses-a", {rollback_}, "quuxfarm release is broken");
  service_->remember_given("ses-a", {flaky_}, "a later prompt does not replace the first");
  const OutcomeResult r = service_->grade_session("ses-a", true, "");
  EXPECT_EQ(r.applied.size(), 2u);
  EXPECT_EQ(learned(flaky_), "zorblax went red");
  EXPECT_EQ(learned(rollback_), "quuxfarm broken");
  // Graded: the session keeps no words of its prompts.
  SqliteStatement kept(store_->handle(), "SELECT count(*) FROM session_rules WHERE task <> ''");
  kept.step();
  EXPECT_EQ(kept.column_int(0), 0);
  // A failing session teaches nothing, and blames as one outcome.
  service_->remember_given("ses-b", {lockfile_}, "zorblax lockfile");
  service_->grade_session("ses-b", false, "");
  EXPECT_EQ(learned(lockfile_), "");
}

TEST_F(FeedbackWordsTest, UndoTakesTheWordsBackAndForgetTakesThemAway) {
  mark(flaky_, FeedbackKind::kHelpful, kTask);
  ASSERT_NE(learned(flaky_), "");
  service_->undo();
  EXPECT_EQ(learned(flaky_), "");
  EXPECT_TRUE(found("quuxfarm zorblax").empty());
  mark(flaky_, FeedbackKind::kHelpful, kTask);
  service_->forget(flaky_);
  EXPECT_EQ(learned(flaky_), "(no such rule)");
  EXPECT_TRUE(found("quuxfarm zorblax").empty());
}

// A store of learning schema 6 (before rules learned words), with a rule: the index is made anew
// with the column, and the rule is still found.
TEST(LearnedWordsSchema, AStoreOfTheVersionBeforeIsMigratedWithItsRulesFound) {
  TempDir dir;
  const std::string path = dir.path() + "/events.db";
  {
    auto store = SqliteEventStore::open(path, SqliteEventStore::Mode::kReadWrite);
    ensure_learning_schema(store->handle(), 6);
    store::exec(store->handle(),
                "INSERT INTO bullets(id, content, kind, source, content_hash, confidence, confidence_time, created, last_validated) "
                "VALUES('b-0a0b0c', 'Quarantine tests that fail intermittently and rerun them in isolation.', 'rule', 'manual', 'h', "
                "0.7, 1.8e9, 1.8e9, 1.8e9)");
    ASSERT_EQ(learning_schema_version(store->handle()), 6);
  }
  auto store = SqliteEventStore::open(path, SqliteEventStore::Mode::kReadWrite);
  LearningService service(store->handle());
  EXPECT_EQ(learning_schema_version(store->handle()), kLearningSchemaVersion);
  const auto before = service.context("tests that fail intermittently").relevant_bullets;
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].id, "b-0a0b0c");
  service.mark({"b-0a0b0c", FeedbackKind::kHelpful, "", "", "the zorblax suite went red"});
  const auto after = service.context("zorblax").relevant_bullets;
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].id, "b-0a0b0c");
}

}  // namespace
}  // namespace agentmetrics::learning
