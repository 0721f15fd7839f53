#include "collector/learning/sqlite_learning_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <sqlite3.h>

#include "collector/store/sqlite_statement.h"
#include "collector/store/store_error.h"
#include "collector/store/store_location.h"

namespace agentmetrics::learning {
namespace {

// flock, not SQLite's fcntl locks: closing another descriptor of the store file would drop
// those, so the lock is on a file of its own.
class FileReflectionLease final : public ReflectionLease {
 public:
  explicit FileReflectionLease(int fd) : fd_(fd) {}
  ~FileReflectionLease() override { ::close(fd_); }

 private:
  int fd_;
};

}  // namespace

SqliteLearningStore::SqliteLearningStore(const std::string& path, LearningSettings settings, bool mapped)
    : reflection_(settings.reflection), clock_(settings.clock) {
  store::ensure_store_directory(path);
  store_ = store::SqliteEventStore::open(path, store::SqliteEventStore::Mode::kReadWrite);
  // cm lives for one command: reading the store's pages through a mapping instead of copying
  // them into SQLite's cache makes `cm context` on a large store markedly faster.
  if (mapped) sqlite3_exec(store_->handle(), "PRAGMA mmap_size=1073741824", nullptr, nullptr, nullptr);
  service_ = std::make_unique<LearningService>(store_->handle(), std::move(settings));
}

std::unique_ptr<ReflectionLease> SqliteLearningStore::try_reflection_lease() {
  const std::string lock_path = store_->path() + ".reflection-lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw store::StoreError(store::StoreError::Kind::kUnavailable, "cannot open " + lock_path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return nullptr;
  }
  return std::make_unique<FileReflectionLease>(fd);
}

std::optional<ReflectionReport> SqliteLearningStore::reflect(std::string_view trigger, const std::atomic<bool>* cancel,
                                                             const WriteRunner* runner) {
  const auto lease = try_reflection_lease();
  if (!lease) return std::nullopt;
  const double now = clock_ ? clock_() : std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return run_reflection(store_->handle(), reflection_, trigger, now, cancel, runner);
}

std::optional<double> SqliteLearningStore::last_reflection_started() {
  store::SqliteStatement st(store_->handle(), "SELECT max(started) FROM reflection_runs");
  if (!st.step() || st.column_is_null(0)) return std::nullopt;
  return st.column_double(0);
}

}  // namespace agentmetrics::learning
