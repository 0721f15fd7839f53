// Exactly once across crashes: a collector killed with SIGKILL again and again while producers
// write outcome events, and restarted each time, must end with every event a ring accepted in
// its store, each once.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "tests/support/collector_process.h"
#include "tests/support/stored_events.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace agentmetrics::testing;

namespace {

int kill_rounds() {
  // AGENTMETRICS_CRASH_ROUNDS raises it for the long run (docs/reliability.md).
  const char* env = std::getenv("AGENTMETRICS_CRASH_ROUNDS");
  return env ? std::atoi(env) : 8;
}

TEST(StoreCrash, ACollectorKilledAtAnyMomentLosesNoAcceptedEventAndStoresNoneTwice) {
  TempDir dir;
  const std::string store = dir.path() + "/events.db";
  const std::string accepted_file = dir.path() + "/accepted.txt";
  const std::string ns = unique_namespace("crash");
  const int rounds = kill_rounds();
  std::mt19937 rng(static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count()));

  auto collector = std::make_unique<CollectorProcess>(ns, std::vector<std::string>{"--store=" + store});
  // About 2 x 250 events per 100 ms for as long as the kills last.
  const long events = 1000L * rounds / 2 + 1000;
  Process producer(
      {kOutcomeProducerBinary, "--threads", "2", "--events", std::to_string(events), "--pause-us", "400", "--accepted", accepted_file},
      {{"AGENTMETRICS_NAMESPACE", ns}});
  for (int round = 0; round < rounds; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 250));
    collector->process().signal(SIGKILL);
    ASSERT_TRUE(collector->process().wait(std::chrono::seconds(10)));
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 100));
    collector = std::make_unique<CollectorProcess>(ns, std::vector<std::string>{"--store=" + store});
  }
  auto status = producer.wait(std::chrono::seconds(120));
  ASSERT_TRUE(status) << "the producer did not finish";
  ASSERT_EQ(exit_code(*status), 0) << producer.output();

  std::vector<std::string> accepted;
  std::ifstream in(accepted_file);
  for (std::string line; std::getline(in, line);) accepted.push_back(line);
  ASSERT_GT(accepted.size(), 0u) << producer.output();

  const auto events_stored = wait_for_stored_events(store, accepted.size(), std::chrono::seconds(60));
  std::map<std::string, int> copies;
  for (const auto& e : events_stored) ++copies[e.fields.value("title", "")];
  const std::set<std::string> accepted_set(accepted.begin(), accepted.end());
  std::size_t missing = 0, twice = 0, unknown = 0;
  for (const auto& title : accepted_set) {
    if (!copies.contains(title)) ++missing;
  }
  for (const auto& [title, n] : copies) {
    if (n > 1) ++twice;
    if (!accepted_set.contains(title)) ++unknown;
  }
  EXPECT_EQ(missing, 0u) << "accepted events that never reached the store";
  EXPECT_EQ(twice, 0u) << "events stored more than once";
  EXPECT_EQ(unknown, 0u) << "stored events the producer saw dropped";
  EXPECT_EQ(events_stored.size(), accepted.size());
  std::printf("kills=%d accepted=%zu stored=%zu (%s)\n", rounds, accepted.size(), events_stored.size(), producer.output().c_str());
}

}  // namespace
