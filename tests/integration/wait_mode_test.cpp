// The collector's wait loop in both modes, on a real agentmetricsd: io_uring and the forced
// poll fallback. The collector is left idle until its drain threads sleep on the doorbells,
// then producers wake it, twice, and every event must be drained.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/collector_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"

using namespace agentmetrics::testing;

namespace {

struct ModeCase {
  std::string name;                        // what /health and the metric must report
  std::string doorbell_waiter;             // what the drain threads say they wait with
  std::vector<std::string> args;           // how it is chosen: a flag...
  std::map<std::string, std::string> env;  // ...or the environment
};

// Names the case in test listings instead of a byte dump.
void PrintTo(const ModeCase& c, std::ostream* out) { *out << c.name; }

class WaitModes : public ::testing::TestWithParam<ModeCase> {};

bool wait_for_total(CollectorProcess& c, const std::string& key, double want) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (sample(c.samples(), key) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST_P(WaitModes, ProducersWakeASleepingCollectorAndEveryEventIsDrained) {
  const ModeCase& mode = GetParam();
  const std::string ns = unique_namespace("wait-" + mode.name);
  CollectorProcess collector(ns, mode.args, mode.env);
  EXPECT_NE(collector.process().output().find("wait_mode=" + mode.name), std::string::npos) << collector.process().output();
  EXPECT_NE(collector.process().output().find("with=" + mode.doorbell_waiter), std::string::npos) << collector.process().output();
  EXPECT_EQ(sample(collector.samples(), "agentmetrics_wait_mode{mode=\"" + mode.name + "\"}"), 1);
  EXPECT_EQ(nlohmann::json::parse(http_get(collector.url("/health")).body)["wait_mode"], mode.name);

  for (int round = 1; round <= 2; ++round) {
    // Idle long enough for every drain thread to be asleep on its doorbell.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    const std::string label = "round" + std::to_string(round);
    Process producer({kTestProducerBinary, "--threads", "2", "--events", "5000", "--label", label}, {{"AGENTMETRICS_NAMESPACE", ns}});
    auto status = producer.wait(std::chrono::seconds(30));
    ASSERT_TRUE(status);
    ASSERT_EQ(exit_code(*status), 0) << producer.output();
    for (int t = 0; t < 2; ++t) {
      EXPECT_TRUE(wait_for_total(collector, "am_test_events_total{producer=\"" + label + "\",thread=\"" + std::to_string(t) + "\"}", 5000))
          << "round " << round << " thread " << t;
    }
    EXPECT_TRUE(wait_for_total(collector, "am_test_value_count{producer=\"" + label + "\"}", 10000));
  }
  EXPECT_EQ(collector.stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(Modes, WaitModes,
                         ::testing::Values(ModeCase{"io_uring", "io_uring", {"--wait-mode=io_uring"}, {}},
                                           ModeCase{"poll", "futex_waitv", {"--wait-mode=poll"}, {}},
                                           ModeCase{"poll", "futex_waitv", {}, {{"AGENTMETRICS_WAIT_MODE", "poll"}}}),
                         [](const auto& p) { return p.param.args.empty() ? "PollFromEnvironment" : p.param.name; });

}  // namespace
