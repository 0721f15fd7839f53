#include "collector/expose/self_metrics.h"

#include <map>

namespace agentmetrics::collector {
namespace {

prometheus::Family<prometheus::Counter>& counter_family(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r);
}
prometheus::Family<prometheus::Gauge>& gauge_family(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}

// prometheus-cpp's members are references, so the registry must exist before they bind.
std::shared_ptr<prometheus::Registry> make_registry() { return std::make_shared<prometheus::Registry>(); }

}  // namespace

SelfMetrics::SelfMetrics() : SelfMetrics(make_registry()) {}

SelfMetrics::SelfMetrics(std::shared_ptr<prometheus::Registry> r)
    : events_drained(
          counter_family(*r, "agentmetrics_events_drained_total", "Events drained from producer rings: metric records and outcome events")
              .Add({})),
      events_dropped(
          counter_family(*r, "agentmetrics_events_dropped_total", "Events producers dropped because a ring was full or missing").Add({})),
      series_refused(counter_family(*r, "agentmetrics_series_refused_total",
                                    "Families and series producers could not declare because their string table was full")
                         .Add({})),
      frames_received(
          counter_family(*r, "agentmetrics_frames_received_total", "Multi-slot event frames drained from producer rings").Add({})),
      segments_attached(gauge_family(*r, "agentmetrics_segments_attached", "Producer segments currently attached").Add({})),
      segments_reclaimed(
          counter_family(*r, "agentmetrics_segments_reclaimed_total", "Segments of exited producers drained to the end and removed")
              .Add({})),
      scrape_duration_seconds(
          gauge_family(*r, "agentmetrics_scrape_duration_seconds", "Time the last /metrics scrape took to render").Add({})),
      log_lines_suppressed(counter_family(*r, "agentmetrics_log_lines_suppressed_total",
                                          "Log lines left out because their message had used its budget (one a second after a burst)")
                               .Add({})),
      series(
          gauge_family(*r, "agentmetrics_series", "Series the collector keeps, but the overflow series and those without labels").Add({})),
      series_label_bytes(
          gauge_family(*r, "agentmetrics_series_label_bytes", "Bytes of label text of the series the collector keeps").Add({})),
      series_expired(counter_family(*r, "agentmetrics_series_expired_total",
                                    "Series removed after no producer had held them for collector.seriesStaleness")
                         .Add({})),
      registry_(std::move(r)),
      rejected_family_(counter_family(*registry_, "agentmetrics_segments_rejected_total", "Segments refused or abandoned, by reason")),
      invalid_family_(counter_family(*registry_, "agentmetrics_records_invalid_total", "Records or declarations refused, by reason")),
      overflow_family_(
          counter_family(*registry_, "agentmetrics_series_overflowed_total",
                         "Series declarations beyond a bound (per family, in all, label bytes), folded into the family's overflow series")),
      bounded_family_(counter_family(*registry_, "agentmetrics_series_bounded_total",
                                     "Series declarations folded into an overflow series, by the bound that refused them")),
      wait_mode_family_(gauge_family(*registry_, "agentmetrics_wait_mode", "How the collector waits for events: 1 for the mode in use")),
      producer_drained_family_(
          counter_family(*registry_, "agentmetrics_producer_events_drained_total", "Events drained from one producer's rings")),
      producer_dropped_family_(counter_family(*registry_, "agentmetrics_producer_events_dropped_total",
                                              "Events one producer dropped because a ring was full or missing")),
      producer_ring_fill_family_(gauge_family(*registry_, "agentmetrics_producer_ring_fill_ratio",
                                              "Fill of one producer's fullest ring, 0 to 1, at the last look")),
      producer_series_refused_family_(
          counter_family(*registry_, "agentmetrics_producer_series_refused_total",
                         "Families and series one producer could not declare because its string table was full")) {}

prometheus::Counter& SelfMetrics::segment_rejected(ipc::SegmentRejection reason) {
  return rejected_family_.Add({{"reason", std::string(ipc::to_label(reason))}});
}
prometheus::Counter& SelfMetrics::record_invalid(ipc::InvalidRecord reason) {
  return invalid_family_.Add({{"reason", std::string(ipc::to_label(reason))}});
}

prometheus::Counter& SelfMetrics::series_overflowed(const std::string& family) { return overflow_family_.Add({{"family", family}}); }

prometheus::Counter& SelfMetrics::series_bounded(SeriesRefusal bound) {
  return bounded_family_.Add({{"bound", std::string(to_label(bound))}});
}

void SelfMetrics::set_wait_mode(const std::string& mode) { wait_mode_family_.Add({{"mode", mode}}).Set(1); }

SelfMetrics::Producer SelfMetrics::add_producer(const std::string& program, const std::string& pid, const std::string& segment) {
  const std::map<std::string, std::string> labels{{"program", program}, {"pid", pid}, {"segment", segment}};
  return {&producer_drained_family_.Add(labels), &producer_dropped_family_.Add(labels), &producer_ring_fill_family_.Add(labels),
          &producer_series_refused_family_.Add(labels)};
}

void SelfMetrics::remove_producer(const Producer& producer) {
  producer_drained_family_.Remove(producer.drained);
  producer_dropped_family_.Remove(producer.dropped);
  producer_ring_fill_family_.Remove(producer.ring_fill);
  producer_series_refused_family_.Remove(producer.series_refused);
}

}  // namespace agentmetrics::collector
