// The last 24 hours of finished tasks, for /health: the catalogue's task counters are sampled
// once a minute and the figures are the difference between now and the oldest sample inside
// the window (or the collector's start, when it is younger than the window).
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "shard.h"

namespace agentmetrics::collector {

struct TaskTotals {
  double finished = 0;
  double succeeded = 0;
  double duration_sum = 0;
  double duration_count = 0;
};

// Sums the catalogue's <prefix>_task_total and <prefix>_task_duration_seconds over all series.
TaskTotals task_totals(const std::vector<Shard*>& shards, const std::string& prefix);

struct TaskFigures {
  double tasks_completed = 0;    // finished tasks, successful or not
  double success_rate = 0;       // succeeded / finished; 0 when none finished
  double avg_task_duration = 0;  // seconds; 0 when none finished
};

class TaskWindow {
 public:
  explicit TaskWindow(std::chrono::seconds window = std::chrono::hours(24)) : window_(window) {}
  void sample(std::chrono::steady_clock::time_point now, const TaskTotals& totals);
  TaskFigures figures(std::chrono::steady_clock::time_point now, const TaskTotals& current) const;

 private:
  std::chrono::seconds window_;
  mutable std::mutex mutex_;
  std::deque<std::pair<std::chrono::steady_clock::time_point, TaskTotals>> samples_;
};

}  // namespace agentmetrics::collector
