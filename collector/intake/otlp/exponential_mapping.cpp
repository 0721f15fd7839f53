// OTLP exponential histograms (docs/otlp.md): a metric named as a histogram family the collector
// knows (a producer's, the catalogue's) lands in that family's series, beside the rings'
// observations: in its exponential buckets when the family keeps them (nativeHistograms), and in
// its classic buckets by each exponential bucket's upper bound. The labels are the family's own,
// read from the point's attributes (else the resource's); no other attribute becomes a label.
#include <algorithm>
#include <stdexcept>

#include "collector/intake/otlp/otlp_attributes.h"
#include "collector/intake/otlp/otlp_intake.h"
#include "collector/intake/otlp/otlp_labels.h"

namespace agentmetrics::intake {

void OtlpIntake::take_exponential(const opentelemetry::proto::metrics::v1::Metric& metric, std::uint64_t metric_digest,
                                  const Attributes& resource, IntakeTally& tally) {
  namespace metrics = opentelemetry::proto::metrics::v1;
  std::string name = metric.name();
  const collector::RegisteredFamily* family = families_.histogram_family(name);
  if (!family) {
    std::replace(name.begin(), name.end(), '.', '_');
    family = families_.histogram_family(name);
  }
  const auto& h = metric.exponential_histogram();
  if (!family) {
    counters_.points_ignored.fetch_add(static_cast<std::uint64_t>(h.data_points_size()), std::memory_order_relaxed);
    return;
  }
  const Temporality temporality =
      h.aggregation_temporality() == metrics::AGGREGATION_TEMPORALITY_DELTA ? Temporality::kDelta : Temporality::kCumulative;
  for (const auto& p : h.data_points()) {
    try {
      const auto increment = exponential_.increment(attributes_digest(p.attributes(), metric_digest), temporality, p);
      if (increment) {
        const auto labels = extra_label_values(family->decl.label_names, p.attributes(), resource);
        if (families_.add_exponential(*family, labels, increment->point()) != collector::ApplyResult::kApplied) {
          throw std::invalid_argument("an exponential histogram the family cannot take");
        }
      }
      counters_.points_mapped.fetch_add(1, std::memory_order_relaxed);
    } catch (const std::invalid_argument& e) {
      ++tally.rejected;
      tally.rejection = "metric " + metric.name() + ": " + e.what();
      counters_.points_rejected.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

}  // namespace agentmetrics::intake
