// The collector's side of a segment, against segments made by the real producer code, then
// damaged the ways a buggy or hostile producer could.
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <thread>

#include "collector/drain/attached_segment.h"
#include "collector/drain/fault_guard.h"
#include "ipc/doorbell.h"
#include "ipc/segment_name.h"
#include "ipc/spsc_ring.h"
#include "agent/segment_writer.h"
#include "tests/support/aggregates.h"
#include "tests/support/temp_dir.h"

using namespace agentmetrics;
using namespace agentmetrics::collector;

namespace {

std::string failure_of(const AttachedSegment& s) { return s.failure() ? std::string(ipc::to_label(*s.failure())) : "none"; }

class AttachedSegmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    install_fault_handler();
    agent::SegmentOptions options;
    options.dir = dir_.path();
    options.ns = "unit";
    options.ring_count = 2;
    writer_ = agent::SegmentWriter::create(options);
    name_ = std::filesystem::path(writer_->path()).filename();
    dirfd_ = ::open(dir_.path().c_str(), O_DIRECTORY | O_RDONLY);
    counter_.type = ipc::MetricType::kCounter;
    counter_.name = "unit_events_total";
    counter_.help = "events";
    counter_.label_names = {"kind"};
    histogram_.family_id = 1;
    histogram_.type = ipc::MetricType::kHistogram;
    histogram_.name = "unit_latency_seconds";
    histogram_.help = "latency";
    histogram_.buckets = {1, 2};
  }
  void TearDown() override { ::close(dirfd_); }

  void declare_standard() {
    ASSERT_TRUE(writer_->append_entry(ipc::encode_entry(counter_)));
    ASSERT_TRUE(writer_->append_entry(ipc::encode_entry(histogram_)));
    ASSERT_TRUE(writer_->append_entry(ipc::encode_entry(ipc::SeriesDecl{0, 0, {"a"}})));
    ASSERT_TRUE(writer_->append_entry(ipc::encode_entry(ipc::SeriesDecl{1, 1, {}})));
  }

  std::unique_ptr<AttachedSegment> attach(AttachPolicy policy = {}) {
    if (policy.allowed_owners.empty()) policy.allowed_owners.insert(::getuid());
    auto result = AttachedSegment::attach(dirfd_, name_, policy);
    if (auto* r = std::get_if<Rejection>(&result)) {
      ADD_FAILURE() << "rejected: " << ipc::to_label(r->reason) << " " << r->detail;
      return nullptr;
    }
    return std::move(std::get<std::unique_ptr<AttachedSegment>>(result));
  }

  std::string rejection(AttachPolicy policy = {}) {
    if (policy.allowed_owners.empty()) policy.allowed_owners.insert(::getuid());
    auto result = AttachedSegment::attach(dirfd_, name_, policy);
    if (auto* r = std::get_if<Rejection>(&result)) return std::string(ipc::to_label(r->reason));
    return "accepted";
  }

  // A claimed ring, for the test to push into as the producer does.
  ipc::SpscRing ring_of(ipc::RingSlot* slot) const { return ipc::SpscRing(*slot, writer_->header()->descriptor.ring_capacity); }

  // The segment file mapped a second time, as a hostile producer would write it.
  std::byte* map_raw() {
    const int fd = ::openat(dirfd_, name_.c_str(), O_RDWR);
    void* p = ::mmap(nullptr, 4096 * 600, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ::close(fd);
    return static_cast<std::byte*>(p);
  }

  agentmetrics::testing::TempDir dir_;
  std::unique_ptr<agent::SegmentWriter> writer_;
  std::string name_;
  int dirfd_ = -1;
  ipc::FamilyDecl counter_;
  ipc::FamilyDecl histogram_;
  FamilyRegistry registry_;
  SelfMetrics metrics_;
  Shard shard_;
};

double value_of(const FamilyRegistry& registry, const std::string& name, const std::vector<std::string>& labels = {}) {
  return agentmetrics::testing::series_value(registry, name, labels);
}

}  // namespace

TEST_F(AttachedSegmentTest, DrainsDeclaredSeries) {
  declare_standard();
  ipc::RingSlot* ring = writer_->claim_ring();
  ASSERT_NE(ring, nullptr);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(ring_of(ring).push(ipc::Record{0, 1, 0, 2.0}));
  ASSERT_TRUE(ring_of(ring).push(ipc::Record{1, 4, 0, 1.0}));
  ASSERT_TRUE(ring_of(ring).push(ipc::Record{1, 4, 0, 1.5}));
  ASSERT_TRUE(ring_of(ring).push(ipc::Record{1, 4, 0, 7}));
  auto s = attach();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->drain(shard_, registry_, metrics_), 1003u);
  EXPECT_FALSE(s->failed());
  EXPECT_EQ(value_of(registry_, "unit_events_total", {"a"}), 2000.0);
  const bool found = agentmetrics::testing::visit_series(registry_, "unit_latency_seconds", {}, [](const MergedSeries& a) {
    EXPECT_EQ(std::vector<std::uint64_t>(a.buckets.begin(), a.buckets.end()),
              (std::vector<std::uint64_t>{1, 1, 1}));  // 1.0 is in le="1": bounds are inclusive
    EXPECT_DOUBLE_EQ(a.sum, 9.5);
  });
  EXPECT_TRUE(found);
  EXPECT_EQ(metrics_.events_drained.Value(), 1003);
  EXPECT_EQ(s->drain(shard_, registry_, metrics_), 0u);
}

// The producer reserves the first ring with the segment and another ring's records when a
// thread first claims it: large default rings cost a process the rings its threads use at once.
// Every ring's head is reserved (and written) with the segment, so a collector attached before
// any claim reads every ring.
TEST_F(AttachedSegmentTest, OnlyClaimedRingsTakeMemoryAndTheCollectorReadsEveryRing) {
  declare_standard();
  const ipc::SegmentDescriptor& d = writer_->header()->descriptor;
  ASSERT_EQ(d.ring_capacity, ipc::kDefaultRingCapacity);
  const auto allocated = [&] {
    struct stat st {};
    EXPECT_EQ(::fstatat(dirfd_, name_.c_str(), &st, 0), 0);
    EXPECT_EQ(static_cast<std::uint64_t>(st.st_size), d.segment_size);
    return static_cast<std::uint64_t>(st.st_blocks) * 512;
  };
  const std::uint64_t created = allocated();
  EXPECT_GE(created, d.rings_offset + d.ring_stride) << "the first ring is reserved with the segment";
  EXPECT_LT(created, d.rings_offset + d.ring_stride + ipc::kRingHeadBytes + ipc::kPageSize) << "the second ring's records are not";
  auto s = attach();
  ASSERT_TRUE(s);

  ipc::RingSlot* first = writer_->claim_ring();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(allocated(), created) << "the first claim takes the ring reserved with the segment";
  // A catch-up burst of 30 ms at 30 million events a second, with nobody draining, fits.
  for (int i = 0; i < 900000; ++i) ASSERT_TRUE(ring_of(first).push(ipc::Record{0, 1, 0, 1.0})) << i;
  // What a gone producer left, or what is there at shutdown, is taken to the end: 55 passes.
  agent::SegmentWriter::release_ring(first);
  EXPECT_EQ(s->drain_to_end(shard_, registry_, metrics_), 900000u);

  // Given back and claimed again: the reserved ring is reused while it has half its room.
  EXPECT_EQ(writer_->claim_ring(), first);
  EXPECT_EQ(allocated(), created);
  // A second thread at the same time gets the other ring, reserved now; the collector attached
  // before its claim reads it without looking for it again.
  ipc::RingSlot* second = writer_->claim_ring();
  ASSERT_NE(second, nullptr);
  EXPECT_NE(second, first);
  EXPECT_GE(allocated() - created, d.ring_stride - ipc::kRingHeadBytes);
  ASSERT_TRUE(ring_of(second).push(ipc::Record{0, 1, 0, 5.0}));
  EXPECT_EQ(s->drain(shard_, registry_, metrics_), 1u);
  EXPECT_EQ(value_of(registry_, "unit_events_total", {"a"}), 900005.0);
  EXPECT_FALSE(s->failed()) << s->failure_detail();
  EXPECT_EQ(writer_->claim_ring(), nullptr) << "both rings claimed";
  EXPECT_FALSE(writer_->ring_reservation_failed());
}

// On a file system without room for another ring, a thread gets no ring (its events are then
// counted as dropped) and nothing is written to an unreserved page, which would be SIGBUS. A
// tmpfs of 24 MiB, mounted in a child's own mount namespace, holds the first ring and the
// string table (17 MiB) but not a second ring.
TEST_F(AttachedSegmentTest, NoRoomForAnotherRingMeansNoRingNotAFault) {
  const pid_t child = ::fork();
  if (child == 0) {
    const std::string dir = dir_.path() + "/small";
    if (::mkdir(dir.c_str(), 0700) != 0 || ::unshare(CLONE_NEWNS) != 0 ||
        ::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 || ::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=24m") != 0) {
      _exit(77);  // not permitted here
    }
    agent::SegmentOptions options;
    options.dir = dir;
    options.ns = "small";
    options.ring_count = 2;
    auto w = agent::SegmentWriter::create(options);
    ipc::RingSlot* first = w->claim_ring();
    if (first == nullptr || w->ring_reservation_failed()) _exit(1);
    if (w->claim_ring() != nullptr || !w->ring_reservation_failed()) _exit(2);
    // The first ring, all of it, is writable.
    ipc::SpscRing ring(*first, w->header()->descriptor.ring_capacity);
    std::size_t pushed = 0;
    while (ring.push(ipc::Record{0, 1, 0, 1.0})) ++pushed;
    _exit(pushed == ipc::kDefaultRingCapacity ? 0 : 3);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child died of signal " << WTERMSIG(status);
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "cannot mount a tmpfs in a mount namespace here";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: no first ring, 2: a second ring without room, 3: the first ring not whole";
}

TEST_F(AttachedSegmentTest, CountsInvalidRecordsWithoutApplyingThem) {
  declare_standard();
  ipc::RingSlot* ring = writer_->claim_ring();
  ring_of(ring).push(ipc::Record{0, 1, 0, -1.0});      // negative counter increment
  ring_of(ring).push(ipc::Record{0, 1, 0, NAN});       // NaN increment
  ring_of(ring).push(ipc::Record{0, 2, 0, 5.0});       // gauge op on a counter
  ring_of(ring).push(ipc::Record{77, 1, 0, 1.0});      // undeclared series
  ring_of(ring).push(ipc::Record{0, 99, 0, 1.0});      // unknown op
  ring_of(ring).push(ipc::Record{1, 4, 0, INFINITY});  // infinite observation
  ring_of(ring).push(ipc::Record{0, 1, 0, 3.0});       // one good record
  auto s = attach();
  EXPECT_EQ(s->drain(shard_, registry_, metrics_), 7u);
  EXPECT_FALSE(s->failed());
  EXPECT_EQ(value_of(registry_, "unit_events_total", {"a"}), 3.0);
  EXPECT_EQ(metrics_.record_invalid(ipc::InvalidRecord::kBadValue).Value(), 3);
  EXPECT_EQ(metrics_.record_invalid(ipc::InvalidRecord::kWrongOp).Value(), 2);
  EXPECT_EQ(metrics_.record_invalid(ipc::InvalidRecord::kUnknownSeries).Value(), 1);
}

TEST_F(AttachedSegmentTest, SeesDeclarationsMadeAfterAttaching) {
  auto s = attach();
  ASSERT_TRUE(s);
  declare_standard();
  ipc::RingSlot* ring = writer_->claim_ring();
  ring_of(ring).push(ipc::Record{0, 1, 0, 1.0});
  EXPECT_EQ(s->drain(shard_, registry_, metrics_), 1u);
  EXPECT_EQ(value_of(registry_, "unit_events_total", {"a"}), 1.0);
}

TEST_F(AttachedSegmentTest, RefusesAFamilyThatConflictsAndItsRecords) {
  ipc::FamilyDecl other = counter_;
  other.type = ipc::MetricType::kGauge;
  registry_.register_family(other);
  declare_standard();
  ring_of(writer_->claim_ring()).push(ipc::Record{0, 1, 0, 1.0});
  auto s = attach();
  EXPECT_EQ(s->drain(shard_, registry_, metrics_), 1u);
  EXPECT_FALSE(s->failed());
  EXPECT_EQ(metrics_.record_invalid(ipc::InvalidRecord::kRejectedFamily).Value(), 2);  // the family and the record
}

TEST_F(AttachedSegmentTest, ReservedNamesAreRefused) {
  registry_.reserve_prefix("agentmetrics_");
  ipc::FamilyDecl spoof = counter_;
  spoof.name = "agentmetrics_events_dropped_total";
  spoof.label_names = {};
  ASSERT_TRUE(writer_->append_entry(ipc::encode_entry(spoof)));
  auto s = attach();
  s->drain(shard_, registry_, metrics_);
  ring_of(writer_->claim_ring()).push(ipc::Record{0, 1, 0, 1.0});
  EXPECT_EQ(s->drain(shard_, registry_, metrics_), 1u);
  EXPECT_TRUE(registry_.families().empty());
}

TEST_F(AttachedSegmentTest, GarbageInTheStringTableAbandonsTheSegment) {
  declare_standard();
  auto s = attach();
  std::byte* raw = map_raw();
  auto* header = reinterpret_cast<ipc::SegmentHeader*>(raw);
  const auto at = header->strtab_committed.load();
  std::memset(raw + header->descriptor.strtab_offset + at, 0xAB, 64);
  header->strtab_committed.store(at + 64);
  ring_of(writer_->claim_ring()).push(ipc::Record{9, 1, 0, 1.0});  // forces a refresh
  s->drain(shard_, registry_, metrics_);
  EXPECT_TRUE(s->failed());
  EXPECT_EQ(failure_of(*s), "string_table");
  EXPECT_EQ(s->drain(shard_, registry_, metrics_), 0u) << "a failed segment is never read again";
  ::munmap(raw, 4096 * 600);
}

TEST_F(AttachedSegmentTest, ShrinkingCommittedSizeAbandonsTheSegment) {
  declare_standard();
  auto s = attach();
  ring_of(writer_->claim_ring()).push(ipc::Record{0, 1, 0, 1.0});
  s->drain(shard_, registry_, metrics_);
  std::byte* raw = map_raw();
  reinterpret_cast<ipc::SegmentHeader*>(raw)->strtab_committed.store(8);
  ring_of(writer_->claim_ring()).push(ipc::Record{5, 1, 0, 1.0});
  s->drain(shard_, registry_, metrics_);
  EXPECT_EQ(failure_of(*s), "string_table");
  ::munmap(raw, 4096 * 600);
}

// The ring capacity sizes and masks every ring: a hostile one is refused before any ring is read.
TEST_F(AttachedSegmentTest, HostileRingCapacityIsRefused) {
  declare_standard();
  auto* descriptor = reinterpret_cast<ipc::SegmentDescriptor*>(map_raw());
  const std::uint32_t good = descriptor->ring_capacity;
  for (const std::uint32_t capacity : {0u, 1000u, good + 1, good * 2 + 1, ~0u}) {
    descriptor->ring_capacity = capacity;
    EXPECT_EQ(rejection(), "bad_layout") << capacity;
  }
  descriptor->ring_capacity = good;
  EXPECT_EQ(rejection(), "accepted");
  ::munmap(descriptor, 4096 * 600);
}

TEST_F(AttachedSegmentTest, OutOfRangeRingIndexAbandonsTheSegment) {
  declare_standard();
  ipc::RingSlot* ring = writer_->claim_ring();
  ring_of(ring).push(ipc::Record{0, 1, 0, 1.0});
  auto s = attach();
  ring->indices.write.store(std::size_t{1} << 30);
  EXPECT_EQ(s->drain(shard_, registry_, metrics_), 0u);
  EXPECT_EQ(failure_of(*s), "ring_index");
}

TEST_F(AttachedSegmentTest, ReadIndexMovedByTheProducerAbandonsTheSegment) {
  declare_standard();
  ipc::RingSlot* ring = writer_->claim_ring();
  for (int i = 0; i < 10; ++i) ring_of(ring).push(ipc::Record{0, 1, 0, 1.0});
  auto s = attach();
  ring->indices.read.store(5);
  EXPECT_EQ(s->drain(shard_, registry_, metrics_), 0u);
  EXPECT_EQ(failure_of(*s), "ring_index");
}

TEST_F(AttachedSegmentTest, OversizedFrameAbandonsTheSegment) {
  declare_standard();
  ring_of(writer_->claim_ring()).push(ipc::Record{1, static_cast<std::uint16_t>(ipc::Op::kFrameBegin), 60000, 0});
  auto s = attach();
  s->drain(shard_, registry_, metrics_);
  EXPECT_TRUE(s->failed());
}

TEST_F(AttachedSegmentTest, TruncationUnderTheCollectorIsSurvived) {
  declare_standard();
  ipc::RingSlot* ring = writer_->claim_ring();
  ring_of(ring).push(ipc::Record{0, 1, 0, 1.0});
  auto s = attach();
  ASSERT_TRUE(s);
  // The producer shrinks its file: the collector's next access to the rings faults (SIGBUS).
  ASSERT_EQ(::truncate((dir_.path() + "/" + name_).c_str(), 4096), 0);
  EXPECT_EQ(s->drain(shard_, registry_, metrics_), 0u);
  EXPECT_TRUE(s->failed());
  EXPECT_EQ(failure_of(*s), "fault");
  EXPECT_EQ(s->take_new_drops(), 0u);
}

TEST_F(AttachedSegmentTest, RejectsTruncatedFilesAtAttach) {
  ASSERT_EQ(::truncate((dir_.path() + "/" + name_).c_str(), 8192), 0);
  EXPECT_EQ(rejection(), "truncated");
  ASSERT_EQ(::truncate((dir_.path() + "/" + name_).c_str(), 10), 0);
  EXPECT_EQ(rejection(), "truncated");
}

TEST_F(AttachedSegmentTest, RejectsForeignOwnersAndLinks) {
  EXPECT_EQ(rejection(AttachPolicy{{::getuid() + 1}}), "foreign_owner");
  const std::string link_name = ipc::segment_file_name("unit", 1, 1);
  ASSERT_EQ(::symlinkat(name_.c_str(), dirfd_, link_name.c_str()), 0);
  name_ = link_name;
  EXPECT_EQ(rejection(), "open_failed");
}

TEST_F(AttachedSegmentTest, ReportsDropsOnceAndIgnoresShrinkingCounters) {
  ipc::RingSlot* ring = writer_->claim_ring();
  auto s = attach();
  ring->control.dropped.store(5);
  writer_->count_unringed_drop();
  EXPECT_EQ(s->take_new_drops(), 6u);
  EXPECT_EQ(s->take_new_drops(), 0u);
  ring->control.dropped.store(2);  // a scribbling producer
  EXPECT_EQ(s->take_new_drops(), 0u);
  ring->control.dropped.store(10);
  EXPECT_EQ(s->take_new_drops(), 5u);
}

TEST_F(AttachedSegmentTest, KnowsWhenTheProducerIsGone) {
  auto s = attach();
  EXPECT_FALSE(s->producer_gone()) << "this process holds the writer's lock";
  writer_.reset();  // closes the writer's descriptor: its lock goes with it
  EXPECT_TRUE(s->producer_gone());
}

TEST_F(AttachedSegmentTest, AChildProducerThatExitedIsGone) {
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    agent::SegmentOptions options;
    options.dir = dir_.path();
    options.ns = "child";
    options.ring_count = 1;
    auto w = agent::SegmentWriter::create(options);
    const std::string name = std::filesystem::path(w->path()).filename();
    (void)!::write(pipefd[1], name.data(), name.size());
    _exit(0);
  }
  ::close(pipefd[1]);
  char buf[256] = {0};
  ASSERT_GT(::read(pipefd[0], buf, sizeof(buf) - 1), 0);
  ::close(pipefd[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  name_ = buf;
  auto s = attach();
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->producer_gone());
}

TEST_F(AttachedSegmentTest, RingFillIsTheFullestRingAndCountsIntoTheProducersSeries) {
  declare_standard();
  ipc::RingSlot* quiet = writer_->claim_ring();
  ipc::RingSlot* busy = writer_->claim_ring();
  auto s = attach();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->ring_fill(), 0.0);
  ring_of(quiet).push(ipc::Record{0, 1, 0, 1.0});
  const std::size_t capacity = writer_->header()->descriptor.ring_capacity;
  for (std::size_t i = 0; i < capacity / 4; ++i) ASSERT_TRUE(ring_of(busy).push(ipc::Record{0, 1, 0, 1.0}));
  EXPECT_DOUBLE_EQ(s->ring_fill(), static_cast<double>(capacity / 4) / static_cast<double>(capacity));
  const SelfMetrics::Producer producer = metrics_.add_producer(s->program(), "1", s->name());
  s->set_producer_metrics(producer);
  std::size_t drained = 0;
  while (const std::size_t n = s->drain(shard_, registry_, metrics_)) drained += n;
  EXPECT_EQ(drained, capacity / 4 + 1);
  EXPECT_EQ(producer.drained->Value(), static_cast<double>(drained));
  EXPECT_EQ(s->ring_fill(), 0.0);
  metrics_.remove_producer(producer);
}

TEST_F(AttachedSegmentTest, SeriesBeyondTheFamilyLimitFoldIntoItsOverflowSeries) {
  FamilyRegistry limited(2);
  ASSERT_TRUE(writer_->append_entry(ipc::encode_entry(counter_)));
  for (std::uint32_t i = 0; i < 5; ++i) {
    ASSERT_TRUE(writer_->append_entry(ipc::encode_entry(ipc::SeriesDecl{i, 0, {"v" + std::to_string(i)}})));
  }
  ipc::RingSlot* ring = writer_->claim_ring();
  for (std::uint32_t i = 0; i < 5; ++i) ASSERT_TRUE(ring_of(ring).push(ipc::Record{i, 1, 0, 1.0 + i}));
  auto s = attach();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->drain(shard_, limited, metrics_), 5u);
  EXPECT_EQ(value_of(limited, "unit_events_total", {"v0"}), 1.0);
  EXPECT_EQ(value_of(limited, "unit_events_total", {"v1"}), 2.0);
  EXPECT_EQ(value_of(limited, "unit_events_total", {"v2"}), -1.0) << "beyond the limit: no series of its own";
  EXPECT_EQ(value_of(limited, "unit_events_total", {kOverflowLabelValue}), 3.0 + 4.0 + 5.0);
  EXPECT_EQ(metrics_.series_overflowed("unit_events_total").Value(), 3.0);
  EXPECT_EQ(metrics_.series_bounded(SeriesRefusal::kFamilyLimit).Value(), 3.0);
  EXPECT_EQ(agentmetrics::testing::series_in(limited), 3u);
}

// An idle segment is covered by its doorbell once its flag is up and its rings were found empty
// after the heavy fence: drain passes skip its rings, and its producer's first push rings.
TEST_F(AttachedSegmentTest, AnArmedSegmentIsDrainedWhenItsDoorbellRings) {
  declare_standard();
  auto s = attach();
  ASSERT_TRUE(s);
  s->sync_declarations(shard_, registry_, metrics_);
  futex_waitv waiter{};
  bool raised = false;
  ASSERT_TRUE(s->prepare_sleep(waiter, raised));
  EXPECT_TRUE(raised);
  EXPECT_FALSE(s->has_pending(true));
  EXPECT_TRUE(s->doorbell_covers());
  s->woke();
  EXPECT_EQ(writer_->header()->consumer_sleeping.load(), 1u) << "an armed segment keeps its flag up";

  // A push that does not ring (no producer of the protocol does that) is not looked for...
  ipc::RingSlot* ring = writer_->claim_ring();
  ASSERT_TRUE(ring_of(ring).push(ipc::Record{0, 1, 0, 1.0}));
  EXPECT_EQ(s->drain(shard_, registry_, metrics_), 0u);
  raised = false;
  ASSERT_TRUE(s->prepare_sleep(waiter, raised));
  EXPECT_FALSE(raised) << "still up: no fence is due";
  // ...the next one rings, and both are drained.
  ASSERT_TRUE(ring_of(ring).push(ipc::Record{0, 1, 0, 1.0}));
  ipc::wake_consumer_if_sleeping(*writer_->header());
  EXPECT_EQ(writer_->header()->consumer_sleeping.load(), 0u);
  EXPECT_TRUE(s->has_pending(true));
  EXPECT_FALSE(s->doorbell_covers());
  EXPECT_EQ(s->drain(shard_, registry_, metrics_), 2u);
  EXPECT_EQ(value_of(registry_, "unit_events_total", {"a"}), 2.0);
}

// Without the heavy fence a push made as the flag went up may have missed it: the segment is
// covered only once its rings were found empty kDoorbellSettle after that.
TEST_F(AttachedSegmentTest, WithoutTheFenceASegmentIsCoveredOnlyAfterTheSettleTime) {
  auto s = attach();
  ASSERT_TRUE(s);
  futex_waitv waiter{};
  bool raised = false;
  ASSERT_TRUE(s->prepare_sleep(waiter, raised));
  EXPECT_FALSE(s->has_pending(false));
  EXPECT_FALSE(s->doorbell_covers());
  std::this_thread::sleep_for(kDoorbellSettle);
  raised = false;
  ASSERT_TRUE(s->prepare_sleep(waiter, raised));
  EXPECT_FALSE(raised);
  EXPECT_FALSE(s->has_pending(false));
  EXPECT_TRUE(s->doorbell_covers());
}

// Once its producer is gone, nobody rings a segment again: its rings are read whatever its
// doorbell says, so its last records are taken before it is reclaimed.
TEST_F(AttachedSegmentTest, AGoneProducersRingsAreReadWhateverItsDoorbell) {
  declare_standard();
  auto s = attach();
  ASSERT_TRUE(s);
  futex_waitv waiter{};
  bool raised = false;
  ASSERT_TRUE(s->prepare_sleep(waiter, raised));
  EXPECT_FALSE(s->has_pending(true));
  ASSERT_TRUE(ring_of(writer_->claim_ring()).push(ipc::Record{0, 1, 0, 3.0}));
  EXPECT_EQ(s->drain(shard_, registry_, metrics_), 0u);
  writer_.reset();
  EXPECT_TRUE(s->producer_gone());
  EXPECT_EQ(s->drain(shard_, registry_, metrics_), 1u);
}
