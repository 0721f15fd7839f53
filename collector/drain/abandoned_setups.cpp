#include "collector/drain/abandoned_setups.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <string_view>
#include <vector>

#include "collector/common/log.h"
#include "ipc/segment_name.h"

namespace agentmetrics::collector {
namespace {

std::vector<std::string> setup_files(int dirfd, const std::string& ns) {
  std::vector<std::string> names;
  const int fd = ::dup(dirfd);
  if (fd < 0) return names;
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return names;
  }
  ::rewinddir(dir);  // the duplicate shares the directory's offset, left at the end by the last reader
  while (const dirent* entry = ::readdir(dir)) {
    if (ipc::parse_init_file_name(entry->d_name, ns)) names.emplace_back(entry->d_name);
  }
  ::closedir(dir);
  return names;
}

bool abandoned(int fd, const std::set<uid_t>& allowed_owners, std::chrono::seconds min_age) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !allowed_owners.contains(st.st_uid)) return false;
  if (std::time(nullptr) - st.st_mtime < min_age.count()) return false;
  struct flock probe {};
  probe.l_type = F_RDLCK;  // conflicts with the producer's write lock
  probe.l_whence = SEEK_SET;
  return ::fcntl(fd, F_OFD_GETLK, &probe) == 0 && probe.l_type == F_UNLCK;
}

}  // namespace

std::size_t remove_abandoned_setups(int dirfd, const std::string& ns, const std::set<uid_t>& allowed_owners, std::chrono::seconds min_age) {
  std::size_t removed = 0;
  for (const auto& name : setup_files(dirfd, ns)) {
    // O_NOFOLLOW and the checks on the open file: a link or someone else's file is left alone.
    const int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) continue;
    const bool remove = abandoned(fd, allowed_owners, min_age);
    ::close(fd);
    if (remove && ::unlinkat(dirfd, name.c_str(), 0) == 0) {
      ++removed;
      log(LogLevel::kInfo, "removed the set-up file of a producer that died before publishing it", {{"file", name}});
    }
  }
  return removed;
}

}  // namespace agentmetrics::collector
