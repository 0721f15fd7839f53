#include "task_window.h"

namespace agentmetrics::collector {

TaskTotals task_totals(const std::vector<Shard*>& shards, const std::string& prefix) {
  const std::string total = prefix + "_task_total";
  const std::string duration = prefix + "_task_duration_seconds";
  TaskTotals t;
  for (Shard* shard : shards) {
    shard->for_each([&](const SeriesView& s) {
      const std::string& name = s.family->decl.name;
      if (name == total) {
        t.finished += s.value;
        // Label order is the catalogue's: agent_type, task_type, success.
        if (s.label_values.size() == 3 && s.label_values[2] == "true") t.succeeded += s.value;
      } else if (name == duration) {
        t.duration_sum += s.sum;
        t.duration_count += static_cast<double>(s.count);
      }
    });
  }
  return t;
}

void TaskWindow::sample(std::chrono::steady_clock::time_point now, const TaskTotals& totals) {
  std::lock_guard lock(mutex_);
  samples_.emplace_back(now, totals);
  // Keep one sample older than the window: it is the baseline for the whole window.
  while (samples_.size() > 1 && samples_[1].first <= now - window_) samples_.pop_front();
}

TaskFigures TaskWindow::figures(std::chrono::steady_clock::time_point now, const TaskTotals& current) const {
  TaskTotals base;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [when, totals] : samples_) {
      if (when >= now - window_) break;
      base = totals;
    }
  }
  TaskFigures f;
  f.tasks_completed = current.finished - base.finished;
  if (f.tasks_completed > 0) f.success_rate = (current.succeeded - base.succeeded) / f.tasks_completed;
  const double count = current.duration_count - base.duration_count;
  if (count > 0) f.avg_task_duration = (current.duration_sum - base.duration_sum) / count;
  return f;
}

}  // namespace agentmetrics::collector
