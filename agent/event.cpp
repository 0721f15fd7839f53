// Outcome events on the producer's side: built field by field, checked against the schema,
// written as one frame, and mirrored into the catalogue metrics they correspond to.
#include <chrono>
#include <stdexcept>

#include "agentmetrics/agentmetrics.hpp"
#include "ipc/catalogue.h"
#include "agent/client.h"
#include "ipc/outcome_event.h"

namespace agentmetrics {
namespace {

using ipc::OutcomeKind;

// The catalogue families an event can move, declared once per process on first use.
struct CatalogueMetrics {
  CounterFamily task_total;
  HistogramFamily task_duration;
  GaugeFamily coverage;
  CounterFamily lint_errors;
  HistogramFamily pipeline_duration;
  CounterFamily pipeline_failures;
  CounterFamily human_interventions;

  static const CatalogueMetrics& get() {
    static const CatalogueMetrics metrics = [] {
      const auto decls = ipc::catalogue_families(metric_prefix());
      auto decl = [&](ipc::CatalogueFamily f) -> const ipc::FamilyDecl& { return decls[static_cast<std::size_t>(f)]; };
      auto counter = [&](ipc::CatalogueFamily f) { return CounterFamily(decl(f).name, decl(f).help, decl(f).label_names); };
      auto histogram = [&](ipc::CatalogueFamily f) {
        return HistogramFamily(decl(f).name, decl(f).help, decl(f).label_names, decl(f).buckets);
      };
      using enum ipc::CatalogueFamily;
      return CatalogueMetrics{
          counter(kTaskTotal),         histogram(kTaskDuration),     GaugeFamily(decl(kCodeCoverage).name, decl(kCodeCoverage).help),
          counter(kLintErrors),        histogram(kPipelineDuration), counter(kPipelineFailures),
          counter(kHumanInterventions)};
    }();
    return metrics;
  }
};

std::string text_or(const ipc::OutcomeEvent& e, std::string_view field, std::string_view fallback) {
  const std::string* s = e.text(field);
  return s && !s->empty() ? *s : std::string(fallback);
}

const char* boolean(bool b) { return b ? "true" : "false"; }

void move_metrics(const ipc::OutcomeEvent& e) {
  const CatalogueMetrics& m = CatalogueMetrics::get();
  switch (e.kind) {
    case OutcomeKind::kTask: {
      const char* success = boolean(e.flag("success").value_or(false));
      const std::string agent = text_or(e, "agent_type", "");
      const std::string type = text_or(e, "task_type", "");
      m.task_total.with({agent, type, success}).inc();
      m.task_duration.with({agent, type, text_or(e, "stage", "unknown"), success}).observe(e.number("duration_seconds").value_or(0));
      if (e.flag("human_intervention").value_or(false)) {
        m.human_interventions.with({text_or(e, "intervention_reason", "unspecified")}).inc();
      }
      break;
    }
    case OutcomeKind::kPipeline: {
      const bool success = e.flag("success").value_or(false);
      const std::string stage = text_or(e, "stage", "");
      m.pipeline_duration.with({stage, boolean(success)}).observe(e.number("duration_seconds").value_or(0));
      if (!success) m.pipeline_failures.with({stage, text_or(e, "failure_type", "unknown")}).inc();
      break;
    }
    case OutcomeKind::kCoverage: m.coverage.with({}).set(e.number("percent").value_or(0)); break;
    case OutcomeKind::kLint:
      for (const auto& [field, severity] : {std::pair{"errors", "error"}, {"warnings", "warning"}, {"infos", "info"}}) {
        if (const double n = e.number(field).value_or(0); n > 0) m.lint_errors.with({severity}).add(n);
      }
      break;
    default: break;  // the other kinds feed the KPIs only
  }
}

}  // namespace

struct Event::Data {
  ipc::OutcomeEvent event;
  const ipc::KindSpec* kind = nullptr;

  const ipc::FieldSpec& field(std::string_view name) const {
    const ipc::FieldSpec* spec = ipc::find_field(*kind, name);
    if (!spec) throw std::invalid_argument("a " + std::string(kind->name) + " event has no field '" + std::string(name) + "'");
    return *spec;
  }
  void put(const ipc::FieldSpec& spec, ipc::FieldValue value) {
    if (std::string why = ipc::check_field(spec, value); !why.empty()) throw std::invalid_argument(why);
    event.fields.insert_or_assign(std::string(spec.name), std::move(value));
  }
};

Event::Event(std::string_view kind) : data_(std::make_unique<Data>()) {
  data_->kind = ipc::find_kind(kind);
  if (!data_->kind) {
    std::string known;
    for (const auto& k : ipc::outcome_kinds()) known += (known.empty() ? "" : ", ") + std::string(k.name);
    throw std::invalid_argument("unknown event '" + std::string(kind) + "'; the events are " + known);
  }
  data_->event.kind = data_->kind->kind;
  data_->event.time = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Event::~Event() = default;
Event::Event(const Event& other) : data_(std::make_unique<Data>(*other.data_)) {}
Event& Event::operator=(const Event& other) {
  *data_ = *other.data_;
  return *this;
}

Event& Event::set(std::string_view field, std::string_view text) {
  data_->put(data_->field(field), std::string(text));
  return *this;
}

Event& Event::set(std::string_view field, bool flag) {
  data_->put(data_->field(field), flag);
  return *this;
}

Event& Event::set_number(std::string_view field, double number) {
  data_->put(data_->field(field), number);
  return *this;
}

Event& Event::parse(std::string_view field, std::string_view text) {
  const ipc::FieldSpec& spec = data_->field(field);
  data_->put(spec, ipc::parse_field_value(spec, text));
  return *this;
}

Event& Event::at(double unix_seconds) {
  if (!(unix_seconds > 0) || unix_seconds > 1e11) throw std::invalid_argument("an event's time must be Unix seconds after 1970");
  data_->event.time = unix_seconds;
  return *this;
}

bool Event::record() const {
  ipc::OutcomeEvent e = data_->event;
  if (std::string why = ipc::check_event(e); !why.empty()) throw std::invalid_argument(why);
  auto& client = agent::Client::instance();
  e.producer_id = client.producer_id();
  e.sequence = client.next_sequence();
  const std::vector<std::byte> payload = ipc::encode_event(e);
  move_metrics(e);
  return agent::publish_frame(ipc::kOutcomeFrameKind, payload);
}

}  // namespace agentmetrics
