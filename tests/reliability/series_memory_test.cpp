// Series do not outlive their producers for ever: rounds of one 16 MiB segment full of series
// declarations (published, read, its producer exited, the segment removed) leave the real
// daemon's memory flat, where without bounds and expiry eight such rounds took it from 4 to
// 170 MiB and /metrics to 128 MiB. Memory is the daemon's anonymous resident memory, from /proc:
// what it allocates, not the segments it maps nor its libraries' pages (22 MiB of gRPC, protobuf
// and OpenSSL code that other processes share).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "tests/reliability/wait_until.h"
#include "tests/support/collector_process.h"
#include "tests/support/test_paths.h"

using namespace agentmetrics::testing;

namespace {

// RssAnon: the daemon's own memory, not the producers' segments it maps nor its code.
double private_mib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("RssAnon:")) return std::stod(line.substr(8)) / 1024;
  }
  ADD_FAILURE() << "no RssAnon in /proc/" << pid << "/status";
  return -1;
}

double value_of(const Samples& samples, const std::string& key) {
  const auto v = sample(samples, key);
  return v ? *v : -1;
}

// A sanitizer build keeps freed memory in quarantine and is ten times slower: there the rounds are
// smaller, under a smaller bound, and only what does not depend on the allocator is checked.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

}  // namespace

TEST(SeriesMemory, PublishExitRemoveRoundsKeepTheCollectorFlat) {
  const std::string ns = unique_namespace("series-memory");
  // A short staleness, so that each round's series expire before the next round comes.
  TempDir dir;
  const std::string config = dir.path() + "/config.yml";
  // The bound per family above the bound on all series, so that the latter is what holds.
  std::ofstream(config) << "collector:\n  seriesStaleness: 1s\n  seriesLimitPerFamily: 1000000\n"
                        << (kSanitized ? "  seriesLimit: 10000\n" : "");
  CollectorProcess daemon(ns, {"--config=" + config});
  constexpr int kRounds = kSanitized ? 3 : 8;
  const std::string series_per_round = kSanitized ? "40000" : "400000";
  // 16 MiB of segment, nearly all string table: more series declarations than the default bound
  // on all series (100000) lets in.
  const std::map<std::string, std::string> env = {
      {"AGENTMETRICS_NAMESPACE", ns}, {"AGENTMETRICS_RINGS", "1"}, {"AGENTMETRICS_STRING_TABLE_BYTES", std::to_string(15 << 20)}};
  // The collector's own families settle first (its KPI computation takes the store's lease and
  // exports the KPIs, seconds after the start under a sanitizer): the rounds start from a body
  // that kept its size for three scrapes a second apart.
  std::size_t settled = 0;
  int same = 0;
  for (const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       same < 3 && std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(std::chrono::seconds(1))) {
    const std::size_t size = daemon.scrape().size();
    same = size == settled ? same + 1 : 0;
    settled = size;
  }
  std::vector<double> memory;
  std::vector<std::size_t> bodies;
  for (int round = 1; round <= kRounds; ++round) {
    Process producer({kTestProducerBinary, "--events", "1", "--label", "r" + std::to_string(round), "--series", series_per_round}, env);
    const auto status = producer.wait(std::chrono::seconds(60));
    ASSERT_TRUE(status && exit_code(*status) == 0) << producer.output();
    // Read to the end and removed, then the round's series expired.
    const Samples after = scrape_until(
        daemon,
        [&](const Samples& s) {
          return value_of(s, "agentmetrics_segments_reclaimed_total") == round && value_of(s, "agentmetrics_series") == 0;
        },
        std::chrono::seconds(60));
    ASSERT_EQ(value_of(after, "agentmetrics_segments_reclaimed_total"), round);
    ASSERT_EQ(value_of(after, "agentmetrics_series"), 0) << "round " << round << "'s series did not expire";
    EXPECT_GT(value_of(after, "agentmetrics_series_bounded_total{bound=\"series_limit\"}"), 0)
        << "the bound on all series refused some of the round's declarations";
    bodies.push_back(daemon.scrape().size());
    memory.push_back(private_mib(daemon.process().pid()));
  }
  std::string figures;
  for (int r = 0; r < kRounds; ++r) figures += " " + std::to_string(memory[r]).substr(0, 5) + " MiB/" + std::to_string(bodies[r]) + " B";
  RecordProperty("memory_per_round", figures);
  std::printf("daemon memory and /metrics body after each round:%s\n", figures.c_str());
  EXPECT_LE(bodies.back(), bodies.front() + 1024) << figures;
  if (kSanitized) return;
  // After the first rounds have set up the allocator's pools, later rounds reuse them. Measured
  // against the larger of the first two: mimalloc returns idle pages to the system at times of its
  // own, so one round can read low (28.6, 9.1, 9.4, then 30.0 MiB in one run), and a later round
  // that reads as high as the first is not growth.
  EXPECT_LT(memory.back(), std::max(memory[0], memory[1]) + 16) << "memory grew over the rounds:" << figures;
  EXPECT_LT(memory.back(), 64) << figures;
}
