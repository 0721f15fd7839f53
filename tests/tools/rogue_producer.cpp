// A producer that misbehaves on purpose, for tests/reliability. It writes its segment with the
// library's SegmentWriter but bypasses the library's checks where the mode says so.
//
//   --mode truncate   declares am_rogue_events_total, pushes --records increments, waits
//                     --delay-ms, then truncates its own segment file to 0 bytes
//   --mode rewrite    the same, then overwrites its header and string table with zeros
//   --mode stale      pushes --records increments, then rewrites its descriptor as a producer
//                     of an earlier boot (start ticks 1, created in 2001) whose pid is
//                     --fake-pid, renames the file to that pid's name, and exits
//   --mode bad-names  declares families and series that break the naming rules (invalid metric
//                     and label names, reserved prefix, duplicate labels, bad UTF-8, buckets
//                     out of order, wrong label count) beside one valid family whose label
//                     value needs escaping, and pushes records to each, some with bad values
//   --mode explode    declares --series series of am_rogue_explode_total{id} and increments
//                     each once
//   --mode report     uses only the public API (C++ and C): declares, increments 5 times,
//                     records a task, and prints what the library says: connected, error,
//                     drops. Exits 0 whatever happened.
// Every mode but stale and report then stays alive --linger-ms (holding its segment's lock).
// Prints "segment=PATH" once the segment exists.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <agentmetrics/agentmetrics.h>

#include <agentmetrics/agentmetrics.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <thread>

#include "ipc/doorbell.h"
#include "ipc/record.h"
#include "ipc/segment_name.h"
#include "ipc/spsc_ring.h"
#include "agent/segment_writer.h"
#include "ipc/string_table.h"

using namespace agentmetrics;

namespace {

ipc::FamilyDecl family(std::uint32_t id, ipc::MetricType type, std::string name, std::vector<std::string> labels,
                       std::vector<double> buckets = {}, std::string help = "rogue") {
  ipc::FamilyDecl f;
  f.family_id = id;
  f.type = type;
  f.name = std::move(name);
  f.help = std::move(help);
  f.label_names = std::move(labels);
  f.buckets = std::move(buckets);
  return f;
}

void append(agent::SegmentWriter& w, const std::vector<std::byte>& entry) {
  if (!w.append_entry(entry)) {
    std::fprintf(stderr, "rogue_producer: string table full\n");
    std::exit(1);
  }
}

std::uint16_t op(ipc::Op o) { return static_cast<std::uint16_t>(o); }

int report_mode() {
  CounterFamily family_handle("am_rogue_report_total", "Increments of rogue_producer --mode report");
  const Counter counter = family_handle.with({});
  for (int i = 0; i < 5; ++i) counter.inc();
  const bool recorded =
      Event("task").set("agent_type", "rogue").set("task_type", "report").set("success", true).set("duration_seconds", 1.0).record();
  std::printf("connected=%d recorded=%d dropped=%llu c_connected=%d\nerror=%s\nc_error=%s\n", connected() ? 1 : 0, recorded ? 1 : 0,
              static_cast<unsigned long long>(dropped_events()), am_connected(), last_error().c_str(), am_last_error_message());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode;
  long records = 1000;
  long delay_ms = 500;
  long linger_ms = 0;
  long series = 100;
  int fake_pid = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--mode" && i + 1 < argc) {
      mode = argv[++i];
    } else if (a == "--records" && i + 1 < argc) {
      records = std::atol(argv[++i]);
    } else if (a == "--delay-ms" && i + 1 < argc) {
      delay_ms = std::atol(argv[++i]);
    } else if (a == "--linger-ms" && i + 1 < argc) {
      linger_ms = std::atol(argv[++i]);
    } else if (a == "--series" && i + 1 < argc) {
      series = std::atol(argv[++i]);
    } else if (a == "--fake-pid" && i + 1 < argc) {
      fake_pid = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr,
                   "usage: rogue_producer --mode truncate|rewrite|stale|bad-names|explode|report [--records N] [--delay-ms N] "
                   "[--linger-ms N] [--series N] [--fake-pid PID]\n");
      return 2;
    }
  }
  if (mode == "report") return report_mode();

  agent::SegmentOptions options = agent::SegmentOptions::from_environment();
  options.ring_count = 2;
  // stale: made in a private directory beside the segment directory and moved in under its fake
  // name at the end, so that a running collector sees it only under that name.
  const std::string segment_dir = options.dir;
  if (mode == "stale") {
    options.dir = segment_dir + "/.rogue-" + std::to_string(::getpid());
    if (::mkdir(options.dir.c_str(), 0700) != 0) {
      std::perror("rogue_producer: mkdir");
      return 1;
    }
  }
  std::unique_ptr<agent::SegmentWriter> w;
  try {
    w = agent::SegmentWriter::create(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rogue_producer: %s\n", e.what());
    return 1;
  }
  std::printf("segment=%s\n", w->path().c_str());
  std::fflush(stdout);
  ipc::SpscRing ring(*w->claim_ring(), w->header()->descriptor.ring_capacity);
  // Pushes as the library does: the record, then the doorbell if the collector sleeps.
  auto push = [&](std::uint32_t series_id, ipc::Op o, double value) {
    if (!ring.push(ipc::Record{series_id, op(o), 0, value})) {
      std::fprintf(stderr, "rogue_producer: ring full\n");
      std::exit(1);
    }
    ipc::wake_consumer_if_sleeping(*w->header());
  };

  if (mode == "truncate" || mode == "rewrite" || mode == "stale") {
    append(*w, ipc::encode_entry(family(0, ipc::MetricType::kCounter, "am_rogue_events_total", {"mode"})));
    append(*w, ipc::encode_entry(ipc::SeriesDecl{0, 0, {mode}}));
    for (long i = 0; i < records; ++i) push(0, ipc::Op::kCounterAdd, 1);
    if (mode == "stale") {
      ipc::SegmentDescriptor& d = w->header()->descriptor;
      d.producer_pid = fake_pid;
      d.producer_start_ticks = 1;
      d.created_unix_ns = 1'000'000'000ULL * 1'000'000'000ULL;  // 2001-09-09
      const std::string renamed = segment_dir + "/" + ipc::segment_file_name(options.ns, fake_pid, 424242);
      if (std::rename(w->path().c_str(), renamed.c_str()) != 0) {
        std::perror("rogue_producer: rename");
        return 1;
      }
      ::rmdir(options.dir.c_str());
      std::printf("renamed=%s\n", renamed.c_str());
      return 0;
    }
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    const int fd = ::open(w->path().c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
      std::perror("rogue_producer: open own segment");
      return 1;
    }
    if (mode == "truncate") {
      if (::ftruncate(fd, 0) != 0) std::perror("rogue_producer: ftruncate");
    } else {
      // Zeros over the header (past the magic, the counters) and the string table: a producer
      // that starts over in a segment the collector holds.
      const std::vector<char> zeros(options.strtab_bytes + 4096, 0);
      if (::pwrite(fd, zeros.data(), zeros.size(), 0) != static_cast<ssize_t>(zeros.size())) std::perror("rogue_producer: pwrite");
    }
    ::close(fd);
    std::printf("%s done\n", mode.c_str());
  } else if (mode == "bad-names") {
    using T = ipc::MetricType;
    // Families 0-3 and 5-6 break a rule; 4 is valid.
    append(*w, ipc::encode_entry(family(0, T::kCounter, "am rogue bad-name", {})));
    append(*w, ipc::encode_entry(family(1, T::kCounter, "am_rogue_bad_label_total", {"1bad"})));
    append(*w, ipc::encode_entry(family(2, T::kCounter, "agentmetrics_rogue_total", {})));
    append(*w, ipc::encode_entry(family(3, T::kCounter, "am_rogue_dup_total", {"a", "a"})));
    append(*w,
           ipc::encode_entry(family(4, T::kCounter, "am_rogue_ok_total", {"path"}, {}, "Help with \\ backslash, \"quotes\" and\nnewline")));
    append(*w, ipc::encode_entry(family(5, T::kHistogram, "am_rogue_hist_seconds", {}, {2, 1})));
    append(*w, ipc::encode_entry(family(6, T::kCounter, "am_rogue_help_total", {}, {}, "bad \xff help")));
    append(*w, ipc::encode_entry(family(7, T::kCounter, "am_rogue_label_le_total", {"le"})));
    append(*w, ipc::encode_entry(ipc::SeriesDecl{0, 0, {}}));
    append(*w, ipc::encode_entry(ipc::SeriesDecl{1, 1, {"x"}}));
    append(*w, ipc::encode_entry(ipc::SeriesDecl{2, 2, {}}));
    append(*w, ipc::encode_entry(ipc::SeriesDecl{3, 3, {"x", "y"}}));
    append(*w, ipc::encode_entry(ipc::SeriesDecl{4, 4, {"C:\\tmp\\\"quoted\"\nline two \xc3\xa9"}}));
    append(*w, ipc::encode_entry(ipc::SeriesDecl{5, 4, {"bad \xff\xfe utf-8"}}));
    append(*w, ipc::encode_entry(ipc::SeriesDecl{6, 4, {}}));
    append(*w, ipc::encode_entry(ipc::SeriesDecl{7, 5, {}}));
    append(*w, ipc::encode_entry(ipc::SeriesDecl{8, 6, {}}));
    append(*w, ipc::encode_entry(ipc::SeriesDecl{9, 7, {"1"}}));
    for (std::uint32_t s : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) push(s, ipc::Op::kCounterAdd, 1);
    push(7, ipc::Op::kHistogramObserve, 1);
    for (int i = 0; i < 3; ++i) push(4, ipc::Op::kCounterAdd, 1);
    // Bad values and ops on the valid series: counted, not applied.
    push(4, ipc::Op::kCounterAdd, -1);
    push(4, ipc::Op::kCounterAdd, std::numeric_limits<double>::quiet_NaN());
    push(4, ipc::Op::kCounterAdd, std::numeric_limits<double>::infinity());
    push(4, ipc::Op::kGaugeSet, 5);
    ring.push(ipc::Record{4, 99, 0, 1});
    ipc::wake_consumer_if_sleeping(*w->header());
    push(1000, ipc::Op::kCounterAdd, 1);
    std::printf("bad-names done\n");
  } else if (mode == "explode") {
    append(*w, ipc::encode_entry(family(0, ipc::MetricType::kCounter, "am_rogue_explode_total", {"id"})));
    for (long i = 0; i < series; ++i)
      append(*w, ipc::encode_entry(ipc::SeriesDecl{static_cast<std::uint32_t>(i), 0, {"s" + std::to_string(i)}}));
    for (long i = 0; i < series; ++i) push(static_cast<std::uint32_t>(i), ipc::Op::kCounterAdd, 1);
    std::printf("explode done\n");
  } else {
    std::fprintf(stderr, "rogue_producer: unknown mode '%s'\n", mode.c_str());
    return 2;
  }
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::milliseconds(linger_ms));
  return 0;
}
