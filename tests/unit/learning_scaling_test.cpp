// The incremental work of the learning system grows with what is new, not with the history:
// indexing the latest tasks, applying their feedback and counting what is pending cost the same
// over 1,000 stored tasks as over 20,000. Measured in SQLite virtual-machine steps (a progress
// handler's count), which do not depend on the machine's speed or load.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "collector/store/sqlite_event_store.h"
#include "collector/learning/history_index.h"
#include "collector/learning/learning_service.h"
#include "collector/learning/reflection.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_clock.h"

namespace agentmetrics::learning {
namespace {

using store::SqliteEventStore;
using testing::TempDir;

using agentmetrics::testing::kNow;
constexpr std::size_t kNew = 200;

// Counts the store's virtual-machine steps, in units of 100, while it lives.
class VmSteps {
 public:
  explicit VmSteps(sqlite3* db) : db_(db) {
    sqlite3_progress_handler(
        db_, 100,
        [](void* hundreds) {
          ++*static_cast<long*>(hundreds);
          return 0;  // go on
        },
        &hundreds_);
  }
  ~VmSteps() { sqlite3_progress_handler(db_, 0, nullptr, nullptr); }
  long hundreds() const { return hundreds_; }

 private:
  sqlite3* db_;
  long hundreds_ = 0;
};

void store_tasks(SqliteEventStore& store, std::uint64_t first, std::size_t n, const std::string& rule) {
  std::vector<ipc::OutcomeEvent> batch;
  for (std::uint64_t i = first; i < first + n; ++i) {
    ipc::OutcomeEvent e;
    e.kind = ipc::OutcomeKind::kTask;
    e.producer_id = 3;
    e.sequence = i;
    e.time = kNow - 3600.0 + static_cast<double>(i % 3600);
    e.fields = {{"agent_type", std::string("build")},
                {"task_type", std::string("feature")},
                {"success", i % 3 != 0},
                {"duration_seconds", 90.0},
                {"title", "Task number " + std::to_string(i)},
                {"rule_ids", rule},
                {"session_id", "s-" + std::to_string(i)}};
    batch.push_back(std::move(e));
  }
  store.insert(batch, kNow);
}

struct NewWork {
  long index = 0, feedback = 0, pending = 0;
};

// The steps to index, grade and count kNew tasks stored after `history` ones already learned from.
NewWork work_for_new_tasks_after(std::size_t history) {
  TempDir dir;
  auto store = SqliteEventStore::open(dir.path() + "/events.db", SqliteEventStore::Mode::kReadWrite);
  LearningSettings settings;
  settings.clock = [] { return kNow; };
  LearningService service(store->handle(), settings);
  NewBullet rule;
  rule.content = "Run the failing tests locally before pushing";
  const std::string id = service.playbook_add(rule).rule.bullet.id;
  HistoryIndex index(store->handle());

  store_tasks(*store, 1, history, id);
  EXPECT_EQ(index.catch_up(), history);
  EXPECT_EQ(apply_task_feedback(store->handle(), service.playbook(), 5000).events, history);

  store_tasks(*store, history + 1, kNew, id);
  NewWork work;
  {
    VmSteps steps(store->handle());
    EXPECT_EQ(index.pending(), static_cast<std::int64_t>(kNew));
    work.pending = steps.hundreds();
  }
  {
    VmSteps steps(store->handle());
    EXPECT_EQ(index.catch_up(50), kNew);
    work.index = steps.hundreds();
  }
  {
    VmSteps steps(store->handle());
    EXPECT_EQ(apply_task_feedback(store->handle(), service.playbook(), 50).events, kNew);
    work.feedback = steps.hundreds();
  }
  return work;
}

TEST(LearningScaling, NewTasksCostTheSameOverALargeHistoryAsOverASmallOne) {
  const NewWork small = work_for_new_tasks_after(1000);
  const NewWork large = work_for_new_tasks_after(20000);
  std::printf("VM steps (x100) for %zu new tasks after 1,000 / 20,000: index %ld / %ld, feedback %ld / %ld, pending %ld / %ld\n", kNew,
              small.index, large.index, small.feedback, large.feedback, small.pending, large.pending);
  // A scan of the whole history per batch would make each of these about 20 times larger.
  EXPECT_LT(large.index, 2 * small.index + 10);
  EXPECT_LT(large.feedback, 2 * small.feedback + 10);
  EXPECT_LT(large.pending, 2 * small.pending + 10);
  EXPECT_GT(small.index, 0);
  EXPECT_GT(small.feedback, 0);
}

}  // namespace
}  // namespace agentmetrics::learning
