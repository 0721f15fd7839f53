// A hostile producer for tests/reliability and bench/idle_cpu: publishes --segments valid
// segments of --rings rings each in $AGENTMETRICS_SHM_DIR under $AGENTMETRICS_NAMESPACE, as one
// live process holds them (the lock a producer keeps on its segment), and never writes to them.
// Each is sparse: its header is written and the rest is a hole, so a segment of 256 rings of
// 65535 records (257 MiB) takes 4 KiB of tmpfs, which is how a process can publish far more
// segments than the client library, which reserves every ring's first page, ever would.
//
// Prints "published N" once all are in place, then holds them until it is terminated; its
// segments are then those of a producer that is gone.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "ipc/doorbell.h"
#include "ipc/segment_layout.h"
#include "ipc/segment_name.h"

using namespace agentmetrics;

namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// Creates one segment under a set-up name, locks it, writes its header, makes it its full size
// (a hole) and publishes it. Returns the locked descriptor, or -1 (errno says why).
int publish(int dirfd, const std::string& ns, std::uint32_t rings, std::uint64_t nonce) {
  const ipc::SegmentGeometry g = ipc::compute_geometry(rings, ipc::kLegacyRingCapacity, ipc::kPageSize);
  const std::int32_t pid = ::getpid();
  const std::string init_name = ipc::init_file_name(ns, pid, nonce);
  const int fd = ::openat(dirfd, init_name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  ipc::SegmentHeader header{};
  header.descriptor = ipc::describe_layout(g);
  header.descriptor.producer_pid = pid;
  header.descriptor.producer_uid = ::getuid();
  header.descriptor.producer_start_ticks = 1;
  header.descriptor.created_unix_ns = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  std::strncpy(header.descriptor.program, "segment_flood", sizeof(header.descriptor.program) - 1);
  if (ipc::register_for_heavy_fence()) header.descriptor.flags |= ipc::kSegmentFlagMembarrier;
  const bool ok = ::fcntl(fd, F_OFD_SETLK, &lock) == 0 && ::pwrite(fd, &header, sizeof(header), 0) == sizeof(header) &&
                  ::ftruncate(fd, static_cast<off_t>(g.segment_size)) == 0 &&
                  ::renameat(dirfd, init_name.c_str(), dirfd, ipc::segment_file_name(ns, pid, nonce).c_str()) == 0;
  if (!ok) {
    const int e = errno;
    ::unlinkat(dirfd, init_name.c_str(), 0);
    ::close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  long segments = 100;
  long rings = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--segments" && i + 1 < argc) {
      segments = std::atol(argv[++i]);
    } else if (a == "--rings" && i + 1 < argc) {
      rings = std::atol(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: segment_flood [--segments N] [--rings 1..%u]\n", ipc::kMaxRingCount);
      return 2;
    }
  }
  if (segments < 1 || rings < 1 || rings > static_cast<long>(ipc::kMaxRingCount)) {
    std::fprintf(stderr, "segment_flood: --segments must be at least 1 and --rings from 1 to %u\n", ipc::kMaxRingCount);
    return 2;
  }
  // One descriptor per segment holds its lock.
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &files);
  const std::string ns = env_or(ipc::kNamespaceEnv, "default");
  const std::string dir = env_or(ipc::kSegmentDirEnv, "/dev/shm");
  const int dirfd = ::open(dir.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (dirfd < 0) {
    std::perror(("segment_flood: " + dir).c_str());
    return 1;
  }
  std::vector<int> held;
  for (long i = 0; i < segments; ++i) {
    const int fd = publish(dirfd, ns, static_cast<std::uint32_t>(rings), static_cast<std::uint64_t>(i));
    if (fd < 0) {
      std::fprintf(stderr, "segment_flood: segment %ld: %s\n", i, std::strerror(errno));
      return 1;
    }
    held.push_back(fd);
  }
  std::printf("published %zu\n", held.size());
  std::fflush(stdout);
  for (;;) ::pause();
}
