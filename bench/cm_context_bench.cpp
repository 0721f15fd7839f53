// cm_context_bench: the latency of `cm context "<task>" --json` as a whole process (exec, open
// the store, rank 10k rules and 100k past tasks, print the JSON, exit), the way the opencode
// plugin calls it before every task.
//
//   cm_context_bench [--cm PATH] [--dir DIR] [--rules 10000] [--tasks 100000] [--runs 101]
//                    [--max-median-ms 20] [--store PATH] [--postgres URL|start]
//
// --store: time `cm context` over that store's history instead (an imported one), with --rules
// rules added to it the first time.
// --postgres: time `cm context` on a team store beside it in the same run, with the same rules
// and tasks: on the PostgreSQL at URL (an empty database), or on one started for the run
// (`start`: Debian's postgresql-15 in a temporary directory, fsync on; built with the tests).
//
// The store is generated once in DIR (kept for later runs): task events written through
// SqliteEventStore::insert with titles, approaches and snippets drawn from a Zipf-distributed
// vocabulary of 3000 words (so common words are really common), and rules added through the
// playbook (duplicates merged as in real use). One untimed `cm context` indexes the history;
// then each run spawns cm with one of 20 tasks in turn and waits for it. Prints the median,
// p90, min and max, and exits 1 if the median is above --max-median-ms.
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "collector/store/sqlite_event_store.h"
#include "collector/learning/learning_service.h"
#include "collector/learning/postgres_learning_store.h"
#include "collector/learning/sqlite_util.h"
#include "collector/store/store_url.h"
#include "bench/vocabulary.h"
#ifdef AM_BENCH_POSTGRES
#include "tests/support/postgres_server.h"
#endif

extern char** environ;

namespace {

using namespace agentmetrics;

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

double run_cm(const std::string& cm, const std::vector<std::string>& args, bool check = true) {
  std::vector<std::string> argv = {cm};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (auto& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  const auto t0 = std::chrono::steady_clock::now();
  pid_t pid = 0;
  if (posix_spawn(&pid, cm.c_str(), &actions, nullptr, raw.data(), environ) != 0) {
    std::perror("posix_spawn");
    std::exit(2);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  posix_spawn_file_actions_destroy(&actions);
  if (check && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
    std::fprintf(stderr, "cm failed (status %d)\n", status);
    std::exit(2);
  }
  return ms;
}

// The history and the playbook of a run, the same on every store (a seeded generator).
struct Generated {
  std::vector<ipc::OutcomeEvent> tasks;
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
};

Generated generate(std::size_t rules, std::size_t tasks) {
  std::mt19937_64 rng(20261124);
  bench::Vocabulary vocab(rng);
  const char* agents[] = {"build", "plan", "general", "review", "test"};
  const char* types[] = {"feature", "bugfix", "refactor", "docs", "test", "chore", "perf", "security"};
  const char* stages[] = {"implement", "test", "build", "lint", "deploy", "review"};
  const char* approaches[] = {"test_driven_development", "reproduce_first", "small_steps", "spike_then_rewrite", "pair_review", "big_bang",
                              "incremental_migration",   "feature_flag",    "bisect",      "profiling_first"};
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  Generated out;
  for (std::size_t i = 0; i < tasks; ++i) {
    ipc::OutcomeEvent e;
    e.kind = ipc::OutcomeKind::kTask;
    e.producer_id = 1;
    e.sequence = i + 1;
    e.time = now - 90 * 86400.0 + 90 * 86400.0 * static_cast<double>(i) / static_cast<double>(tasks);
    const bool success = rng() % 4 != 0;
    e.fields = {{"agent_type", std::string(agents[rng() % 5])},
                {"task_type", std::string(types[rng() % 8])},
                {"stage", std::string(stages[rng() % 6])},
                {"success", success},
                {"duration_seconds", static_cast<double>(60 + rng() % 7200)},
                {"session_id", "ses-" + std::to_string(i)},
                {"title", vocab.words(3 + static_cast<int>(rng() % 4))},
                {"approach", std::string(approaches[rng() % 10])},
                {"snippet", vocab.words(12 + static_cast<int>(rng() % 12))}};
    if (!success) e.fields["failure_type"] = std::string(rng() % 2 ? "test_failure" : "build_error");
    out.tasks.push_back(std::move(e));
  }
  for (std::size_t i = 0; i < rules; ++i) {
    out.rules.push_back({{"content", vocab.words(6 + static_cast<int>(rng() % 7))},
                         {"kind", rng() % 10 == 0 ? "anti-pattern" : "rule"},
                         {"confidence", 0.3 + 0.6 * static_cast<double>(rng() % 1000) / 1000.0}});
  }
  return out;
}

void write_sqlite(const std::string& path, const Generated& data) {
  auto store = store::SqliteEventStore::open(path, store::SqliteEventStore::Mode::kReadWrite);
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < data.tasks.size(); i += 5000) {
    const std::size_t n = std::min<std::size_t>(5000, data.tasks.size() - i);
    store->insert(std::span(data.tasks).subspan(i, n), now);
  }
  const auto t1 = std::chrono::steady_clock::now();
  learning::LearningService service(store->handle());
  const auto imported = service.playbook_import(data.rules);
  const auto t2 = std::chrono::steady_clock::now();
  std::printf("SQLite: stored %zu tasks in %.1f s and %zu rules in %.1f s (%s added, %s merged as near-duplicates)\n", data.tasks.size(),
              std::chrono::duration<double>(t1 - t0).count(), data.rules.size(), std::chrono::duration<double>(t2 - t1).count(),
              std::to_string(imported.added).c_str(), std::to_string(imported.reinforced).c_str());
}

// The same history and playbook on a team store: the tasks indexed under the ids the embedded
// store gave them (1, 2, ...), the rules added through the team store's playbook one by one, as
// many cm processes would.
void write_postgres(const std::string& url, const Generated& data) {
  learning::PostgresLearningStore team(url, "", {});
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::pair<std::int64_t, ipc::OutcomeEvent>> batch;
  for (std::size_t i = 0; i < data.tasks.size(); ++i) {
    batch.emplace_back(static_cast<std::int64_t>(i + 1), data.tasks[i]);
    if (batch.size() == 5000 || i + 1 == data.tasks.size()) {
      team.index_tasks(batch);
      batch.clear();
    }
  }
  const auto t1 = std::chrono::steady_clock::now();
  std::size_t added = 0, merged = 0;
  for (const auto& item : data.rules) {
    learning::NewBullet rule;
    rule.content = item["content"].get<std::string>();
    rule.kind = learning::parse_bullet_kind(item["kind"].get<std::string>());
    rule.source = learning::BulletSource::kImport;
    rule.added_by = "import";
    rule.confidence = item["confidence"].get<double>();
    (team.playbook_add(rule).action == learning::AddAction::kAdded ? added : merged) += 1;
  }
  const auto t2 = std::chrono::steady_clock::now();
  std::printf("PostgreSQL: indexed %zu tasks in %.1f s and added %zu rules in %.1f s (%zu added, %zu merged)\n", data.tasks.size(),
              std::chrono::duration<double>(t1 - t0).count(), data.rules.size(), std::chrono::duration<double>(t2 - t1).count(), added,
              merged);
}

struct Timing {
  double median = 0, p90 = 0, min = 0, max = 0;
};

Timing time_context(const std::string& cm, const std::vector<std::string>& store_args, std::size_t runs) {
  static const char* queries[] = {"fix the login session timeout",
                                  "implementing user authentication",
                                  "refactor the database migration schema",
                                  "flaky tests in the pipeline",
                                  "add retry to the payment queue worker",
                                  "update the docker build config",
                                  "memory leak in the scheduler thread",
                                  "improve search index performance",
                                  "css layout broken on upload page",
                                  "email notification error",
                                  "kalomi tane vozi",
                                  "fix",
                                  "token password auth endpoint api",
                                  "parser error on invoice download",
                                  "reduce latency of the metrics endpoint",
                                  "race condition with the cache lock",
                                  "deploy pipeline fails with timeout",
                                  "logging for the worker queue",
                                  "test the migration rollback",
                                  "update user session cache"};
  const auto args = [&](const char* task) {
    std::vector<std::string> a = store_args;
    a.insert(a.end(), {"context", task, "--json"});
    return a;
  };
  std::vector<double> ms;
  for (int i = 0; i < 3; ++i) run_cm(cm, args(queries[i]));  // page cache
  for (std::size_t i = 0; i < runs; ++i) ms.push_back(run_cm(cm, args(queries[i % 20])));
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 9 / 10)], ms.front(), ms.back()};
}

}  // namespace

int main(int argc, char** argv) {
  std::string cm = AM_CM_BINARY, dir = "cm-context-bench", given_store, postgres;
  std::size_t rules = 10000, tasks = 100000, runs = 101;
  double max_median = 20.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--cm")
      cm = value;
    else if (flag == "--dir")
      dir = value;
    else if (flag == "--rules")
      rules = std::stoul(value);
    else if (flag == "--tasks")
      tasks = std::stoul(value);
    else if (flag == "--runs")
      runs = std::stoul(value);
    else if (flag == "--store")
      given_store = value;
    else if (flag == "--postgres")
      postgres = value;
    else if (flag == "--max-median-ms")
      max_median = std::stod(value);
    else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  ::mkdir(dir.c_str(), 0700);
  // --store: a history made elsewhere (the imported sessions of session_import_bench), with the
  // rules added to it once.
  const std::string store =
      given_store.empty() ? dir + "/events-" + std::to_string(rules) + "-" + std::to_string(tasks) + ".db" : given_store;
  Generated data;
  if (!exists(store + ".ready") || !postgres.empty()) data = generate(rules, given_store.empty() ? tasks : 0);
  if (!exists(store + ".ready")) {
    if (given_store.empty()) ::unlink(store.c_str());
    write_sqlite(store, data);
    const auto t0 = std::chrono::steady_clock::now();
    run_cm(cm, {"--store", store, "context", "warm up the index", "--json"});
    std::printf("first cm context (indexes the history once): %.0f ms\n",
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (FILE* f = std::fopen((store + ".ready").c_str(), "w")) std::fclose(f);
  }
  const Timing sqlite = time_context(cm, {"--store", store}, runs);
  const double median = sqlite.median;
  // What any process costs on this machine right now, for scale: /bin/true, and cm itself
  // doing nothing (--version: loading, relocation, static initialisation).
  auto median_of = [&](const std::string& program, const std::vector<std::string>& args) {
    std::vector<double> v;
    for (std::size_t i = 0; i < std::max<std::size_t>(21, runs / 2); ++i) v.push_back(run_cm(program, args, false));
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  const double true_ms = median_of("/bin/true", {});
  const double version_ms = median_of(cm, {"--version"});
  std::printf("for scale on this machine now: /bin/true median %.2f ms, cm --version median %.2f ms\n", true_ms, version_ms);
  const std::string history = given_store.empty() ? std::to_string(tasks) + " tasks" : given_store;
  std::printf(
      "cm context --json on SQLite, %zu rules, %s, %zu runs: median %.2f ms, p90 %.2f ms, min %.2f ms, max %.2f ms (budget %.0f ms)\n",
      rules, history.c_str(), runs, median, sqlite.p90, sqlite.min, sqlite.max, max_median);
  if (!postgres.empty()) {
    // The team store beside it, in the same run: the same rules and tasks, cm told by
    // $AGENTMETRICS_STORE_URL, as a sidecar's pod would.
#ifdef AM_BENCH_POSTGRES
    std::unique_ptr<testing::PostgresServer> server;
    if (postgres == "start") {
      // On the disk, as store_throughput's (the server's user may not enter the build tree).
      const char* disk = std::getenv("AGENTMETRICS_BENCH_DISK_DIR");
      server = std::make_unique<testing::PostgresServer>(
          testing::PostgresServer::Options{.durable = true, .data_parent = disk && *disk ? disk : "/var/tmp"});
      postgres = server->url();
    }
#endif
    write_postgres(postgres, data);
    ::setenv(store::kStoreUrlEnv, postgres.c_str(), 1);
    // cm keeps its copy of the team's playbook beside the store path it is given
    // (<path>.team-playbook): in DIR, made by the warm-up runs.
    const std::string copy_beside = std::filesystem::absolute(dir + "/team-cm.db").string();
    ::unlink((copy_beside + ".team-playbook").c_str());
    ::setenv("AGENTMETRICS_STORE", copy_beside.c_str(), 1);
    const Timing team = time_context(cm, {}, runs);
    ::unsetenv("AGENTMETRICS_STORE");
    ::unsetenv(store::kStoreUrlEnv);
    std::printf("cm context --json on PostgreSQL, %zu rules, %s, %zu runs: median %.2f ms, p90 %.2f ms, min %.2f ms, max %.2f ms\n", rules,
                history.c_str(), runs, team.median, team.p90, team.min, team.max);
  }
  return median <= max_median ? 0 : 1;
}
