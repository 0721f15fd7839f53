// The playbook on a real store: ids, duplicates merged, retirement instead of deletion,
// feedback in the right direction, inversion into anti-patterns, decay, and the learning
// schema's own versioning.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "collector/store/sqlite_transaction.h"
#include "collector/store/sqlite_event_store.h"
#include "collector/learning/learning_error.h"
#include "collector/learning/learning_schema.h"
#include "collector/learning/learning_service.h"
#include "collector/learning/playbook.h"
#include "collector/store/sqlite_statement.h"
#include "collector/learning/sqlite_util.h"
#include "collector/learning/playbook_mirror.h"
#include "tests/support/processes_at_once.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_clock.h"
#include "collector/learning/text_tokens.h"

namespace agentmetrics::learning {
namespace {

using store::SqliteEventStore;
using store::SqliteStatement;
using testing::TempDir;

using agentmetrics::testing::kDay;
using agentmetrics::testing::kNow;

class PlaybookOnStore : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = SqliteEventStore::open(dir_.path() + "/events.db", SqliteEventStore::Mode::kReadWrite);
    ensure_learning_schema(db());
    playbook_ = Playbook(db());
  }
  sqlite3* db() { return store_->handle(); }

  AddResult add(const std::string& content, BulletKind kind = BulletKind::kRule, double now = kNow, std::vector<std::string> tags = {}) {
    store::Transaction tx(db(), store::Transaction::Mode::kWrite);
    NewBullet nb;
    nb.content = content;
    nb.kind = kind;
    nb.tags = std::move(tags);
    AddResult r = playbook_.add(nb, now);
    tx.commit();
    return r;
  }
  FeedbackResult feedback(const std::string& id, FeedbackKind kind, double now = kNow, double weight = 1.0,
                          const std::string& session = {}) {
    store::Transaction tx(db(), store::Transaction::Mode::kWrite);
    FeedbackSignal s;
    s.bullet_id = id;
    s.kind = kind;
    s.weight = weight;
    s.origin = "mark";
    if (!session.empty()) s.session_id = session;
    s.time = now;
    FeedbackResult r = playbook_.feedback(s);
    tx.commit();
    return r;
  }

  TempDir dir_;
  std::unique_ptr<SqliteEventStore> store_;
  Playbook playbook_{nullptr};  // on the store's connection from SetUp on
};

// The copy of a team's playbook is made by the first cm commands of a machine, often several at
// once: all of them open it.
TEST(PlaybookMirror, ProcessesCreatingTheCopyTogetherAllSucceed) {
  for (int round = 0; round < 30; ++round) {
    TempDir dir;
    const std::string path = dir.path() + "/events.db.team-playbook";
    const auto failures = testing::run_in_processes_at_once(8, [&] { PlaybookMirror mirror(path); });
    ASSERT_TRUE(failures.empty()) << "round " << round << ", " << failures.size() << " of 8 failed: " << failures.front();
  }
}

TEST_F(PlaybookOnStore, IdsComeFromTheContentHashWithTheKindsPrefix) {
  const AddResult r = add("Use JWT tokens with 15-minute expiration");
  EXPECT_EQ(r.action, AddAction::kAdded);
  EXPECT_EQ(r.bullet.id, "b-" + content_hash("Use JWT tokens with 15-minute expiration").substr(0, 6));
  EXPECT_DOUBLE_EQ(r.bullet.confidence, 0.7);
  const AddResult ap = add("Never store passwords in plain text", BulletKind::kAntiPattern);
  EXPECT_EQ(ap.bullet.id.rfind("ap-", 0), 0u);
  EXPECT_EQ(ap.bullet.id.size(), 9u);

  const Bullet b = playbook_.get(r.bullet.id);
  EXPECT_EQ(b.content, "Use JWT tokens with 15-minute expiration");
  EXPECT_EQ(b.source, BulletSource::kManual);
  EXPECT_TRUE(b.active);
  EXPECT_DOUBLE_EQ(b.created, kNow);
  EXPECT_DOUBLE_EQ(b.last_validated, kNow);
}

TEST_F(PlaybookOnStore, AnIdTakenByOtherContentIsLengthened) {
  const AddResult first = add("Rule one");
  // Make another bullet hold the id the next content would get.
  const std::string hash = content_hash("Rule two");
  store::exec(db(), ("UPDATE bullets SET id = 'b-" + hash.substr(0, 6) + "' WHERE id = '" + first.bullet.id + "'").c_str());
  const AddResult second = add("Rule two");
  EXPECT_EQ(second.action, AddAction::kAdded);
  EXPECT_EQ(second.bullet.id, "b-" + hash.substr(0, 8));
}

TEST_F(PlaybookOnStore, DuplicatesAndNearDuplicatesReinforceInsteadOfRepeating) {
  const AddResult first = add("Always write unit tests before implementing authentication logic", BulletKind::kRule, kNow, {"auth"});
  const AddResult exact =
      add("always write unit tests, before implementing authentication logic!", BulletKind::kRule, kNow + 10, {"Testing"});
  EXPECT_EQ(exact.action, AddAction::kReinforced);
  EXPECT_EQ(exact.bullet.id, first.bullet.id);
  EXPECT_DOUBLE_EQ(exact.similarity, 1.0);
  EXPECT_NEAR(exact.bullet.confidence, 0.75, 1e-6);
  // 7 of its 8 content words (Jaccard 7/8 = 0.875 >= 0.85): merged.
  const AddResult near = add("Always write the unit tests before implementing authentication logic first", BulletKind::kRule, kNow + 20);
  EXPECT_EQ(near.action, AddAction::kReinforced);
  EXPECT_EQ(near.bullet.id, first.bullet.id);
  EXPECT_NEAR(near.similarity, 7.0 / 8.0, 1e-9);
  // Jaccard 6/8 = 0.75: a different rule.
  const AddResult other = add("Always write integration tests before implementing authentication logic", BulletKind::kRule, kNow + 30);
  EXPECT_EQ(other.action, AddAction::kAdded);
  // The same words as an anti-pattern are another kind: not merged.
  EXPECT_EQ(add("Always write unit tests before implementing authentication logic", BulletKind::kAntiPattern).action, AddAction::kAdded);

  const Bullet b = playbook_.get(first.bullet.id);
  EXPECT_EQ(b.evidence_count, 2);
  EXPECT_EQ(b.tags, (std::vector<std::string>{"auth", "testing"}));
  EXPECT_EQ(playbook_.counts().active_rules, 2);
  EXPECT_EQ(playbook_.counts().active_anti_patterns, 1);
}

TEST_F(PlaybookOnStore, RemovedRulesAreKeptAndComeBackWhenAddedAgain) {
  const AddResult r = add("Keep pull requests under 400 lines");
  {
    store::Transaction tx(db(), store::Transaction::Mode::kWrite);
    playbook_.retire(r.bullet.id, "removed", kNow + 5);
    tx.commit();
  }
  EXPECT_EQ(playbook_.counts().active_rules, 0);
  EXPECT_EQ(playbook_.counts().retired, 1);
  const Bullet gone = playbook_.get(r.bullet.id);
  EXPECT_FALSE(gone.active);
  EXPECT_EQ(gone.retired_reason, "removed");
  EXPECT_TRUE(playbook_.list({}, kNow).empty());
  EXPECT_EQ(playbook_.list({std::nullopt, std::nullopt, true}, kNow).size(), 1u);

  const AddResult again = add("keep pull requests under 400 lines", BulletKind::kRule, kNow + 10);
  EXPECT_EQ(again.action, AddAction::kRevived);
  EXPECT_EQ(again.bullet.id, r.bullet.id);
  EXPECT_TRUE(playbook_.get(r.bullet.id).active);
}

TEST_F(PlaybookOnStore, FeedbackMovesConfidenceAndHarmfulMovesItFurther) {
  const std::string id = add("Run the linter before committing").bullet.id;
  const FeedbackResult up = feedback(id, FeedbackKind::kHelpful);
  EXPECT_DOUBLE_EQ(up.before, 0.7);
  EXPECT_NEAR(up.after, 0.75, 1e-12);
  const FeedbackResult down = feedback(id, FeedbackKind::kHarmful);
  EXPECT_NEAR(down.after, 0.55, 1e-12);
  EXPECT_GT(down.before - down.after, up.after - up.before);
  const Bullet b = playbook_.get(id);
  EXPECT_DOUBLE_EQ(b.helpful, 1.0);
  EXPECT_DOUBLE_EQ(b.harmful, 1.0);
  EXPECT_EQ(b.evidence_count, 1);

  // Feedback 90 days later lands on the decayed value, and confirms the rule again.
  const FeedbackResult later = feedback(id, FeedbackKind::kHelpful, kNow + 90 * kDay);
  EXPECT_NEAR(later.before, 0.275, 1e-12);
  EXPECT_NEAR(later.after, 0.325, 1e-12);
  EXPECT_DOUBLE_EQ(playbook_.get(id).last_validated, kNow + 90 * kDay);

  SqliteStatement st(db(), "SELECT kind, weight, origin FROM feedback WHERE bullet_id = ? ORDER BY id");
  st.bind(1, id);
  std::vector<std::string> kinds;
  while (st.step()) kinds.push_back(st.column_text(0));
  EXPECT_EQ(kinds, (std::vector<std::string>{"helpful", "harmful", "helpful"}));
}

TEST_F(PlaybookOnStore, ASessionCountsOncePerRule) {
  const std::string id = add("Pin dependency versions").bullet.id;
  EXPECT_FALSE(feedback(id, FeedbackKind::kHarmful, kNow, 1.0, "ses-1").skipped);
  const FeedbackResult again = feedback(id, FeedbackKind::kHarmful, kNow, 1.0, "ses-1");
  EXPECT_TRUE(again.skipped);
  EXPECT_DOUBLE_EQ(again.after, again.before);
  EXPECT_DOUBLE_EQ(playbook_.get(id).harmful, 1.0);
  EXPECT_FALSE(feedback(id, FeedbackKind::kHarmful, kNow, 1.0, "ses-2").skipped);
}

TEST_F(PlaybookOnStore, ARuleThatKeepsProvingHarmfulBecomesAnAntiPattern) {
  const std::string id = add("Mock the database in integration tests", BulletKind::kRule, kNow, {"testing"}).bullet.id;
  feedback(id, FeedbackKind::kHelpful);
  EXPECT_TRUE(feedback(id, FeedbackKind::kHarmful).inverted_to.empty());
  EXPECT_TRUE(feedback(id, FeedbackKind::kHarmful).inverted_to.empty());
  const FeedbackResult third = feedback(id, FeedbackKind::kHarmful);  // 3 harmful > 2 x 1 helpful
  ASSERT_FALSE(third.inverted_to.empty());
  EXPECT_EQ(third.inverted_to.rfind("ap-", 0), 0u);

  const Bullet old = playbook_.get(id);
  EXPECT_FALSE(old.active);
  EXPECT_EQ(old.retired_reason, "inverted");
  EXPECT_EQ(old.replaced_by, third.inverted_to);
  const Bullet anti = playbook_.get(third.inverted_to);
  EXPECT_EQ(anti.kind, BulletKind::kAntiPattern);
  EXPECT_EQ(anti.content, "AVOID: Mock the database in integration tests");
  EXPECT_EQ(anti.source, BulletSource::kLearning);
  EXPECT_NEAR(anti.confidence, 0.9 * 3.0 / 4.0, 1e-12);
  EXPECT_EQ(anti.evidence_count, 3);
  EXPECT_EQ(anti.tags, (std::vector<std::string>{"testing"}));

  // Adding the inverted rule again by hand is refused with the reason; nothing changes.
  try {
    add("Mock the database in integration tests");
    FAIL() << "re-added an inverted rule";
  } catch (const LearningError& e) {
    EXPECT_EQ(e.code(), "RULE_INVERTED");
    EXPECT_EQ(e.exit_code(), 2);
  }
  EXPECT_FALSE(playbook_.get(id).active);
}

TEST_F(PlaybookOnStore, ARuleBelowTheFloorIsRetiredNotDeleted) {
  store::Transaction tx(db(), store::Transaction::Mode::kWrite);
  NewBullet nb;
  nb.content = "Squash commits before merging";
  nb.confidence = 0.25;
  const std::string id = playbook_.add(nb, kNow).bullet.id;
  tx.commit();
  const FeedbackResult r = feedback(id, FeedbackKind::kHarmful);  // 0.25 - 0.2 = 0.05 < 0.1
  EXPECT_TRUE(r.retired);
  const Bullet b = playbook_.get(id);
  EXPECT_FALSE(b.active);
  EXPECT_EQ(b.retired_reason, "low_confidence");
  EXPECT_EQ(playbook_.list({std::nullopt, std::nullopt, true}, kNow).size(), 1u);
}

TEST_F(PlaybookOnStore, DecayHalvesConfidenceAfterNinetyDaysAndRetiresStaleRules) {
  const std::string a = add("Write a failing test first").bullet.id;  // 0.7
  store::Transaction tx(db(), store::Transaction::Mode::kWrite);
  NewBullet nb;
  nb.content = "Prefer small commits";
  nb.confidence = 0.3;
  const std::string b = playbook_.add(nb, kNow).bullet.id;
  tx.commit();

  const DecayResult d = playbook_.decay_all(kNow + 90 * kDay, 1);  // one row per transaction
  EXPECT_EQ(d.decayed, 2u);
  EXPECT_TRUE(d.retired.empty());
  EXPECT_NEAR(playbook_.get(a).confidence, 0.35, 1e-12);
  EXPECT_NEAR(playbook_.get(b).confidence, 0.15, 1e-12);
  EXPECT_DOUBLE_EQ(playbook_.get(a).confidence_time, kNow + 90 * kDay);
  // Applying the decay again at the same time changes nothing.
  playbook_.decay_all(kNow + 90 * kDay);
  EXPECT_NEAR(playbook_.get(a).confidence, 0.35, 1e-12);

  // 90 days more: b falls to 0.075, below the floor: retired as stale.
  const DecayResult later = playbook_.decay_all(kNow + 180 * kDay);
  EXPECT_EQ(later.retired, std::vector<std::string>{b});
  EXPECT_EQ(playbook_.get(b).retired_reason, "stale");
  EXPECT_NEAR(playbook_.get(a).confidence, 0.175, 1e-12);
}

TEST_F(PlaybookOnStore, BadInputIsAnInputError) {
  EXPECT_THROW(add("   "), LearningError);
  EXPECT_THROW(add("!!! ..."), LearningError);
  EXPECT_THROW(add(std::string(5000, 'a')), LearningError);
  try {
    playbook_.get("b-000000");
    FAIL();
  } catch (const LearningError& e) {
    EXPECT_EQ(e.code(), "UNKNOWN_RULE");
    EXPECT_EQ(e.exit_code(), 2);
  }
  EXPECT_EQ(playbook_.counts().active_rules, 0);
}

TEST(LearningSchema, TablesAreCreatedOnceAndVersionedOnTheirOwn) {
  TempDir dir;
  const std::string path = dir.path() + "/events.db";
  auto store = SqliteEventStore::open(path, SqliteEventStore::Mode::kReadWrite);
  EXPECT_EQ(learning_schema_version(store->handle()), 0);
  ensure_learning_schema(store->handle());
  ensure_learning_schema(store->handle());
  EXPECT_EQ(learning_schema_version(store->handle()), kLearningSchemaVersion);
  // The event store's own version is untouched.
  EXPECT_EQ(store->schema_version(), SqliteEventStore::kSchemaVersion);
  SqliteStatement st(store->handle(), "SELECT count(*) FROM learning_schema");
  st.step();
  EXPECT_EQ(st.column_int(0), 1);
  EXPECT_TRUE(fts5_available());
}

TEST(LearningSchema, ANewerLearningSchemaIsRefused) {
  TempDir dir;
  auto store = SqliteEventStore::open(dir.path() + "/events.db", SqliteEventStore::Mode::kReadWrite);
  ensure_learning_schema(store->handle());
  store::exec(store->handle(), "UPDATE learning_schema SET version = 99");
  try {
    LearningService service(store->handle());
    FAIL() << "opened a newer schema";
  } catch (const LearningError& e) {
    EXPECT_EQ(e.code(), "STORE_SCHEMA_NEWER");
    EXPECT_EQ(e.exit_code(), 4);
  }
}

// cass_memory.maxRules: at the cap, a manual or imported rule of low confidence gives way to any
// new rule (the oldest first), an unconfirmed one only to a rule learned from outcomes; a rule
// with evidence behind it never does, and a new rule that finds no room is refused.
class CappedPlaybook : public PlaybookOnStore {
 protected:
  void SetUp() override {
    PlaybookOnStore::SetUp();
    playbook_ = Playbook(db(), ConfidenceModel{}, 3);
  }
  AddResult add_from(const std::string& content, BulletSource source, double now) {
    store::Transaction tx(db(), store::Transaction::Mode::kWrite);
    NewBullet nb;
    nb.content = content;
    nb.source = source;
    AddResult r = playbook_.add(nb, now);
    tx.commit();
    return r;
  }
  std::string refusal(const std::string& content, BulletSource source, double now) {
    try {
      add_from(content, source, now);
    } catch (const LearningError& e) {
      return e.code();
    }
    return "added";
  }
  std::size_t active() { return playbook_.list({}, kNow).size(); }
};

TEST_F(CappedPlaybook, AManualRuleFindsNoRoomAmongConfidentRules) {
  const std::string oldest = add_from("Pin the toolchain version in continuous integration", BulletSource::kManual, kNow).bullet.id;
  add_from("Keep pull requests under four hundred lines", BulletSource::kManual, kNow + 1);
  add_from("Document every public function of the parser", BulletSource::kImport, kNow + 2);
  EXPECT_EQ(refusal("Run the linters before every commit", BulletSource::kManual, kNow + 3), "PLAYBOOK_FULL");
  EXPECT_EQ(active(), 3u);
  // Marked harmful twice, the oldest falls to low confidence and gives way.
  feedback(oldest, FeedbackKind::kHarmful, kNow + 4);
  feedback(oldest, FeedbackKind::kHarmful, kNow + 5);
  EXPECT_EQ(add_from("Run the linters before every commit", BulletSource::kManual, kNow + 6).action, AddAction::kAdded);
  EXPECT_EQ(active(), 3u);
  const Bullet gone = playbook_.get(oldest);
  EXPECT_FALSE(gone.active);
  EXPECT_EQ(gone.retired_reason, "capacity");
}

TEST_F(CappedPlaybook, ManualRulesThatDecayedUnconfirmedGiveWayOldestFirst) {
  const std::string first = add_from("Pin the toolchain version in continuous integration", BulletSource::kManual, kNow).bullet.id;
  const std::string second = add_from("Keep pull requests under four hundred lines", BulletSource::kManual, kNow + 1).bullet.id;
  add_from("Document every public function of the parser", BulletSource::kManual, kNow + 2);
  // 60 days on, 0.7 has decayed below 0.5 for all three: the oldest goes first.
  add_from("Run the linters before every commit", BulletSource::kManual, kNow + 60 * kDay);
  EXPECT_FALSE(playbook_.get(first).active);
  EXPECT_TRUE(playbook_.get(second).active);
}

TEST_F(CappedPlaybook, ALearnedRuleTakesThePlaceOfAnUnconfirmedManualOneNeverOfAConfirmedOne) {
  const std::string confirmed = add_from("Pin the toolchain version in continuous integration", BulletSource::kManual, kNow).bullet.id;
  feedback(confirmed, FeedbackKind::kHelpful, kNow + 1);
  const std::string unconfirmed = add_from("Keep pull requests under four hundred lines", BulletSource::kManual, kNow + 2).bullet.id;
  add_from("Recurring timeouts in the deploy stage: retry with backoff", BulletSource::kLearning, kNow + 3);
  EXPECT_EQ(add_from("Recurring flaky tests in the test stage: quarantine them", BulletSource::kLearning, kNow + 4).action,
            AddAction::kAdded);
  EXPECT_FALSE(playbook_.get(unconfirmed).active);
  EXPECT_EQ(playbook_.get(unconfirmed).retired_reason, "capacity");
  EXPECT_TRUE(playbook_.get(confirmed).active);
  // Now nothing may give way: a learned rule is refused too, and learned rules stay.
  EXPECT_EQ(refusal("Recurring build errors in the compile stage: clean the cache", BulletSource::kLearning, kNow + 5), "PLAYBOOK_FULL");
  EXPECT_EQ(active(), 3u);
}

TEST_F(CappedPlaybook, ARuleInvertedAtTheCapLeavesItsPlaceToItsAntiPattern) {
  const std::string harmful = add_from("Mock the database in integration tests", BulletSource::kManual, kNow).bullet.id;
  const std::string other = add_from("Keep pull requests under four hundred lines", BulletSource::kManual, kNow + 1).bullet.id;
  add_from("Document every public function of the parser", BulletSource::kManual, kNow + 2);
  for (int i = 0; i < 3; ++i) feedback(harmful, FeedbackKind::kHarmful, kNow + 3 + i);
  const Bullet inverted = playbook_.get(harmful);
  EXPECT_EQ(inverted.retired_reason, "inverted");
  ASSERT_FALSE(inverted.replaced_by.empty());
  EXPECT_TRUE(playbook_.get(inverted.replaced_by).active);
  EXPECT_TRUE(playbook_.get(other).active) << "no other rule gave way";
  EXPECT_EQ(active(), 3u);
}

}  // namespace
}  // namespace agentmetrics::learning
