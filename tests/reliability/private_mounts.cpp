#include "tests/reliability/private_mounts.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace agentmetrics::testing {
namespace {

bool g_entered = false;
std::string g_reason = "enter_private_mount_namespace() was not called";

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.flush();
  return static_cast<bool>(out);
}

std::string options(unsigned long bytes) { return "size=" + std::to_string(bytes) + ",mode=0700"; }

}  // namespace

bool enter_private_mount_namespace(std::string& why) {
  const uid_t uid = ::getuid();
  const gid_t gid = ::getgid();
  if (::unshare(CLONE_NEWNS) != 0) {
    const int plain_errno = errno;
    // Not root: a user namespace where this user is root may mount tmpfs.
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
      why = std::string("unshare(CLONE_NEWNS): ") + std::strerror(plain_errno) +
            "; unshare(CLONE_NEWUSER|CLONE_NEWNS): " + std::strerror(errno);
      g_reason = why;
      return false;
    }
    if (!write_file("/proc/self/setgroups", "deny") || !write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
        !write_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1")) {
      why = "cannot write the user namespace's id maps";
      g_reason = why;
      return false;
    }
  }
  // Mounts made here must not propagate back to the host's namespace.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    why = std::string("making / private: ") + std::strerror(errno);
    g_reason = why;
    return false;
  }
  g_entered = true;
  g_reason.clear();
  return true;
}

bool have_private_mounts() { return g_entered; }
const std::string& private_mounts_unavailable_reason() { return g_reason; }

void mount_tmpfs(const std::string& dir, unsigned long bytes, bool read_only) {
  if (::mount("tmpfs", dir.c_str(), "tmpfs", read_only ? MS_RDONLY : 0, options(bytes).c_str()) != 0) {
    throw std::runtime_error("mount tmpfs on " + dir + ": " + std::strerror(errno));
  }
}

void remount_tmpfs(const std::string& dir, unsigned long bytes, bool read_only) {
  if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_REMOUNT | (read_only ? MS_RDONLY : 0), options(bytes).c_str()) != 0) {
    throw std::runtime_error("remount tmpfs on " + dir + ": " + std::strerror(errno));
  }
}

void unmount(const std::string& dir) { ::umount2(dir.c_str(), MNT_DETACH); }

unsigned long fill_file_system(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
  const std::vector<char> block(4096, 0);
  unsigned long written = 0;
  for (;;) {
    const ssize_t n = ::write(fd, block.data(), block.size());
    if (n <= 0) break;
    written += static_cast<unsigned long>(n);
  }
  ::close(fd);
  return written;
}

}  // namespace agentmetrics::testing
