#include "collector/store/store_location.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "collector/common/log.h"
#include "collector/store/sqlite_event_store.h"

namespace agentmetrics::store {

std::string store_path_for(const std::string& configured) {
  if (!configured.empty()) return configured;
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state == '/') return std::string(state) + "/agentmetrics/events.db";
  std::string home;
  if (const char* env = std::getenv("HOME"); env && *env == '/') {
    home = env;
  } else if (const passwd* user = ::getpwuid(::getuid()); user && user->pw_dir && *user->pw_dir == '/') {
    home = user->pw_dir;
  } else {
    throw StoreError(StoreError::Kind::kUnavailable,
                     "no home directory for the store (HOME is not set and the user has none): set store.path or AGENTMETRICS_STORE");
  }
  return home + "/.local/state/agentmetrics/events.db";
}

namespace {

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

void check_store_directory(const std::string& store_path) {
  const std::string dir = directory_of(store_path);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return;
  const uid_t me = ::geteuid();
  if (st.st_uid != me && st.st_uid != 0) {
    throw StoreError(StoreError::Kind::kUnavailable, "the store's directory " + dir + " belongs to uid " + std::to_string(st.st_uid) +
                                                         ", not to this user (uid " + std::to_string(me) +
                                                         "): its owner could plant rules or read the history; use a directory of your own");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    throw StoreError(StoreError::Kind::kUnavailable, "the store's directory " + dir +
                                                         " may be written by other users, who could plant rules or swap the store; "
                                                         "use a directory only you can write (chmod go-w " +
                                                         dir + ")");
  }
  if ((st.st_mode & (S_IRGRP | S_IROTH)) != 0) {
    log(LogLevel::kWarn, "other users can list the store's directory", {{"directory", dir}, {"fix", "chmod go-rwx " + dir}});
  }
}

void secure_store_files(const std::string& store_path) {
  // The database file is created here, owner-only, only when it is missing; an existing one is
  // never opened: closing any descriptor of a file drops every POSIX lock this process holds on
  // it, and SQLite's connections in this process rely on theirs.
  if (const int fd = ::open(store_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600); fd >= 0) {
    ::close(fd);
  } else if (errno != EEXIST) {
    throw StoreError(StoreError::Kind::kUnavailable, "cannot create the store " + store_path + ": " + std::strerror(errno));
  }
  // SQLite gives the -wal and -shm it creates the database's mode; files left by an older
  // version keep theirs. chmod by path takes no descriptor.
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string file = store_path + suffix;
    struct stat st {};
    if (::lstat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) == 0) continue;
    if (::chmod(file.c_str(), 0600) == 0) log(LogLevel::kInfo, "a store file is now owner-only", {{"path", file}});
  }
}

void ensure_store_directory(const std::string& store_path) {
  const auto slash = store_path.rfind('/');
  if (slash == std::string::npos || slash == 0) return;
  const std::string dir = store_path.substr(0, slash);
  // Each missing level is made in turn, like mkdir -p.
  for (std::size_t at = 1; at != std::string::npos;) {
    at = dir.find('/', at + 1);
    const std::string part = dir.substr(0, at);
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
      throw StoreError(StoreError::Kind::kUnavailable, "cannot create the store's directory " + part + ": " + std::strerror(errno));
    }
  }
}

}  // namespace agentmetrics::store
