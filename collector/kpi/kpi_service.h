// The KPIs inside the daemon: a thread that recomputes them from the store every
// kpi.refreshInterval (and soon after events are committed), exports them as gauges with
// opencode_ai_success_rate{agent_type}, and posts an Alertmanager alert when a KPI of the first
// window crosses its alert threshold or recovers. It reads the store through a connection of
// its own, and keeps /health's task figures from its last refresh, so /health reads memory only
// and is answered even while the store is slow or locked.
// The KPIs are the store's, not the collector's: of the collectors sharing a store (a team's
// sidecars on one PostgreSQL) one at a time computes, exports and alerts on them, the holder of
// the store's "kpi" lease (store/store_lease.h), and the others export no KPI series and send no
// alert (agentmetrics_kpi_lease_held says which is which; docs/deploy.md). Each keeps its own
// /health figures.
#pragma once

#include <prometheus/metric_family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "collector/alerts/alert_notifier.h"
#include "collector/store/store_factory.h"
#include "collector/store/store_lease.h"
#include "collector/kpi/kpi_engine.h"
#include "collector/kpi/kpi_gauges.h"

namespace agentmetrics::kpi {

struct KpiServiceOptions {
  store::StoreAddress store;                  // the SQLite file, or a team store's URL
  std::vector<std::chrono::seconds> windows;  // the first one is alerted on
  std::chrono::seconds refresh_interval{30};
  kpi::KpiOverrides overrides;
  std::string metric_prefix = "opencode";
};

// How long after a poke the next refresh waits, given how long the last one took: at least 1 s
// (a burst of commits costs one refresh), and long enough that refreshing takes at most a
// twentieth of the thread's time however large the history grows.
std::chrono::steady_clock::duration kpi_poke_delay(std::chrono::steady_clock::duration last_refresh);

class KpiService {
 public:
  // `notifier` may be null (alerts disabled); it and `registry` must outlive the service.
  // The store is opened when first needed: while it cannot be, refreshes log the error and
  // task_figures_24h() throws StoreError.
  KpiService(KpiServiceOptions options, prometheus::Registry& registry, alerts::AlertNotifier* notifier);
  ~KpiService();

  void start();
  void stop();
  // Asks for a refresh soon (new events were committed); never blocks.
  void poke();
  // The /health figures over the last 24 hours, as of the last refresh; none before the first
  // refresh that could read the store.
  std::optional<kpi::TaskFigures> task_figures_24h() const;
  // <prefix>_ai_success_rate{agent_type} from the last refresh; the family is there (empty)
  // before the first task, like the rest of the catalogue.
  prometheus::MetricFamily ai_success_rate() const;
  // KPIs currently past their alert threshold (the first window), for /health.
  std::size_t alerting() const { return alerting_.load(std::memory_order_relaxed); }
  // Those KPIs by id, with when each crossed (Unix seconds), for the /ui page; none while another
  // collector sharing the store holds the KPIs (the page then judges from the KPIs' status).
  std::optional<std::map<std::string, double>> firing() const;

 private:
  void run();
  void refresh();
  void judge(const std::vector<kpi::KpiResult>& results);
  // Becomes the KPIs' holder, or stops being it: its series and alerts go.
  void lead(bool holder);

  // A read-only connection, opened at its first use and until that succeeds (the store writer
  // creates the store, and may not be able to yet).
  class Connection {
   public:
    // Throws StoreError while the store cannot be opened.
    kpi::KpiEngine& engine(const KpiServiceOptions& options);

   private:
    std::unique_ptr<store::EventStore> store_;
    std::unique_ptr<kpi::KpiEngine> engine_;
  };

  KpiServiceOptions options_;
  Connection refresher_;                      // the refresh thread's
  std::unique_ptr<store::StoreLease> lease_;  // the refresh thread's
  // Written by the refresh thread; relaxed: firing() reads it as a flag, nothing is published.
  std::atomic<bool> leading_{false};
  prometheus::Gauge& lease_held_;
  mutable std::mutex figures_mutex_;
  std::optional<kpi::TaskFigures> figures_24h_;
  kpi::KpiGauges gauges_;
  mutable std::mutex rates_mutex_;
  std::map<std::string, double> ai_success_rates_;  // by agent_type
  alerts::AlertNotifier* notifier_;
  mutable std::mutex firing_mutex_;                                            // judge() writes, firing() reads
  std::map<std::string, std::chrono::system_clock::time_point> firing_since_;  // by KPI id
  // Relaxed: a count read by /health, nothing is published through it.
  std::atomic<std::size_t> alerting_{0};

  std::mutex mutex_;
  std::condition_variable wake_;
  bool poked_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace agentmetrics::kpi
