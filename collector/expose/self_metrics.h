// The collector's own health, kept in prometheus-cpp metrics and exposed beside the
// producers' families under the reserved prefix "agentmetrics_".
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>

#include "collector/aggregate/family_registry.h"
#include "ipc/rejection_reason.h"

namespace agentmetrics::collector {

inline constexpr const char* kSelfMetricPrefix = "agentmetrics_";

class SelfMetrics {
 public:
  SelfMetrics();

  prometheus::Registry& registry() { return *registry_; }

  prometheus::Counter& events_drained;
  prometheus::Counter& events_dropped;  // dropped by producers (full rings), as they report it
  prometheus::Counter& series_refused;  // declarations producers refused: a full string table
  prometheus::Counter& frames_received;
  prometheus::Gauge& segments_attached;
  prometheus::Counter& segments_reclaimed;
  prometheus::Gauge& scrape_duration_seconds;
  prometheus::Counter& log_lines_suppressed;  // over a message's budget (common/log.h)
  prometheus::Gauge& series;                  // series kept now (bounded by collector.seriesLimit)
  prometheus::Gauge& series_label_bytes;      // their label text (bounded by collector.labelBytesLimit)
  prometheus::Counter& series_expired;        // series removed seriesStaleness after their last producer went

  // reason: truncated, bad_magic, bad_version, bad_layout, bad_identity, foreign_owner,
  // open_failed, string_table, ring_index, fault
  prometheus::Counter& segment_rejected(ipc::SegmentRejection reason);
  // reason: unknown_series, wrong_op, bad_value, rejected_family, bad_frame
  prometheus::Counter& record_invalid(ipc::InvalidRecord reason);
  // Series declarations folded into a family's overflow series by the series limit.
  prometheus::Counter& series_overflowed(const std::string& family);
  // The same declarations by the bound that refused them: family_limit, series_limit,
  // label_bytes_limit.
  prometheus::Counter& series_bounded(SeriesRefusal bound);
  // agentmetrics_wait_mode{mode} = 1 for the mode in use ("io_uring" or "poll").
  void set_wait_mode(const std::string& mode);

  // One producer's series, labelled {program, pid, segment}; they exist while its segment is
  // attached. The segment's name keeps two producers apart that share a program and a pid
  // (containers in separate pid namespaces, a process that exec'd).
  struct Producer {
    prometheus::Counter* drained;
    prometheus::Counter* dropped;
    prometheus::Gauge* ring_fill;         // the fullest of its rings, 0 to 1
    prometheus::Counter* series_refused;  // declarations refused: its string table was full
  };
  Producer add_producer(const std::string& program, const std::string& pid, const std::string& segment);
  void remove_producer(const Producer& producer);

 private:
  explicit SelfMetrics(std::shared_ptr<prometheus::Registry> registry);
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& rejected_family_;
  prometheus::Family<prometheus::Counter>& invalid_family_;
  prometheus::Family<prometheus::Counter>& overflow_family_;
  prometheus::Family<prometheus::Counter>& bounded_family_;
  prometheus::Family<prometheus::Gauge>& wait_mode_family_;
  prometheus::Family<prometheus::Counter>& producer_drained_family_;
  prometheus::Family<prometheus::Counter>& producer_dropped_family_;
  prometheus::Family<prometheus::Gauge>& producer_ring_fill_family_;
  prometheus::Family<prometheus::Counter>& producer_series_refused_family_;
};

}  // namespace agentmetrics::collector
