// agentmetrics client library, C++ API.
//
// Declare a family once, resolve a labelled series once, then record on the hot path:
//
//   agentmetrics::CounterFamily lint("opencode_lint_errors_total", "Total lint errors", {"severity"});
//   agentmetrics::Counter errors = lint.with({"error"});   // resolved once
//   errors.inc();                                          // no syscall, no lock, no allocation
//
// Events go into a shared-memory ring of this thread; the collector (agentmetricsd) drains
// them. A full ring drops the event and counts the drop; nothing here ever blocks. A ring holds
// 1048575 events unless AGENTMETRICS_RING_EVENTS says otherwise (docs/api.md).
//
// Declaring throws std::invalid_argument for a bad name, label or bucket list (a programming
// error). If the shared-memory segment cannot be created (no /dev/shm, no space), declaring
// still succeeds: the handles record nothing, every event is counted in dropped_events(), and
// last_error() says why.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace agentmetrics {

namespace detail {
inline constexpr std::uint32_t kNoSeries = 0xFFFFFFFFu;
void counter_add(std::uint32_t series, double value) noexcept;
void gauge_set(std::uint32_t series, double value) noexcept;
void gauge_add(std::uint32_t series, double value) noexcept;
void histogram_observe(std::uint32_t series, double value) noexcept;
}  // namespace detail

using LabelValues = std::vector<std::string>;
using NamedLabels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Resolved series handles: cheap to copy, valid for the life of the process.
class Counter {
 public:
  Counter() = default;
  void inc() const noexcept { detail::counter_add(series_, 1.0); }
  // value must be finite and >= 0; others are rejected by the collector and counted.
  void add(double value) const noexcept { detail::counter_add(series_, value); }

 private:
  friend class CounterFamily;
  explicit Counter(std::uint32_t series) : series_(series) {}
  std::uint32_t series_ = detail::kNoSeries;
};

class Gauge {
 public:
  Gauge() = default;
  void set(double value) const noexcept { detail::gauge_set(series_, value); }
  void add(double delta) const noexcept { detail::gauge_add(series_, delta); }

 private:
  friend class GaugeFamily;
  explicit Gauge(std::uint32_t series) : series_(series) {}
  std::uint32_t series_ = detail::kNoSeries;
};

class Histogram {
 public:
  Histogram() = default;
  void observe(double value) const noexcept { detail::histogram_observe(series_, value); }

 private:
  friend class HistogramFamily;
  explicit Histogram(std::uint32_t series) : series_(series) {}
  std::uint32_t series_ = detail::kNoSeries;
};

// A family: a metric name with its help, label names and (histograms) bucket bounds.
// Declaring the same family twice in a process returns the same one; declaring a name again
// with a different shape throws.
class Family {
 public:
  const std::vector<std::string>& label_names() const { return label_names_; }

 protected:
  Family(int type, std::string name, std::string help, std::vector<std::string> label_names, std::vector<double> buckets);
  std::uint32_t resolve(const LabelValues& values) const;
  std::uint32_t resolve(NamedLabels labels) const;

 private:
  std::uint32_t family_ = detail::kNoSeries;
  std::vector<std::string> label_names_;
};

class CounterFamily : public Family {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names = {});
  Counter with(const LabelValues& values) const { return Counter(resolve(values)); }
  Counter labels(NamedLabels labels) const { return Counter(resolve(labels)); }
};

class GaugeFamily : public Family {
 public:
  GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names = {});
  Gauge with(const LabelValues& values) const { return Gauge(resolve(values)); }
  Gauge labels(NamedLabels labels) const { return Gauge(resolve(labels)); }
};

class HistogramFamily : public Family {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names, std::vector<double> buckets);
  Histogram with(const LabelValues& values) const { return Histogram(resolve(values)); }
  Histogram labels(NamedLabels labels) const { return Histogram(resolve(labels)); }
};

// An outcome event: a finished task, a pipeline run, a test run, coverage, lint findings, a
// deployment, a pull request, a bug, a commit or a technical-debt estimate. The kinds and their
// fields are listed in docs/events.md. The collector keeps every recorded event in its store
// (exactly once) and computes the KPIs from them; recording also moves the catalogue metric
// that matches (a task moves <prefix>_task_total and <prefix>_task_duration_seconds, a failed
// pipeline run <prefix>_pipeline_failures_total, ...).
//
//   agentmetrics::Event("pipeline").set("stage", "test").set("success", false)
//       .set("duration_seconds", 42.0).set("failure_type", "test_failure").record();
//
// Off the hot path: building an event allocates. set() throws std::invalid_argument for a field
// the kind does not have or a value of the wrong type or range; record() throws it for a missing
// required field.
class Event {
 public:
  explicit Event(std::string_view kind);
  ~Event();
  Event(const Event& other);
  Event& operator=(const Event& other);

  Event& set(std::string_view field, std::string_view text);
  Event& set(std::string_view field, const char* text) { return set(field, std::string_view(text)); }
  Event& set(std::string_view field, bool flag);
  template <typename Number>
  requires(std::is_arithmetic_v<Number> && !std::same_as<Number, bool>) Event& set(std::string_view field, Number number) {
    return set_number(field, static_cast<double>(number));
  }
  // Sets a field from its text form, whatever its type: "true", "42", "2026-11-24T10:00:00Z".
  Event& parse(std::string_view field, std::string_view text);
  // When it happened (seconds since the Unix epoch); the default is when the event was made.
  Event& at(double unix_seconds);

  // Writes the event through this thread's ring. True when the ring took it; false when it was
  // dropped (full ring, no segment), which dropped_events() counts. The event can be recorded
  // again; each record() is a new event with its own sequence number.
  bool record() const;

 private:
  Event& set_number(std::string_view field, double number);
  struct Data;
  std::unique_ptr<Data> data_;
};

// Times a task and records it when it ends, as the specification's executeTask does: a task
// event (see Event), which moves <prefix>_task_total{agent_type,task_type,success} and
// <prefix>_task_duration_seconds{agent_type,task_type,stage,success}. The task is a success
// only if succeed() was called; leaving the scope otherwise (an exception, an early return)
// records a failure. Throws std::invalid_argument for label values that cannot be recorded.
class Task {
 public:
  Task(const std::string& agent_type, const std::string& task_type, const std::string& stage = "unknown");
  ~Task();
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;

  void succeed() noexcept { success_ = true; }
  void fail() noexcept { success_ = false; }
  // The event recorded at the end: add the title, approach, rule ids... to it.
  Event& event() noexcept { return event_; }

 private:
  Event event_;
  bool success_ = false;
  std::chrono::steady_clock::time_point start_;
};

// Whether this process has a segment the collector can read.
bool connected();
// Why the last attempt to create the segment failed; empty when connected.
std::string last_error();
// Events this process dropped: full rings, no free ring, or no segment.
std::uint64_t dropped_events();
// The metric-name prefix of the catalogue families (AGENTMETRICS_METRIC_PREFIX, default
// "opencode").
std::string metric_prefix();

}  // namespace agentmetrics
