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

SqliteLearningStore::SqliteLearningStore(const std::string& path, LearningSettings settings, bool mapped,
                                         std::chrono::milliseconds lock_wait)
    : reflection_(settings.reflection) {
  store::ensure_store_directory(path);
  store_ = store::SqliteEventStore::open(path, store::SqliteEventStore::Mode::kReadWrite);
  if (lock_wait.count() > 0) sqlite3_busy_timeout(store_->handle(), static_cast<int>(lock_wait.count()));
  // cm lives for one command: reading the store's pages through a mapping instead of copying
  // them into SQLite's cache makes `cm context` on a large store markedly faster.
  if (mapped) sqlite3_exec(store_->handle(), "PRAGMA mmap_size=1073741824", nullptr, nullptr, nullptr);
  db_ = store_->handle();
  path_ = store_->path();
  service_ = std::make_unique<LearningService>(db_, std::move(settings));
}

SqliteLearningStore::SqliteLearningStore(sqlite3* borrowed, LearningSettings settings) : reflection_(settings.reflection), db_(borrowed) {
  const char* file = sqlite3_db_filename(borrowed, "main");
  path_ = file ? file : "";
  service_ = std::make_unique<LearningService>(db_, std::move(settings));
}

std::unique_ptr<ReflectionLease> SqliteLearningStore::try_reflection_lease() {
  const std::string lock_path = path_ + ".reflection-lock";
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
  return run_reflection(db_, reflection_, trigger, now(), cancel, runner);
}

std::optional<double> SqliteLearningStore::last_reflection_started() {
  store::SqliteStatement st(db_, "SELECT max(started) FROM reflection_runs");
  if (!st.step() || st.column_is_null(0)) return std::nullopt;
  return st.column_double(0);
}

}  // namespace agentmetrics::learning
