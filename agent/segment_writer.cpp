#include "agent/segment_writer.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "ipc/doorbell.h"
#include "ipc/segment_name.h"
#include "ipc/spsc_ring.h"

namespace agentmetrics::agent {
namespace {

std::string env_or(const char* name, std::string_view fallback) {
  const char* v = std::getenv(name);
  return (v && *v) ? std::string(v) : std::string(fallback);
}

[[noreturn]] void throw_errno(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

// starttime (field 22 of /proc/self/stat): with the pid it names this process uniquely.
std::uint64_t own_start_ticks() {
  std::ifstream stat("/proc/self/stat");
  std::string line;
  std::getline(stat, line);
  const auto close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i) {
    if (i == 22) return std::strtoull(field.c_str(), nullptr, 10);
  }
  return 0;
}

void copy_program_name(char (&out)[64]) {
  std::ifstream comm("/proc/self/comm");
  std::string name;
  std::getline(comm, name);
  std::strncpy(out, name.c_str(), sizeof(out) - 1);
  out[sizeof(out) - 1] = '\0';
}

}  // namespace

// The whole number in the environment variable `name`, from `low` to `high`; `fallback` when unset.
std::uint64_t env_number(const char* name, std::uint64_t fallback, std::uint64_t low, std::uint64_t high) {
  const std::string text = env_or(name, "");
  if (text.empty()) return fallback;
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < low || n > high) {
    throw std::invalid_argument(std::string(name) + " must be a number from " + std::to_string(low) + " to " + std::to_string(high) +
                                ", got '" + text + "'");
  }
  return n;
}

SegmentOptions SegmentOptions::from_environment() {
  SegmentOptions o;
  o.dir = env_or(ipc::kSegmentDirEnv, ipc::kDefaultSegmentDir);
  o.ns = env_or(ipc::kNamespaceEnv, ipc::kDefaultNamespace);
  o.ring_count = static_cast<std::uint32_t>(env_number("AGENTMETRICS_RINGS", o.ring_count, 1, ipc::kMaxRingCount));
  o.ring_events = env_number("AGENTMETRICS_RING_EVENTS", o.ring_events, 1, ipc::kMaxRingCapacity);
  o.strtab_bytes = env_number("AGENTMETRICS_STRING_TABLE_BYTES", o.strtab_bytes, ipc::kPageSize, ipc::kMaxStringTableBytes);
  return o;
}

std::unique_ptr<SegmentWriter> SegmentWriter::create(const SegmentOptions& options) {
  if (!ipc::is_valid_namespace(options.ns)) {
    throw std::invalid_argument("namespace '" + options.ns + "' is not 1 to 64 characters of [A-Za-z0-9_-]");
  }
  const ipc::SegmentGeometry g = ipc::compute_geometry(options.ring_count, options.ring_capacity(), options.strtab_bytes);
  const int dirfd = ::open(options.dir.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (dirfd < 0) throw_errno("cannot open segment directory " + options.dir);

  const std::int32_t pid = ::getpid();
  const std::uint64_t nonce = std::random_device{}();
  const std::string init_name = ipc::init_file_name(options.ns, pid, nonce);
  const std::string final_name = ipc::segment_file_name(options.ns, pid, nonce);

  std::unique_ptr<SegmentWriter> w(new SegmentWriter());
  w->fd_ = ::openat(dirfd, init_name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (w->fd_ < 0) {
    const int e = errno;
    ::close(dirfd);
    errno = e;
    throw_errno("cannot create segment " + options.dir + "/" + init_name);
  }
  auto fail = [&](const std::string& what) {
    const int e = errno;
    ::unlinkat(dirfd, init_name.c_str(), 0);
    ::close(dirfd);
    errno = e;
    throw_errno(what);
  };
  // An OFD write lock lives as long as this open file description: the collector takes a
  // released lock to mean the producer is gone, whatever happened to its pid. Taken first, so
  // that a set-up file without it is known abandoned (the collector removes those).
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  if (::fcntl(w->fd_, F_OFD_SETLK, &lock) != 0) fail("cannot lock segment");
  // Every page this process will write is reserved before it writes there: on a full tmpfs that
  // fails with ENOSPC, whereas writing to a hole would fault with SIGBUS on the hot path. Now:
  // the header, the string table, the first ring whole and every other ring's head; another
  // ring's records when a thread claims it (claim_ring), so rings no thread uses cost nothing.
  // The first ring is reserved here, where a declaration waits for it, not a thread's first
  // event: 16 MiB of tmpfs take 30-40 ms to reserve on a busy machine.
  if (::ftruncate(w->fd_, static_cast<off_t>(g.segment_size)) != 0) fail("cannot size segment");
  const auto reserve_now = [&](std::uint64_t offset, std::uint64_t bytes) {
    const int fa = ::posix_fallocate(w->fd_, static_cast<off_t>(offset), static_cast<off_t>(bytes));
    if (fa != 0) {
      errno = fa;
      fail("cannot reserve " + std::to_string(bytes) + " bytes for segment in " + options.dir);
    }
  };
  reserve_now(0, g.rings_offset);
  reserve_now(g.rings_offset, g.ring_stride);
  for (std::uint32_t i = 1; i < g.ring_count; ++i) reserve_now(g.rings_offset + i * g.ring_stride, ipc::kRingHeadBytes);
  void* base = ::mmap(nullptr, g.segment_size, PROT_READ | PROT_WRITE, MAP_SHARED, w->fd_, 0);
  if (base == MAP_FAILED) fail("cannot map segment");
  w->base_ = static_cast<std::byte*>(base);
  w->size_ = g.segment_size;
  w->ring_reserved_.assign(g.ring_count, false);
  w->ring_reserved_[0] = true;

  auto* header = new (w->base_) ipc::SegmentHeader{};
  ipc::SegmentDescriptor& d = header->descriptor;
  d = ipc::describe_layout(g);
  d.producer_pid = pid;
  d.producer_uid = ::getuid();
  d.producer_start_ticks = own_start_ticks();
  d.created_unix_ns = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  copy_program_name(d.program);
  if (ipc::register_for_heavy_fence()) d.flags |= ipc::kSegmentFlagMembarrier;
  for (std::uint32_t i = 0; i < g.ring_count; ++i) {
    new (w->base_ + g.rings_offset + i * g.ring_stride) ipc::RingSlot{};
  }
  // The rename publishes the fully initialised segment under the name the collector watches.
  if (::renameat2(dirfd, init_name.c_str(), dirfd, final_name.c_str(), RENAME_NOREPLACE) != 0) fail("cannot publish segment");
  ::close(dirfd);
  w->path_ = options.dir + "/" + final_name;
  return w;
}

SegmentWriter::~SegmentWriter() {
  if (base_) ::munmap(base_, size_);
  if (fd_ >= 0) ::close(fd_);
}

ipc::RingSlot* SegmentWriter::ring(std::uint32_t i) const {
  const auto& d = header()->descriptor;
  return reinterpret_cast<ipc::RingSlot*>(base_ + d.rings_offset + i * d.ring_stride);
}

bool SegmentWriter::append_entry(std::span<const std::byte> entry) {
  auto& committed = header()->strtab_committed;
  // Only this producer writes the value (under the caller's lock), so a relaxed load is exact.
  const std::uint64_t at = committed.load(std::memory_order_relaxed);
  const auto& d = header()->descriptor;
  if (at + entry.size() > d.strtab_capacity) return false;
  std::memcpy(base_ + d.strtab_offset + at, entry.data(), entry.size());
  // Release: the entry's bytes become visible no later than the new end that covers them.
  committed.store(at + entry.size(), std::memory_order_release);
  return true;
}

bool SegmentWriter::reserve_ring(std::uint32_t i) {
  if (ring_reserved_[i]) return true;
  const auto& d = header()->descriptor;
  const std::uint64_t at = d.rings_offset + i * d.ring_stride + ipc::kRingHeadBytes;
  ring_reserved_[i] = ::posix_fallocate(fd_, static_cast<off_t>(at), static_cast<off_t>(d.ring_stride - ipc::kRingHeadBytes)) == 0;
  return ring_reserved_[i];
}

ipc::RingSlot* SegmentWriter::claim_ring() {
  const auto& d = header()->descriptor;
  reserve_failed_ = false;
  for (;;) {
    // A released ring may still hold its last owner's undrained events; the emptiest free ring
    // gives the new thread the most room, so short-lived threads do not pile into one ring. A
    // ring already reserved is taken while it has half its room, so that memory is reserved
    // for a new ring only when threads use the ones there are at once.
    ipc::RingSlot* best = nullptr;
    std::size_t best_room = 0;
    std::optional<std::uint32_t> unreserved;
    for (std::uint32_t i = 0; i < d.ring_count; ++i) {
      ipc::RingSlot* slot = ring(i);
      if (slot->control.owner.load(std::memory_order_relaxed) != static_cast<std::uint32_t>(ipc::RingOwner::kFree)) continue;
      if (!ring_reserved_[i]) {
        if (!unreserved) unreserved = i;
        continue;
      }
      const std::size_t room = ipc::SpscRing(*slot, d.ring_capacity).write_available();
      if (!best || room > best_room) {
        best = slot;
        best_room = room;
      }
    }
    if (unreserved && (!best || best_room < d.ring_capacity / 2)) {
      if (reserve_ring(*unreserved)) {
        best = ring(*unreserved);
      } else {
        // No room on the file system: a ring already reserved, or none (the thread's events are
        // then counted as dropped, never written to an unreserved page).
        reserve_failed_ = true;
      }
    }
    if (!best) return nullptr;
    auto expected = static_cast<std::uint32_t>(ipc::RingOwner::kFree);
    // Acquire pairs with release_ring's release: the previous owner's pushes happen before ours.
    if (best->control.owner.compare_exchange_strong(expected, static_cast<std::uint32_t>(ipc::RingOwner::kClaimed),
                                                    std::memory_order_acquire, std::memory_order_relaxed)) {
      return best;
    }
  }
}

void SegmentWriter::release_ring(ipc::RingSlot* slot) {
  slot->control.owner.store(static_cast<std::uint32_t>(ipc::RingOwner::kFree), std::memory_order_release);
}

void SegmentWriter::count_unringed_drop() { header()->unringed_drops.fetch_add(1, std::memory_order_relaxed); }

void SegmentWriter::count_refused_series() { header()->series_refused.fetch_add(1, std::memory_order_relaxed); }

std::uint64_t SegmentWriter::string_table_capacity() const { return header()->descriptor.strtab_capacity; }

std::uint64_t SegmentWriter::dropped_in_segment() const {
  std::uint64_t total = header()->unringed_drops.load(std::memory_order_relaxed);
  for (std::uint32_t i = 0; i < header()->descriptor.ring_count; ++i) {
    total += ring(i)->control.dropped.load(std::memory_order_relaxed);
  }
  return total;
}

void SegmentWriter::abandon_after_fork() {
  // The mapping and descriptor are copies of the parent's; closing ours leaves the parent's
  // lock in place (it belongs to the parent's open file description, which we stop sharing).
  ::munmap(base_, size_);
  ::close(fd_);
  base_ = nullptr;
  fd_ = -1;
}

}  // namespace agentmetrics::agent
