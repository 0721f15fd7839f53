// The Task scope: the specification's executeTask instrumentation as an RAII object.
#include "agentmetrics/agentmetrics.hpp"
#include "catalogue.h"

namespace agentmetrics {
namespace {

// The catalogue's two task families, declared once per process.
struct TaskFamilies {
  CounterFamily total;
  HistogramFamily duration;

  static const TaskFamilies& get() {
    static const TaskFamilies families = [] {
      auto decls = ipc::catalogue_families(metric_prefix());
      const auto& t = decls[static_cast<std::size_t>(ipc::CatalogueFamily::kTaskTotal)];
      const auto& d = decls[static_cast<std::size_t>(ipc::CatalogueFamily::kTaskDuration)];
      return TaskFamilies{CounterFamily(t.name, t.help, t.label_names),
                          HistogramFamily(d.name, d.help, d.label_names, d.buckets)};
    }();
    return families;
  }
};

}  // namespace

// Both outcomes are resolved when the task starts, so bad label values throw where the caller
// can see them and the destructor only records.
Task::Task(const std::string& agent_type, const std::string& task_type, const std::string& stage)
    : start_(std::chrono::steady_clock::now()) {
  const auto& f = TaskFamilies::get();
  for (int ok = 0; ok < 2; ++ok) {
    const std::string success = ok ? "true" : "false";
    total_[ok] = f.total.with({agent_type, task_type, success});
    duration_[ok] = f.duration.with({agent_type, task_type, stage, success});
  }
}

Task::~Task() {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  total_[success_].inc();
  duration_[success_].observe(seconds);
}

}  // namespace agentmetrics
