// `cm context` as a library call: the specification's JSON shape, relevance by BM25 weighted by
// confidence, the limit, the incremental history index, and retrieval quality (precision@5) on
// a generated set of tasks with known relevant rules.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdio>
#include <random>

#include "collector/store/sqlite_event_store.h"
#include "collector/learning/history_index.h"
#include "collector/learning/learning_error.h"
#include "collector/learning/learning_service.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_clock.h"
#include "tests/unit/learning_service_fixture.h"

namespace agentmetrics::learning {
namespace {

using store::SqliteEventStore;
using testing::TempDir;

using agentmetrics::testing::kNow;

std::vector<std::string> keys(const nlohmann::ordered_json& j) {
  std::vector<std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it) out.push_back(it.key());
  return out;
}

ipc::OutcomeEvent task_event(std::uint64_t seq, double time, const std::string& title, const std::string& approach,
                             const std::string& snippet, bool success, double duration, const std::string& session) {
  ipc::OutcomeEvent e;
  e.kind = ipc::OutcomeKind::kTask;
  e.producer_id = 7;
  e.sequence = seq;
  e.time = time;
  e.fields = {{"agent_type", std::string("build")},
              {"task_type", std::string("feature")},
              {"success", success},
              {"duration_seconds", duration},
              {"title", title},
              {"approach", approach},
              {"snippet", snippet},
              {"session_id", session}};
  return e;
}

using ContextTest = LearningServiceTest;

TEST_F(ContextTest, AnswersInTheSpecificationsShape) {
  const std::string tests = add("Always write unit tests before implementing authentication logic", 0.95);
  const std::string jwt = add("Use JWT tokens with 15-minute expiration for user authentication", 0.88);
  add("Keep CSS selectors shallow", 0.9);
  const std::string plain = add("Never store passwords in plain text during authentication", 0.99, BulletKind::kAntiPattern);
  std::vector<ipc::OutcomeEvent> history = {
      task_event(1, kNow - 3600, "Implement OAuth2 login", "test_driven_development",
                 "Started with unit tests, then implemented the user authentication flow", true, 2700, "ses-abc123"),
      task_event(2, kNow - 1800, "Fix the CSS grid", "trial_and_error", "Moved boxes around", false, 600, "ses-def")};
  for (std::uint64_t i = 3; i < 10; ++i) history.push_back(task_event(i, kNow - 900, "Tune the parser", "", "", true, 60, ""));
  store_->insert(history, kNow);

  const auto data = to_json(service_->context("implementing user authentication"));
  EXPECT_EQ(keys(data), (std::vector<std::string>{"task", "relevantBullets", "antiPatterns", "historySnippets"}));
  EXPECT_EQ(data["task"], "implementing user authentication");
  ASSERT_EQ(data["relevantBullets"].size(), 2u);
  const auto& first = data["relevantBullets"][0];
  // The specification's fields, then where the rule came from.
  EXPECT_EQ(keys(first), (std::vector<std::string>{"id", "content", "confidence", "evidence_count", "source", "added_by", "created"}));
  EXPECT_EQ(first["content"], "Always write unit tests before implementing authentication logic");
  EXPECT_EQ(first["id"], tests);
  EXPECT_EQ(first["confidence"], 0.95);
  EXPECT_EQ(first["evidence_count"], 0);
  EXPECT_EQ(first["source"], "manual");
  EXPECT_EQ(data["relevantBullets"][1]["id"], jwt);
  ASSERT_EQ(data["antiPatterns"].size(), 1u);
  EXPECT_EQ(data["antiPatterns"][0]["id"], plain);
  ASSERT_EQ(data["historySnippets"].size(), 1u);
  const auto& h = data["historySnippets"][0];
  EXPECT_EQ(keys(h), (std::vector<std::string>{"session_id", "title", "outcome", "duration", "approach", "snippet", "score"}));
  EXPECT_EQ(h["session_id"], "ses-abc123");
  EXPECT_EQ(h["title"], "Implement OAuth2 login");
  EXPECT_EQ(h["outcome"], "success");
  EXPECT_EQ(h["duration"], "45 min");
  EXPECT_EQ(h["approach"], "test_driven_development");
  EXPECT_GT(h["score"].get<double>(), 0.0);
}

TEST_F(ContextTest, ConfidenceWeighsRelevanceAndDecays) {
  const std::string low = add("Cache invalidation needs a version key", 0.2);
  const std::string high = add("Cache invalidation needs a version key per tenant", 0.9);
  auto data = to_json(service_->context("cache invalidation"));
  ASSERT_EQ(data["relevantBullets"].size(), 2u);
  EXPECT_EQ(data["relevantBullets"][0]["id"], high);
  // 90 days later the reported confidence is halved.
  now_ = kNow + 90 * 86400.0;
  data = to_json(service_->context("cache invalidation"));
  EXPECT_EQ(data["relevantBullets"][0]["confidence"], 0.45);
  EXPECT_EQ(data["relevantBullets"][1]["id"], low);
  EXPECT_EQ(data["relevantBullets"][1]["confidence"], 0.1);
}

TEST_F(ContextTest, TheLimitAppliesToEachListAndRetiredRulesAreLeftOut) {
  std::vector<std::string> ids;
  const char* names[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"};
  for (int i = 0; i < 8; ++i) ids.push_back(add(std::string("Deploy step ") + names[i] + " needs a rollback plan", 0.5 + 0.05 * i));
  EXPECT_EQ(to_json(service_->context("deploy rollback"))["relevantBullets"].size(), 5u);  // contextLimit
  const auto three = to_json(service_->context("deploy rollback", 3))["relevantBullets"];
  ASSERT_EQ(three.size(), 3u);
  EXPECT_EQ(three[0]["id"], ids[7]);
  service_->playbook_remove(ids[7]);
  EXPECT_EQ(to_json(service_->context("deploy rollback", 3))["relevantBullets"][0]["id"], ids[6]);
  // Nothing but stopwords: nothing to match, not an error.
  EXPECT_TRUE(to_json(service_->context("the and of"))["relevantBullets"].empty());
}

TEST_F(ContextTest, BadInputIsRefusedWithAnInputError) {
  for (const auto& task : {std::string(""), std::string("   \n")}) {
    try {
      service_->context(task);
      FAIL() << "accepted an empty task";
    } catch (const LearningError& e) {
      EXPECT_EQ(e.code(), "EMPTY_TASK");
      EXPECT_EQ(e.exit_code(), 2);
      EXPECT_FALSE(e.recovery().empty());
    }
  }
  EXPECT_THROW(service_->context("x", 0), LearningError);
  EXPECT_THROW(service_->context("x", 101), LearningError);
}

TEST_F(ContextTest, TheHistoryIsIndexedIncrementally) {
  HistoryIndex index(store_->handle());
  std::vector<ipc::OutcomeEvent> batch;
  for (std::uint64_t i = 1; i <= 250; ++i) {
    batch.push_back(task_event(i, kNow - 1000.0 + static_cast<double>(i), "Refactor module " + std::to_string(i), "", "", true, 60, ""));
    if (i == 100) {
      store_->insert(batch, kNow - 500.0);  // the first hundred received earlier
      batch.clear();
    }
  }
  store_->insert(batch, kNow);
  EXPECT_TRUE(index.behind());
  EXPECT_EQ(index.catch_up(100), 250u);  // three transactions
  EXPECT_FALSE(index.behind());
  EXPECT_EQ(index.size(), 250);
  EXPECT_EQ(index.catch_up(), 0u);
  // Only what is new is indexed; other kinds are skipped.
  ipc::OutcomeEvent coverage;
  coverage.kind = ipc::OutcomeKind::kCoverage;
  coverage.producer_id = 7;
  coverage.sequence = 1000;
  coverage.time = kNow;
  coverage.fields = {{"percent", 80.0}};
  store_->insert(std::vector{coverage, task_event(251, kNow, "Refactor the parser", "", "", false, 60, "")}, kNow);
  const auto data = to_json(service_->context("refactor parser"));
  EXPECT_EQ(index.size(), 251);
  EXPECT_EQ(data["historySnippets"][0]["title"], "Refactor the parser");
  EXPECT_EQ(data["historySnippets"][0]["outcome"], "failure");
  // Retention removes the events received first; their entries leave the index.
  store_->delete_received_before(kNow - 100.0);
  index.catch_up();
  EXPECT_EQ(index.size(), 151);
}

// A task replaced by a fuller account (a session imported again as it grew) is found once, as
// it is now, whether the index had taken the old one or not.
TEST_F(ContextTest, AReplacedTaskIsFoundOnceAsItIsNow) {
  HistoryIndex index(store_->handle());
  store_->replace(std::vector{task_event(1, kNow - 60, "Migrate the invoices", "", "half way", false, 60, "ses-1")}, kNow);
  EXPECT_EQ(index.catch_up(), 1u);
  // Replaced twice before the next catch-up: the second replacement replaces an event the
  // index never saw.
  store_->replace(std::vector{task_event(1, kNow - 30, "Migrate the invoices", "", "most of it", false, 90, "ses-1")}, kNow);
  store_->replace(std::vector{task_event(1, kNow, "Migrate the invoices", "edit", "all of it", true, 120, "ses-1")}, kNow);
  index.catch_up();
  EXPECT_EQ(index.size(), 1);
  const auto snippets = to_json(service_->context("migrate invoices"))["historySnippets"];
  ASSERT_EQ(snippets.size(), 1u) << snippets.dump();
  EXPECT_EQ(snippets[0]["snippet"], "all of it");
  EXPECT_EQ(snippets[0]["outcome"], "success");
  // Another task beside it, and one more replacement: still one entry each.
  store_->insert(std::vector{task_event(2, kNow, "Migrate the payments", "", "", true, 60, "ses-2")}, kNow);
  store_->replace(std::vector{task_event(1, kNow + 10, "Migrate the invoices", "edit", "all of it, checked", true, 130, "ses-1")}, kNow);
  EXPECT_EQ(to_json(service_->context("migrate invoices"))["historySnippets"].size(), 2u);
  EXPECT_EQ(index.size(), 2);
}

// A store this process may only read (cm on a store another user's collector writes): the
// index cannot catch up, and the rules and the history indexed so far are still searched. A
// corrupt or otherwise failing store is not hidden this way: only busy and read-only are.
TEST_F(ContextTest, AReadOnlyStoreIsSearchedAsItIs) {
  add("Always write unit tests before changing the parser", 0.9);
  store_->insert(std::vector{task_event(1, kNow - 60, "Refactor the parser", "", "", true, 60, "")}, kNow);
  EXPECT_EQ(to_json(service_->context("parser"))["historySnippets"].size(), 1u);
  store_->insert(std::vector{task_event(2, kNow - 30, "Speed up the parser", "", "", true, 60, "")}, kNow);
  auto reader = SqliteEventStore::open(store_->path(), SqliteEventStore::Mode::kReadOnly);
  LearningService read_only(reader->handle());
  ASSERT_TRUE(HistoryIndex(reader->handle()).behind());
  const auto data = to_json(read_only.context("parser"));
  EXPECT_EQ(data["relevantBullets"].size(), 1u);
  ASSERT_EQ(data["historySnippets"].size(), 1u) << "only what was indexed before";
  EXPECT_EQ(data["historySnippets"][0]["title"], "Refactor the parser");
}

// Retrieval quality: 12 topics with 12 rules each, 300 generic rules, and 5 tasks per topic
// phrased with other words of the topic plus generic ones. A rule is relevant to a task when it
// belongs to the task's topic. Confidences are random, so they cannot carry the ranking.
TEST(LearningRetrieval, PrecisionAtFiveIsAtLeastNinetyPercent) {
  const std::vector<std::vector<std::string>> topics = {
      {"login", "password", "session", "token", "jwt", "oauth", "authentication", "credentials", "signin"},
      {"migration", "schema", "column", "rollback", "table", "alter", "database", "backfill", "constraint"},
      {"css", "layout", "flexbox", "grid", "responsive", "stylesheet", "margin", "breakpoint", "viewport"},
      {"cache", "latency", "redis", "eviction", "ttl", "memoize", "invalidation", "warmup", "hotspot"},
      {"flaky", "fixture", "mock", "assertion", "intermittent", "quarantine", "deterministic", "seed", "snapshot"},
      {"pipeline", "artifact", "docker", "image", "runner", "workflow", "yaml", "container", "registry"},
      {"logging", "metrics", "tracing", "dashboard", "alert", "span", "prometheus", "grafana", "telemetry"},
      {"endpoint", "rest", "versioning", "pagination", "http", "openapi", "payload", "json", "query"},
      {"thread", "lock", "race", "mutex", "deadlock", "atomic", "concurrent", "contention", "semaphore"},
      {"vulnerability", "dependency", "cve", "upgrade", "audit", "scanner", "patch", "sbom", "license"},
      {"readme", "documentation", "changelog", "example", "tutorial", "docstring", "guide", "wiki", "onboarding"},
      {"exception", "error", "fallback", "timeout", "retry", "backoff", "panic", "handler", "crash"},
  };
  const std::vector<std::string> generic = {"code",    "change",  "team",     "update",  "review", "project",
                                            "feature", "module",  "function", "service", "file",   "existing",
                                            "small",   "release", "branch",   "commit",  "sprint", "ticket"};
  const std::vector<std::string> verbs = {"Check", "Keep", "Add", "Write", "Review", "Use", "Document", "Verify"};
  std::mt19937 rng(20261124);
  auto pick = [&](const std::vector<std::string>& from) { return from[rng() % from.size()]; };
  auto distinct = [&](const std::vector<std::string>& from, std::size_t n) {
    std::vector<std::string> out;
    while (out.size() < n) {
      const std::string w = pick(from);
      if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
    }
    return out;
  };
  auto confidence = [&] { return 0.3 + 0.65 * static_cast<double>(rng() % 1000) / 1000.0; };

  TempDir dir;
  auto store = SqliteEventStore::open(dir.path() + "/events.db", SqliteEventStore::Mode::kReadWrite);
  LearningService service(store->handle());
  std::map<std::string, std::size_t> topic_of;  // rule id -> topic
  for (std::size_t t = 0; t < topics.size(); ++t) {
    for (int r = 0; r < 12; ++r) {
      const auto w = distinct(topics[t], 3);
      NewBullet nb;
      nb.content = pick(verbs) + " the " + w[0] + " " + w[1] + " in every " + pick(generic) + " " + pick(generic) + " that touches " + w[2];
      nb.confidence = confidence();
      const auto answer = service.playbook_add(nb);
      topic_of[answer.rule.bullet.id] = t;
    }
  }
  for (int r = 0; r < 300; ++r) {
    const auto w = distinct(generic, 4);
    NewBullet nb;
    nb.content = pick(verbs) + " the " + w[0] + " " + w[1] + " before the " + w[2] + " " + w[3];
    nb.confidence = confidence();
    service.playbook_add(nb);
  }

  int tasks = 0;
  double precision_sum = 0;
  for (std::size_t t = 0; t < topics.size(); ++t) {
    for (int q = 0; q < 5; ++q) {
      const auto w = distinct(topics[t], 2);
      const std::string task = "Update the " + w[0] + " " + pick(generic) + " and the " + w[1] + " of the " + pick(generic);
      const ContextResult data = service.context(task, 5);
      int relevant = 0;
      for (const auto& b : data.relevant_bullets) {
        auto it = topic_of.find(b.id);
        relevant += it != topic_of.end() && it->second == t;
      }
      precision_sum += relevant / 5.0;
      ++tasks;
    }
  }
  const double precision = precision_sum / tasks;
  std::printf("precision@5 over %d tasks, %zu rules: %.3f\n", tasks, topic_of.size() + 300, precision);
  RecordProperty("precision_at_5", std::to_string(precision));
  EXPECT_GE(precision, 0.9);
}

}  // namespace
}  // namespace agentmetrics::learning
