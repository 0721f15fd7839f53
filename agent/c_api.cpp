// The C ABI over the same client. A series handle is its series id encoded in the pointer
// value (id + 1), so handles need no allocation and stay valid for the life of the process.
#include <cstdint>
#include <exception>
#include <new>
#include <stdexcept>

#include "agentmetrics/agentmetrics.h"
#include "agentmetrics/agentmetrics.hpp"
#include "agent/client.h"

struct am_task {
  agentmetrics::Task task;
};

struct am_event {
  agentmetrics::Event event;
};

namespace {

thread_local std::string t_error;

template <typename Handle>
Handle* to_handle(std::uint32_t series) {
  return reinterpret_cast<Handle*>(static_cast<std::uintptr_t>(series) + 1);
}

template <typename Handle>
std::uint32_t to_series(const Handle* handle) {
  return handle ? static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(handle) - 1) : agentmetrics::detail::kNoSeries;
}

// Runs `body`, turning any exception into a status and the thread's error message.
template <typename Body>
am_status guarded(Body&& body) {
  try {
    t_error.clear();
    body();
    return AM_OK;
  } catch (const std::invalid_argument& e) {
    t_error = e.what();
    return AM_INVALID_ARGUMENT;
  } catch (const agentmetrics::agent::StringTableFull& e) {
    t_error = e.what();
    return AM_STRING_TABLE_FULL;
  } catch (const std::exception& e) {
    t_error = e.what();
    return AM_INTERNAL;
  } catch (...) {
    t_error = "unknown error";
    return AM_INTERNAL;
  }
}

std::vector<std::string> strings(const char* const* array, std::size_t count, const char* what) {
  std::vector<std::string> out;
  if (count > 0 && array == nullptr) throw std::invalid_argument(std::string(what) + " is NULL but label_count > 0");
  for (std::size_t i = 0; i < count; ++i) {
    if (array[i] == nullptr) throw std::invalid_argument(std::string(what) + "[" + std::to_string(i) + "] is NULL");
    out.emplace_back(array[i]);
  }
  return out;
}

std::uint32_t resolve(agentmetrics::ipc::MetricType type, const char* name, const char* help, const char* const* label_names,
                      const char* const* label_values, std::size_t label_count, std::vector<double> buckets, const void* out) {
  if (name == nullptr || out == nullptr) throw std::invalid_argument("name and out must not be NULL");
  agentmetrics::ipc::FamilyDecl decl;
  decl.type = type;
  decl.name = name;
  decl.help = help ? help : "";
  decl.label_names = strings(label_names, label_count, "label_names");
  decl.buckets = std::move(buckets);
  auto& client = agentmetrics::agent::Client::instance();
  const std::uint32_t family = client.declare_family(std::move(decl));
  return client.declare_series(family, strings(label_values, label_count, "label_values"));
}

// Checks the pointers every setter shares, then sets.
template <typename Set>
am_status set_field(am_event* event, const char* field, Set&& set) {
  return guarded([&] {
    if (event == nullptr || field == nullptr) throw std::invalid_argument("event and field must not be NULL");
    set(event->event);
  });
}

}  // namespace

extern "C" {

am_status am_counter_get(const char* name, const char* help, const char* const* label_names, const char* const* label_values,
                         size_t label_count, am_counter** out) {
  return guarded([&] {
    *out = to_handle<am_counter>(
        resolve(agentmetrics::ipc::MetricType::kCounter, name, help, label_names, label_values, label_count, {}, out));
  });
}

am_status am_gauge_get(const char* name, const char* help, const char* const* label_names, const char* const* label_values,
                       size_t label_count, am_gauge** out) {
  return guarded([&] {
    *out = to_handle<am_gauge>(resolve(agentmetrics::ipc::MetricType::kGauge, name, help, label_names, label_values, label_count, {}, out));
  });
}

am_status am_histogram_get(const char* name, const char* help, const char* const* label_names, const char* const* label_values,
                           size_t label_count, const double* buckets, size_t bucket_count, am_histogram** out) {
  return guarded([&] {
    if (bucket_count > 0 && buckets == nullptr) throw std::invalid_argument("buckets is NULL but bucket_count > 0");
    std::vector<double> bounds(buckets, buckets + bucket_count);
    *out = to_handle<am_histogram>(
        resolve(agentmetrics::ipc::MetricType::kHistogram, name, help, label_names, label_values, label_count, std::move(bounds), out));
  });
}

void am_counter_inc(const am_counter* counter) { agentmetrics::detail::counter_add(to_series(counter), 1.0); }
void am_counter_add(const am_counter* counter, double value) { agentmetrics::detail::counter_add(to_series(counter), value); }
void am_gauge_set(const am_gauge* gauge, double value) { agentmetrics::detail::gauge_set(to_series(gauge), value); }
void am_gauge_add(const am_gauge* gauge, double delta) { agentmetrics::detail::gauge_add(to_series(gauge), delta); }
void am_histogram_observe(const am_histogram* histogram, double value) {
  agentmetrics::detail::histogram_observe(to_series(histogram), value);
}

am_status am_task_begin(const char* agent_type, const char* task_type, const char* stage, am_task** out) {
  return guarded([&] {
    if (agent_type == nullptr || task_type == nullptr || out == nullptr)
      throw std::invalid_argument("agent_type, task_type and out must not be NULL");
    *out = new am_task{agentmetrics::Task(agent_type, task_type, stage ? stage : "unknown")};
  });
}

void am_task_end(am_task* task, int success) {
  if (task == nullptr) return;
  if (success) task->task.succeed();
  delete task;
}

am_status am_task_set(am_task* task, const char* field, const char* text) {
  return guarded([&] {
    if (task == nullptr || field == nullptr || text == nullptr) throw std::invalid_argument("task, field and text must not be NULL");
    task->task.event().parse(field, text);
  });
}

am_status am_event_new(const char* kind, am_event** out) {
  return guarded([&] {
    if (kind == nullptr || out == nullptr) throw std::invalid_argument("kind and out must not be NULL");
    *out = new am_event{agentmetrics::Event(kind)};
  });
}

am_status am_event_set_text(am_event* event, const char* field, const char* value) {
  return set_field(event, field, [&](agentmetrics::Event& e) {
    if (value == nullptr) throw std::invalid_argument("value must not be NULL");
    e.set(field, std::string_view(value));
  });
}

am_status am_event_set_number(am_event* event, const char* field, double value) {
  return set_field(event, field, [&](agentmetrics::Event& e) { e.set(field, value); });
}

am_status am_event_set_bool(am_event* event, const char* field, int value) {
  return set_field(event, field, [&](agentmetrics::Event& e) { e.set(field, value != 0); });
}

am_status am_event_parse(am_event* event, const char* field, const char* text) {
  return set_field(event, field, [&](agentmetrics::Event& e) {
    if (text == nullptr) throw std::invalid_argument("text must not be NULL");
    e.parse(field, text);
  });
}

am_status am_event_set_time(am_event* event, double unix_seconds) {
  return guarded([&] {
    if (event == nullptr) throw std::invalid_argument("event must not be NULL");
    event->event.at(unix_seconds);
  });
}

am_status am_event_record(const am_event* event) {
  bool written = false;
  const am_status status = guarded([&] {
    if (event == nullptr) throw std::invalid_argument("event must not be NULL");
    written = event->event.record();
  });
  if (status != AM_OK) return status;
  if (!written) t_error = "the event was dropped: no free ring space or no segment";
  return written ? AM_OK : AM_DROPPED;
}

void am_event_free(am_event* event) { delete event; }

int am_connected(void) {
  try {
    return agentmetrics::connected() ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

uint64_t am_dropped_events(void) {
  try {
    return agentmetrics::dropped_events();
  } catch (...) {
    return 0;
  }
}

const char* am_last_error_message(void) {
  if (t_error.empty()) {
    try {
      t_error = agentmetrics::last_error();
    } catch (...) {
      t_error = "unknown error";
    }
  }
  return t_error.c_str();
}

const char* am_version(void) { return AGENTMETRICS_VERSION; }

}  // extern "C"
