// Producers killed with SIGKILL at random points while their threads write, hundreds of times
// in the long run (AGENTMETRICS_PRODUCER_KILLS; tests/long.sh), while another producer writes
// steadily. The collector must never see a half-written record or frame, must keep draining
// the steady producer exactly, must take in what each dead producer had committed (no more, no
// less: within the one call each thread may have been inside) and must reclaim every dead
// producer's segment, leaving no file behind in the segment directory.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "tests/support/collector_process.h"
#include "tests/reliability/crash_progress.h"
#include "tests/reliability/reliability_paths.h"
#include "tests/reliability/segment_files.h"
#include "tests/support/stored_events.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace agentmetrics::testing;

namespace {

constexpr int kVictimThreads = 3;
constexpr int kSteadyThreads = 2;
constexpr int kConcurrentVictims = 3;

int kills() {
  const char* env = std::getenv("AGENTMETRICS_PRODUCER_KILLS");
  return env ? std::atoi(env) : 50;
}

struct Victim {
  std::unique_ptr<Process> process;
  std::string progress;
  const volatile std::uint64_t* first_thread_begun = nullptr;  // in the mapped progress file
  bool wait_for_writing = false;                               // killed only once it writes, else at kill_at
  std::chrono::steady_clock::time_point kill_at;
  std::chrono::steady_clock::time_point give_up_at;
};

// The progress file mapped read-only, so the test sees a victim's first write at once.
const volatile std::uint64_t* map_progress(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  void* p = ::mmap(nullptr, 4096, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  return p == MAP_FAILED ? nullptr : static_cast<const volatile std::uint64_t*>(p);
}

TEST(ProducerKill, KilledProducersLoseNothingTheyCommittedAndLeaveNoSegment) {
  TempDir dir;
  const std::string ns = unique_namespace("kill");
  const std::string store = dir.path() + "/events.db";
  CollectorProcess collector(ns, {"--store=" + store, "--shards=2"});
  const std::map<std::string, std::string> env{{"AGENTMETRICS_NAMESPACE", ns}};

  const std::string steady_progress = dir.path() + "/steady";
  make_progress_file(steady_progress);
  Process steady({kCrashProducerBinary, "--label", "steady", "--threads", std::to_string(kSteadyThreads), "--pause-us", "200",
                  "--event-every", "25", "--progress", steady_progress},
                 env);

  std::mt19937 rng(static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count()));
  const int total = kills();
  std::vector<std::string> victim_progress;
  std::vector<Victim> running;
  int started = 0;
  const auto began = std::chrono::steady_clock::now();
  double steady_mid_run = -1;
  while (started < total || !running.empty()) {
    while (started < total && static_cast<int>(running.size()) < kConcurrentVictims) {
      Victim v;
      v.progress = dir.path() + "/victim-" + std::to_string(started);
      make_progress_file(v.progress);
      // Half the kills come anywhere in the first 300 ms: mostly while the segment is made (17 MiB
      // reserved and 16 rings built: 50 ms on an idle machine, much longer on a busy one); the
      // other half up to 100 ms after the victim's first increment, while its threads write.
      v.wait_for_writing = started % 2 == 1;
      v.kill_at = std::chrono::steady_clock::now() + std::chrono::microseconds(rng() % 300000);
      v.give_up_at = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      v.first_thread_begun = map_progress(v.progress);
      ASSERT_NE(v.first_thread_begun, nullptr);
      v.process = std::make_unique<Process>(
          std::vector<std::string>{kCrashProducerBinary, "--label", "victim", "--threads", std::to_string(kVictimThreads), "--pause-us",
                                   std::to_string(5 + rng() % 46), "--event-every", "10", "--progress", v.progress},
          env);
      victim_progress.push_back(v.progress);
      running.push_back(std::move(v));
      ++started;
    }
    for (std::size_t i = 0; i < running.size();) {
      Victim& v = running[i];
      const auto now = std::chrono::steady_clock::now();
      if (v.wait_for_writing && (v.first_thread_begun[0] > 0 || now >= v.give_up_at)) {
        v.wait_for_writing = false;
        v.kill_at = now + std::chrono::microseconds(rng() % 100000);
      }
      if (!v.wait_for_writing && now >= v.kill_at) {
        ::munmap(const_cast<std::uint64_t*>(v.first_thread_begun), 4096);
        v.process->signal(SIGKILL);
        ASSERT_TRUE(v.process->wait(std::chrono::seconds(10)));
        running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
    // At least half started (more than one may start in a round, so `==` could be stepped over).
    if (started >= total / 2 && steady_mid_run < 0) {
      steady_mid_run = collector.samples()["am_crash_events_total{producer=\"steady\",thread=\"0\"}"];
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const double kill_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  steady.signal(SIGTERM);
  auto status = steady.wait(std::chrono::seconds(30));
  ASSERT_TRUE(status);
  ASSERT_EQ(exit_code(*status), 0) << steady.output();

  // Every segment reclaimed: none attached, no file left (published or half-made).
  Samples s;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    s = collector.samples();
    if (sample(s, "agentmetrics_segments_attached") == 0 && segment_files(ns).empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto left = segment_files(ns);
  EXPECT_TRUE(left.empty()) << left.size() << " segment files left behind, e.g. " << (left.empty() ? "" : left.front());
  EXPECT_EQ(sample(s, "agentmetrics_segments_attached"), 0);
  EXPECT_EQ(sample(s, "agentmetrics_segments_reclaimed_total").value_or(0),
            sample(s, "agentmetrics_segment_attachments_total").value_or(-1));

  // Nothing half-written, nothing refused.
  for (const auto& [key, value] : s) {
    EXPECT_EQ(key.find("agentmetrics_records_invalid_total"), std::string::npos) << key << " " << value;
    EXPECT_EQ(key.find("agentmetrics_segments_rejected_total"), std::string::npos) << key << " " << value;
  }
  EXPECT_EQ(sample(s, "agentmetrics_events_dropped_total"), 0);

  // The steady producer, exactly; and it was drained while the kills went on.
  const auto steady_threads = read_progress_file(steady_progress, kSteadyThreads);
  std::uint64_t steady_events = 0;
  for (int t = 0; t < kSteadyThreads; ++t) {
    const auto& p = steady_threads[static_cast<std::size_t>(t)];
    EXPECT_EQ(p.increments_begun, p.increments_done);
    EXPECT_EQ(sample(s, "am_crash_events_total{producer=\"steady\",thread=\"" + std::to_string(t) + "\"}"),
              static_cast<double>(p.increments_done))
        << "steady thread " << t;
    steady_events += p.events_accepted;
  }
  EXPECT_GT(steady_mid_run, 0) << "the steady producer was not drained while the kills went on";

  // The victims: per thread, what the collector counted lies within [done, begun].
  std::vector<std::uint64_t> done(kVictimThreads), begun(kVictimThreads);
  std::uint64_t events_accepted = 0, events_begun = 0;
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> events_by_thread;  // "pid-thread" -> [accepted, begun]
  for (const auto& path : victim_progress) {
    const auto threads = read_progress_file(path, kVictimThreads);
    for (int t = 0; t < kVictimThreads; ++t) {
      const auto& p = threads[static_cast<std::size_t>(t)];
      done[static_cast<std::size_t>(t)] += p.increments_done;
      begun[static_cast<std::size_t>(t)] += p.increments_begun;
      events_accepted += p.events_accepted;
      events_begun += p.events_begun;
      EXPECT_EQ(p.events_refused, 0u);
    }
  }
  double victim_increments = 0;
  for (int t = 0; t < kVictimThreads; ++t) {
    const double got = sample(s, "am_crash_events_total{producer=\"victim\",thread=\"" + std::to_string(t) + "\"}").value_or(0);
    victim_increments += got;
    EXPECT_GE(got, static_cast<double>(done[static_cast<std::size_t>(t)])) << "victim thread " << t << ": committed increments lost";
    EXPECT_LE(got, static_cast<double>(begun[static_cast<std::size_t>(t)])) << "victim thread " << t << ": increments counted twice";
  }

  // Outcome events in the store: each once; the victims' within [accepted, begun].
  const auto stored = stored_events(store);
  std::set<std::string> titles;
  std::size_t duplicates = 0, steady_stored = 0, victim_stored = 0;
  for (const auto& e : stored) {
    const std::string title = e.fields.value("title", "");
    if (!titles.insert(title).second) ++duplicates;
    if (title.starts_with("steady-")) ++steady_stored;
    if (title.starts_with("victim-")) ++victim_stored;
  }
  EXPECT_EQ(duplicates, 0u);
  EXPECT_EQ(steady_stored, steady_events);
  EXPECT_GE(victim_stored, events_accepted) << "accepted events of killed producers lost";
  EXPECT_LE(victim_stored, events_begun);
  EXPECT_EQ(collector.process().wait(std::chrono::milliseconds(0)), std::nullopt) << "the collector died";
  std::printf(
      "kills=%d in %.1fs segments_attached=%.0f reclaimed=%.0f victim_increments=%.0f (done %llu..begun %llu) victim_events=%zu "
      "(accepted %llu..begun %llu) steady_increments=%llu steady_events=%llu\n",
      total, kill_seconds, sample(s, "agentmetrics_segment_attachments_total").value_or(0),
      sample(s, "agentmetrics_segments_reclaimed_total").value_or(0), victim_increments,
      static_cast<unsigned long long>(done[0] + done[1] + done[2]), static_cast<unsigned long long>(begun[0] + begun[1] + begun[2]),
      victim_stored, static_cast<unsigned long long>(events_accepted), static_cast<unsigned long long>(events_begun),
      static_cast<unsigned long long>(steady_threads[0].increments_done + steady_threads[1].increments_done),
      static_cast<unsigned long long>(steady_events));
  remove_segment_files(ns);
}

}  // namespace
