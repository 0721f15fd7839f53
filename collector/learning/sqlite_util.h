// Small helpers over a SQLite connection for the learning tables: pacing and placing write
// transactions (store/sqlite_transaction.h), and the key/value state the learning side keeps.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;

namespace agentmetrics::learning {

// Fairness for a loop of write transactions. SQLite's lock is not queued: a writer that finds
// it taken sleeps in its busy handler (1, 2, 5, 10 ... 100 ms) and tries again, so a loop that
// commits and begins again at once can keep the collector's store thread out for as long as
// the loop runs. With pacing, the loop pauses after each transaction for as long as it held the
// lock (2 to 50 ms): it holds the lock at most half the time, in short stretches.
class WritePacer {
 public:
  explicit WritePacer(bool enabled);
  void begin();  // before BEGIN
  void end();    // after COMMIT: pauses when enabled

 private:
  static constexpr std::chrono::milliseconds kMinPause{2};
  static constexpr std::chrono::milliseconds kMaxPause{50};
  bool enabled_;
  std::chrono::steady_clock::time_point started_{};
};

// Where a write transaction runs. Given the work (a function of the connection to use), a
// runner either calls it on the caller's own connection (the default, a null runner) or hands
// it to a thread of normal priority with a connection of its own and waits: that is how the
// reflection worker, which runs at idle priority, avoids holding the store's lock while the
// scheduler starves it (priority inversion: the collector's store thread would wait for it).
using WriteRunner = std::function<void(const std::function<void(sqlite3*)>&)>;
// runner ? runner(work) : work(db).
void run_write(sqlite3* db, const WriteRunner* runner, const std::function<void(sqlite3*)>& work);

// learning_state(key, value): watermarks of the incremental work.
std::optional<std::int64_t> state_int(sqlite3* db, std::string_view key);
void set_state_int(sqlite3* db, std::string_view key, std::int64_t value);

// The incremental work reads the events after its watermark in batches of ids, each a rowid
// range (id > after AND id <= end); its queries write `+kind` so that SQLite keeps to that range
// instead of scanning every event of the kind through the (kind, time) index, which would make
// the work grow with the square of the history.
// The end of the next batch: the id of the `batch`-th event after `after`, or `last` (the
// highest id) when fewer follow. A batch of 0 is taken as 1.
std::int64_t event_batch_end(sqlite3* db, std::int64_t after, std::size_t batch, std::int64_t last);

}  // namespace agentmetrics::learning
