#include "collector/learning/reflection_worker.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "collector/common/log.h"
#include "collector/common/unix_time.h"
#include "collector/learning/learning_metrics.h"
#include "collector/learning/learning_store.h"
#include "collector/learning/playbook.h"
#include "collector/learning/sqlite_util.h"
#include "collector/store/sqlite_event_store.h"

namespace agentmetrics::learning {
namespace {

using agentmetrics::LogLevel;

WorkerPriority lower_own_priority() {
  sched_param param{};
  param.sched_priority = 0;
  if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &param) == 0) return WorkerPriority::kIdle;
  // Linux applies setpriority to the calling thread when given its thread id.
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 19) == 0) return WorkerPriority::kNice;
  return WorkerPriority::kUnchanged;
}

// Runs `work` on a thread of its own at idle priority, and waits for it. The worker's own thread
// keeps its normal priority between rounds (it waits, and counts the playbook for the gauges, a
// read of a few milliseconds): a thread that lingers at idle priority is the last of a killed
// collector to be given the processor on a busy machine, and the process cannot be reaped before it
// has run its exit (seen: more than 60 s under ASan beside the test suite, when it was the last
// thread out and tore down the address space).
WorkerPriority at_idle_priority(const std::function<void()>& work) {
  WorkerPriority priority = WorkerPriority::kUnchanged;
  std::exception_ptr error;
  std::thread thread([&] {
    pthread_setname_np(pthread_self(), "am-reflect-idle");
    priority = lower_own_priority();
    try {
      work();
    } catch (...) {
      error = std::current_exception();
    }
  });
  thread.join();
  if (error) std::rethrow_exception(error);
  return priority;
}

}  // namespace

// Runs the worker's write transactions at the priority of the thread that created it.
class WriteHelper {
 public:
  explicit WriteHelper(std::string path)
      : path_(std::move(path)), thread_([this] {
          pthread_setname_np(pthread_self(), "am-reflect-w");
          loop();
        }) {}
  ~WriteHelper() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  void run(const std::function<void(sqlite3*)>& work) {
    std::unique_lock lock(mutex_);
    job_ = &work;
    done_ = false;
    error_ = nullptr;
    cv_.notify_all();
    cv_.wait(lock, [&] { return done_; });
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void loop() {
    std::unique_ptr<store::SqliteEventStore> store;
    std::unique_lock lock(mutex_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || job_; });
      if (stop_) return;
      const auto* work = job_;
      job_ = nullptr;
      lock.unlock();
      std::exception_ptr error;
      try {
        if (!store) store = store::SqliteEventStore::open(path_, store::SqliteEventStore::Mode::kReadWrite);
        (*work)(store->handle());
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      error_ = error;
      done_ = true;
      cv_.notify_all();
    }
  }

  const std::string path_;
  std::mutex mutex_;
  std::condition_variable cv_;
  const std::function<void(sqlite3*)>* job_ = nullptr;
  bool done_ = false;
  bool stop_ = false;
  std::exception_ptr error_;
  std::thread thread_;  // last: starts once the rest is ready
};

ReflectionWorker::ReflectionWorker(std::string store_path, std::chrono::seconds interval, prometheus::Registry& registry,
                                   ReflectionWorkerOptions options)
    : store_path_(std::move(store_path)),
      options_(std::move(options)),
      metrics_(std::make_unique<LearningMetrics>(registry, options_.metric_prefix)),
      interval_(interval) {}

ReflectionWorker::~ReflectionWorker() { stop(); }

void ReflectionWorker::refresh_playbook_gauges(LearningStore& store) {
  try {
    const Playbook playbook(store.readable_rules());
    const double now = unix_now();
    double sum = 0;
    Playbook::Filter active_rules;
    active_rules.kind = BulletKind::kRule;
    const auto rules = playbook.list(active_rules, now);
    for (const auto& rule : rules) sum += rule.confidence_at(now, playbook.model());
    metrics_->set_playbook(playbook.counts(), rules.empty() ? 0 : sum / static_cast<double>(rules.size()));
  } catch (const std::exception& e) {
    agentmetrics::log(LogLevel::kWarn, "cannot count the playbook", {{"error", e.what()}});
  }
}

double ReflectionWorker::now() const { return unix_now(options_.clock); }

void ReflectionWorker::start() {
  if (thread_.joinable()) return;
  stop_ = false;
  // Created here, so it has the priority of the caller, not the worker's idle one.
  if (!writer_) writer_ = std::make_unique<WriteHelper>(store_path_);
  thread_ = std::thread([this] { run(); });
  pthread_setname_np(thread_.native_handle(), "am-reflect");
}

void ReflectionWorker::request() {
  {
    std::lock_guard lock(mutex_);
    requested_ = true;
  }
  wake_.notify_all();
}

void ReflectionWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  writer_.reset();
}

void ReflectionWorker::set_interval(std::chrono::seconds interval) {
  {
    std::lock_guard lock(mutex_);
    interval_ = interval;
    interval_changed_ = true;
  }
  wake_.notify_all();
}

bool ReflectionWorker::wait_for_runs(std::uint64_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return done_.wait_for(lock, timeout, [&] { return runs_.load() >= n; });
}

std::optional<nlohmann::ordered_json> ReflectionWorker::last_report() const {
  std::lock_guard lock(mutex_);
  return last_report_;
}

std::string ReflectionWorker::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

void ReflectionWorker::run() {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  std::unique_ptr<LearningStore> store;
  std::optional<double> last_unix;  // when the store's last reflection started
  bool schedule_known = false;
  Clock::time_point due = started + options_.startup_delay;
  Clock::time_point refresh = Clock::now();

  auto open_store = [&]() -> bool {
    if (store) return true;
    try {
      LearningSettings settings;
      settings.reflection = options_.reflection;
      settings.clock = options_.clock;
      store = open_learning_store({options_.team_url, store_path_, settings, false});
      return true;
    } catch (const std::exception& e) {
      store.reset();
      std::lock_guard lock(mutex_);
      last_error_ = e.what();
      agentmetrics::log(LogLevel::kError, "reflection worker cannot open the store", {{"path", store_path_}, {"error", e.what()}});
      return false;
    }
  };
  auto reschedule = [&](std::chrono::seconds interval) {
    const auto earliest = started + options_.startup_delay;
    if (!last_unix) {
      due = earliest;
      return;
    }
    const double wait = *last_unix + static_cast<double>(interval.count()) - now();
    due =
        std::max(earliest, Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(std::max(0.0, wait))));
  };

  for (;;) {
    if (!schedule_known && open_store()) {
      try {
        last_unix = store->last_reflection_started();
        schedule_known = true;
        std::lock_guard lock(mutex_);
        reschedule(interval_);
      } catch (const std::exception& e) {
        agentmetrics::log(LogLevel::kError, "reflection worker cannot read the store", {{"error", e.what()}});
      }
    }
    bool run_now = false;
    bool asked = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, std::min(due, refresh), [&] { return stop_.load() || requested_ || interval_changed_; });
      if (stop_) break;
      if (interval_changed_) {
        interval_changed_ = false;
        reschedule(interval_);
      }
      asked = requested_;
      run_now = requested_ || Clock::now() >= due;
      requested_ = false;
    }
    if (!open_store()) {
      // Tried again at the next refresh, and a reflection that was due waits for it too: left
      // due, it would be tried again at once, and the thread would spin for as long as the
      // store cannot be opened.
      refresh = Clock::now() + options_.metrics_refresh;
      if (run_now) {
        due = refresh;
        metrics_->record_run(false, 0, now());
        {
          std::lock_guard lock(mutex_);
          runs_++;
        }
        done_.notify_all();
      }
      continue;
    }
    if (run_now && !asked) {
      // Another process of the team may have reflected since: the next round is due from then.
      try {
        const auto last = store->last_reflection_started();
        std::lock_guard lock(mutex_);
        if (last && (!last_unix || *last > *last_unix) && now() - *last < static_cast<double>(interval_.count())) {
          last_unix = last;
          reschedule(interval_);
          run_now = false;
        }
      } catch (const std::exception& e) {
        agentmetrics::log(LogLevel::kWarn, "reflection worker cannot read the store's last reflection", {{"error", e.what()}});
      }
    }
    if (run_now) {
      const double t = now();
      const auto t0 = Clock::now();
      bool ok = true;
      bool skipped = false;
      try {
        const WriteRunner runner = [this](const std::function<void(sqlite3*)>& work) { writer_->run(work); };
        std::optional<ReflectionReport> report;
        const WorkerPriority priority = at_idle_priority([&] { report = store->reflect(asked ? "request" : "schedule", &stop_, &runner); });
        if (priority_.exchange(priority) != priority && priority != WorkerPriority::kIdle) {
          agentmetrics::log(LogLevel::kInfo, "reflection runs at nice 19 (SCHED_IDLE refused)");
        }
        std::lock_guard lock(mutex_);
        if (report) {
          last_report_ = to_json(*report);
          last_error_.clear();
          agentmetrics::log(LogLevel::kInfo, "reflection done",
                            {{"duration_ms", report->duration_seconds * 1000.0},
                             {"failure_patterns", report->patterns.failures.size()},
                             {"success_patterns", report->patterns.successes.size()},
                             {"rules_added", report->rules_added.size() + report->anti_patterns_added.size()},
                             {"rules_retired", report->rules_retired.size()}});
        } else {
          // Another process holds the lease and reflects over the same history: this round is its.
          skipped = true;
          agentmetrics::log(LogLevel::kInfo, "reflection skipped: another process holds the reflection lease", {{"store", store->name()}});
        }
      } catch (const std::exception& e) {
        ok = false;
        std::lock_guard lock(mutex_);
        last_error_ = e.what();
        agentmetrics::log(LogLevel::kError, "reflection failed", {{"error", e.what()}});
      }
      refresh_playbook_gauges(*store);
      if (skipped) {
        metrics_->record_skipped();
        skipped_++;
      } else {
        metrics_->record_run(ok, std::chrono::duration<double>(Clock::now() - t0).count(), now());
      }
      last_unix = t;
      {
        std::lock_guard lock(mutex_);
        reschedule(interval_);
        runs_++;
      }
      done_.notify_all();
    } else {
      refresh_playbook_gauges(*store);
    }
    refresh = Clock::now() + options_.metrics_refresh;
  }
}

}  // namespace agentmetrics::learning
