// A metrics request taken in twice, by two intakes of their own: once read by the generated
// classes, once read in place (collector/intake/otlp/metrics_request_view.h). Whatever the
// in-place reader accepts, the generated classes must accept too and map to the same families,
// counts and sessions. Shared by metrics_request_view_test and the otlp_metrics fuzz target.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

#include "collector/aggregate/family_registry.h"
#include "collector/aggregate/series_reader.h"
#include "collector/intake/durable_intake.h"
#include "collector/intake/model_prices.h"
#include "collector/intake/otlp/agent_families.h"
#include "collector/intake/otlp/metrics_request_view.h"
#include "collector/intake/otlp/otlp_intake.h"
#include "collector/intake/otlp/session_tracker.h"

namespace agentmetrics::testing {

using namespace agentmetrics::intake;

// An intake without a store, as the daemon has one; an allowlisted attribute makes the extra
// labels part of what is compared.
struct MappedIntake {
  collector::FamilyRegistry registry;
  AgentFamilies families{registry, "opencode", {"terminal_type"}};
  PriceTable prices = PriceTable::shipped();
  DurableIntake durable{nullptr, 100000};
  SessionTracker sessions{durable, prices, {}};
  OtlpIntake intake{families, sessions, prices, {"terminal.type"}, 10000};

  // Every series of every family with its figures, the intake's counts and the sessions followed.
  std::string outcome(const IntakeTally& tally) const {
    std::ostringstream out;
    out.precision(17);
    collector::SeriesReader reader(registry);
    for (const auto* f : registry.families()) {
      reader.for_each(*f, [&](const collector::MergedSeries& s) {
        out << f->decl.name << '{' << s.labels << "} " << s.value << ' ' << s.sum << ' ' << s.count << '\n';
      });
    }
    const IntakeCounters& c = intake.counters();
    out << "mapped " << c.points_mapped << " ignored " << c.points_ignored << " rejected " << c.points_rejected << " unpriced "
        << c.unpriced_tokens << " sessions " << sessions.followed() << " tally " << tally.rejected << ' ' << tally.rejection << '\n';
    return out.str();
  }
};

struct InPlaceCheck {
  bool read_in_place = false;  // the in-place reader took the request
  bool generated_parsed = false;
  std::string generated, in_place;  // the two outcomes, when both read it
};

// Takes `bytes` in through both readers, `times` over (a retried export counts once either way).
inline InPlaceCheck check_in_place(std::string_view bytes, int times = 1) {
  InPlaceCheck check;
  MetricsRequestView view;
  check.read_in_place = view.decode(bytes);
  opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest request;
  check.generated_parsed = request.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  if (!check.read_in_place || !check.generated_parsed) return check;
  MappedIntake generated, in_place;
  IntakeTally generated_tally, in_place_tally;
  for (int i = 0; i < times; ++i) {
    generated_tally = generated.intake.take(request);
    in_place_tally = in_place.intake.take(view);
  }
  check.generated = generated.outcome(generated_tally);
  check.in_place = in_place.outcome(in_place_tally);
  return check;
}

}  // namespace agentmetrics::testing
