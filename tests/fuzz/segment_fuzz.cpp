// Fuzzes what the collector reads from a producer's segment: the descriptor validator, the
// string table, the ring indices and the records and frames, through the collector's own
// AttachedSegment on a real file, then renders what it took in both exposition formats.
//
// Input (InputReader; short inputs read as zeros):
//   u8 patch count (mod 9), then that many {u8 offset, u8 value} patches of a valid
//      descriptor (1 ring, 4 KiB string table), so the validator sees near-valid headers
//   u8 flags: bit 0: strtab_committed is the next u32 as is (else the string table's length)
//   u16 string table length (mod 4097), then its bytes
//   u32 ring write index, u32 ring read index (mod 2 x the ring's slots: half out of range)
//   the rest: records of 16 bytes, placed in the ring from the read index on
// Oracles: no crash or sanitizer report; every outcome event handed to the store passes
// ipc::check_event; both renderings are well-formed exposition (exposition_check.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <variant>

#include "collector/drain/attached_segment.h"
#include "collector/expose/scrape.h"
#include "collector/expose/prometheus_text.h"
#include "tests/fuzz/exposition_check.h"
#include "tests/fuzz/fuzz_support.h"
#include "collector/common/log.h"
#include "collector/expose/openmetrics_text.h"
#include "ipc/outcome_event.h"
#include "ipc/segment_layout.h"

using namespace agentmetrics;
using namespace agentmetrics::collector;

namespace {

// Stands in for the store: checks each event and acknowledges it at once.
class CheckingSink : public store::OutcomeSink {
 public:
  void submit(store::PendingOutcome outcome) override {
    if (const std::string why = ipc::check_event(outcome.event); !why.empty()) fuzz::fail("unchecked event reached the store", why);
    outcome.acks->committed.store(outcome.ticket, std::memory_order_release);
  }
  std::size_t queued() const override { return 0; }
};

constexpr std::uint32_t kRings = 1;
constexpr std::uint64_t kStrtab = 4096;
// The smallest ring: the fuzzer reaches its wrap-around with short inputs.
constexpr std::uint32_t kRingCapacity = ipc::kMinRingCapacity;
constexpr std::size_t kStorageSlots = kRingCapacity + 1;

void write_at(int fd, const void* data, std::size_t size, std::uint64_t offset) {
  if (size == 0) return;
  if (::pwrite(fd, data, size, static_cast<off_t>(offset)) != static_cast<ssize_t>(size)) fuzz::fail("pwrite");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const int dirfd = ::open(fuzz::scratch_dir().c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  static SelfMetrics self;
  // Refused declarations are logged as warnings: thousands a second here.
  static const bool quiet = (configure_logging(std::getenv("AM_FUZZ_VERBOSE") ? LogLevel::kDebug : LogLevel::kError, false), true);
  (void)quiet;
  static const std::string name = "agentmetrics.fuzz." + std::to_string(::getpid()) + ".1";
  fuzz::InputReader in(data, size);

  const ipc::SegmentGeometry g = ipc::compute_geometry(kRings, kRingCapacity, kStrtab);
  ipc::SegmentHeader header{};
  header.descriptor = ipc::describe_layout(g);
  header.descriptor.producer_pid = ::getpid();
  header.descriptor.producer_uid = ::getuid();
  std::strcpy(header.descriptor.program, "fuzz");
  const unsigned patches = in.take<std::uint8_t>() % 9;
  for (unsigned i = 0; i < patches; ++i) {
    const std::size_t offset = in.take<std::uint8_t>() % sizeof(ipc::SegmentDescriptor);
    const auto value = in.take<std::uint8_t>();
    reinterpret_cast<std::uint8_t*>(&header.descriptor)[offset] = value;
  }
  const auto flags = in.take<std::uint8_t>();
  const std::size_t strtab_len = in.take<std::uint16_t>() % (kStrtab + 1);
  const std::string strtab = in.bytes(strtab_len);
  const std::uint64_t committed = (flags & 1) ? in.take<std::uint32_t>() : strtab.size();
  header.strtab_committed.store(committed, std::memory_order_relaxed);
  const std::size_t write_index = in.take<std::uint32_t>() % (2 * kStorageSlots);
  const std::size_t read_index = in.take<std::uint32_t>() % (2 * kStorageSlots);

  const int fd = ::openat(dirfd, name.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fuzz::fail("cannot create the segment file");
  if (::ftruncate(fd, static_cast<off_t>(g.segment_size)) != 0) fuzz::fail("ftruncate");
  write_at(fd, &header, sizeof(header), 0);
  write_at(fd, strtab.data(), strtab.size(), g.strtab_offset);
  const std::uint64_t ring_base = g.rings_offset;
  write_at(fd, &write_index, sizeof(write_index), ring_base + offsetof(ipc::RingSlot, indices) + offsetof(ipc::RingIndices, write));
  write_at(fd, &read_index, sizeof(read_index), ring_base + offsetof(ipc::RingSlot, indices) + offsetof(ipc::RingIndices, read));
  const std::size_t records = std::min<std::size_t>(in.remaining() / sizeof(ipc::Record), kRingCapacity);
  for (std::size_t i = 0; i < records; ++i) {
    const std::string record = in.bytes(sizeof(ipc::Record));
    const std::size_t slot = (read_index + i) % kStorageSlots;
    write_at(fd, record.data(), record.size(), ring_base + ipc::kRingRecordsOffset + slot * sizeof(ipc::Record));
  }
  ::close(fd);

  AttachPolicy policy;
  policy.allowed_owners.insert(::getuid());
  // Before the segment: the series it holds belong to the registry.
  FamilyRegistry registry(64, 64);
  registry.reserve_prefix("agentmetrics_");
  auto attached = AttachedSegment::attach(dirfd, name, policy);
  if (auto* segment = std::get_if<std::unique_ptr<AttachedSegment>>(&attached)) {
    AttachedSegment& s = **segment;
    CheckingSink sink;
    s.set_outcome_sink(&sink);
    Shard shard;
    s.sync_declarations(shard, registry, self);
    for (int pass = 0; pass < 3 && s.drain(shard, registry, self) > 0; ++pass) {}
    // The doorbell both ways: armed (the fence ran) and awake again, then drained once more.
    futex_waitv waiter{};
    bool raised = false;
    if (s.prepare_sleep(waiter, raised)) s.has_pending(true);
    s.woke();
    s.drain(shard, registry, self);
    s.take_new_drops();
    s.ring_fill();
    s.publish_acknowledged();
    if (s.has_unacknowledged()) fuzz::fail("an acknowledged frame is still pending");
    (void)s.program();
    (void)s.producer_gone();
    const auto own = [&](const FamilySink& to) {
      for (const auto& f : self.registry().Collect()) to(f);
    };
    const std::string text = render_scrape(registry, ScrapeFormat::kText, own);
    fuzz::check_exposition(text, false);
    fuzz::check_exposition(render_scrape(registry, ScrapeFormat::kOpenMetrics, own), true);
    // AM_FUZZ_VERBOSE=1 shows what an input did (for writing seeds).
    if (std::getenv("AM_FUZZ_VERBOSE")) {
      std::fprintf(stderr, "attached; failed=%s %s\n%s\n", s.failed() ? std::string(ipc::to_label(*s.failure())).c_str() : "no",
                   s.failure_detail().c_str(), text.c_str());
    }
  } else if (std::getenv("AM_FUZZ_VERBOSE")) {
    const auto& r = std::get<Rejection>(attached);
    std::fprintf(stderr, "rejected: %s %s\n", std::string(ipc::to_label(r.reason)).c_str(), r.detail.c_str());
  }
  ::unlinkat(dirfd, name.c_str(), 0);
  return 0;
}
