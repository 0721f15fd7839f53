// The hand-off of HTTP intake to the real store thread: a request is told "stored" only after
// the commit, a redelivery is kept once, and a store that falls behind is refused, not queued
// without end.
#include "collector/intake/durable_intake.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "collector/store/sqlite_event_store.h"
#include "collector/store/sqlite_statement.h"
#include "collector/store/store_writer.h"
#include "tests/support/temp_dir.h"

namespace agentmetrics::intake {
namespace {

std::vector<ipc::OutcomeEvent> delivery(std::string_view id, int events) {
  std::vector<ipc::OutcomeEvent> out;
  for (int i = 1; i <= events; ++i) {
    ipc::OutcomeEvent e;
    e.kind = ipc::OutcomeKind::kDeployment;
    e.producer_id = intake_producer_id("github", id);
    e.sequence = static_cast<std::uint64_t>(i);
    e.time = 1.7e9;
    e.fields = {{"environment", std::string("production")}, {"success", true}};
    out.push_back(e);
  }
  return out;
}

std::size_t stored(const std::string& path) {
  return store::SqliteEventStore::open(path, store::SqliteEventStore::Mode::kReadOnly)->count();
}

TEST(DurableIntake, ARequestIsStoredOnceHoweverOftenItIsDelivered) {
  testing::TempDir dir;
  prometheus::Registry registry;
  store::StoreWriter writer({.path = dir.path() + "/events.db"}, registry);
  writer.start();
  DurableIntake intake(&writer, 1000);
  EXPECT_EQ(intake.store(delivery("d-1", 3), std::chrono::seconds(10)), IntakeResult::kStored);
  EXPECT_EQ(stored(dir.path() + "/events.db"), 3u);  // committed before the answer
  EXPECT_EQ(intake.store(delivery("d-1", 3), std::chrono::seconds(10)), IntakeResult::kStored);
  EXPECT_EQ(intake.store(delivery("d-2", 1), std::chrono::seconds(10)), IntakeResult::kStored);
  EXPECT_EQ(stored(dir.path() + "/events.db"), 4u);
  writer.stop();
}

TEST(DurableIntake, AFullerAccountReplacesTheStoredOneWhenAskedTo) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/events.db";
  prometheus::Registry registry;
  store::StoreWriter writer({.path = path}, registry);
  writer.start();
  DurableIntake intake(&writer, 1000);
  auto first = delivery("session-1", 1);
  EXPECT_EQ(intake.store(first, std::chrono::seconds(10), true), IntakeResult::kStored);
  auto fuller = first;
  fuller[0].time += 60;
  fuller[0].fields["success"] = false;
  // Kept first by default; replaced when asked to.
  EXPECT_EQ(intake.store(fuller, std::chrono::seconds(10)), IntakeResult::kStored);
  const auto success = [&] {
    auto s = store::SqliteEventStore::open(path, store::SqliteEventStore::Mode::kReadOnly);
    store::SqliteStatement st(s->handle(), "SELECT json_extract(fields, '$.success') FROM events");
    EXPECT_TRUE(st.step());
    return st.column_int(0) != 0;
  };
  EXPECT_TRUE(success());
  EXPECT_EQ(intake.store(fuller, std::chrono::seconds(10), true), IntakeResult::kStored);
  EXPECT_FALSE(success());
  EXPECT_EQ(stored(path), 1u);
  writer.stop();
}

TEST(DurableIntake, AStoreThatDoesNotCommitIsReportedAndThenRefused) {
  testing::TempDir dir;
  prometheus::Registry registry;
  store::StoreWriter writer({.path = dir.path() + "/events.db"}, registry);  // not started: nothing commits
  DurableIntake intake(&writer, 4);
  EXPECT_EQ(intake.store(delivery("d-1", 3), std::chrono::milliseconds(50)), IntakeResult::kPending);
  EXPECT_EQ(intake.store(delivery("d-2", 2), std::chrono::milliseconds(50)), IntakeResult::kQueueFull);
  // What was queued is committed once the store thread runs.
  writer.start();
  EXPECT_EQ(intake.store(delivery("d-3", 1), std::chrono::seconds(10)), IntakeResult::kStored);
  writer.stop();
  EXPECT_EQ(stored(dir.path() + "/events.db"), 4u);
}

TEST(DurableIntake, WithoutAStoreNothingIsAcceptedAsStored) {
  DurableIntake intake(nullptr, 10);
  EXPECT_EQ(intake.store(delivery("d-1", 1), std::chrono::seconds(1)), IntakeResult::kNoStore);
}

TEST(DurableIntake, ProducerIdsAreStableAndKeepSourceAndKeyApart) {
  EXPECT_EQ(intake_producer_id("github", "72d3162e"), intake_producer_id("github", "72d3162e"));
  EXPECT_NE(intake_producer_id("github", "72d3162e"), intake_producer_id("gitlab", "72d3162e"));
  EXPECT_NE(intake_producer_id("ab", "c"), intake_producer_id("a", "bc"));
  // The value is part of every store written so far: it must never change.
  EXPECT_EQ(intake_producer_id("github", "d-1"), 0x1a163994492d0690ULL);
}

}  // namespace
}  // namespace agentmetrics::intake
