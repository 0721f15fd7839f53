// agentmetricsd's parts wired together: the main event loop (signals, segment discovery,
// housekeeping tick), the drain workers with one shard each, and the HTTP endpoints.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "collector/expose/buffer_pool.h"
#include "collector/config/config.h"
#include "collector/drain/drain_worker.h"
#include "collector/daemon/event_loop.h"
#include "collector/expose/scrape.h"
#include "collector/aggregate/family_registry.h"
#include "collector/http/http_server.h"
#include "collector/drain/segment_directory.h"
#include "collector/drain/segment_discovery.h"
#include "collector/expose/self_metrics.h"
#include "collector/store/store_writer.h"
#include "collector/kpi/kpi_service.h"
#include "collector/learning/api/http_routes.h"
#include "collector/learning/reflection_worker.h"
#include "collector/intake/otlp/otlp_receivers.h"
#include "collector/daemon/webhook_routes.h"
#include "collector/intake/session_count_ledger.h"
#include "collector/intake/sessions/session_watcher.h"
#include "collector/ui/ui_routes.h"

namespace agentmetrics::collector {

class Collector {
 public:
  // Starts everything but the event loop; throws std::exception with a message a user can act
  // on.
  explicit Collector(const Config& config);
  // Stops listening, drains every ring one last time, then stops the workers.
  ~Collector();

  // Serves the event loop until SIGTERM or SIGINT; SIGHUP calls `reload`. Returns the signal.
  int run(const std::function<void()>& reload);
  // Takes a new configuration: the log settings and the /metrics options change live; the
  // rest is logged as needing a restart. Called on the loop thread.
  void apply(const Config& next);

  const std::string& wait_mode() const { return wait_mode_; }
  // Records drained from producer rings so far (agentmetrics_events_drained_total), for a
  // caller in the same process that waits for the drain threads (bench/wakeup_bench.cpp).
  double events_drained() const { return self_.events_drained.Value(); }

  HttpResponse serve_metrics(const HttpRequest& request);
  HttpResponse serve_health(const HttpRequest& request);
  HttpResponse serve_readiness(const HttpRequest& request);
  HttpResponse serve_version(const HttpRequest& request);
  HttpResponse serve_landing(const HttpRequest& request);

 private:
  // The collector's own families /metrics shows after the producers', one at a time.
  void collect_own(const FamilySink& sink);
  void tick();
  // The import of the agents' sessions on disk (import.sources), writing `store_path`.
  void start_session_watcher(const std::string& store_path);

  Config config_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  FamilyRegistry registry_;
  SelfMetrics self_;
  std::unique_ptr<alerts::AlertNotifier> notifier_;
  std::unique_ptr<store::StoreWriter> store_;  // null when the store is disabled
  std::unique_ptr<kpi::KpiService> kpis_;      // null when the store is disabled
  // The learning system: null when the store or cass_memory is disabled.
  std::unique_ptr<learning::ReflectionWorker> reflection_;
  std::unique_ptr<LearningApi> learning_api_;
  // The agents' own telemetry: the OTLP receivers, their families and sessions; and the session
  // watcher, which counts into the same families. The ledger says which of the two counts a
  // session (never both); it outlives both.
  intake::SessionCountLedger session_ledger_;
  std::unique_ptr<intake::OtlpReceivers> otlp_;
  std::unique_ptr<WebhookRoutes> webhooks_;                  // the forges' receivers; outlive http_, which calls them
  std::unique_ptr<intake::SessionWatcher> session_watcher_;  // null unless import.sources
  std::unique_ptr<SegmentDirectory> directory_;
  std::vector<std::unique_ptr<DrainWorker>> workers_;
  std::unique_ptr<SegmentDiscovery> discovery_;
  std::unique_ptr<EventLoop> loop_;
  std::string wait_mode_;
  std::unique_ptr<ui::UiRoutes> ui_;  // the /ui page: null when ui.enabled is off or the store disabled
  BufferPool scrape_buffers_;         // chunk buffers; declared before http_, so it outlives every scrape
  HttpCounters http_counters_;        // read by scrapes that may come while http_ is being set
  std::unique_ptr<HttpServer> http_;
  std::size_t next_worker_ = 0;  // discovery runs on the loop thread only: no atomic needed
  unsigned ticks_ = 0;           // the loop thread's too
  // Written by the loop thread, read by HTTP threads: relaxed, each is a self-contained fact.
  std::atomic<std::int64_t> last_tick_ns_{0};
  std::atomic<bool> ready_{false};
  // Changed by a reload on the loop thread, read by HTTP threads; relaxed: independent flags.
  std::atomic<bool> open_metrics_;
  std::atomic<bool> process_metrics_;
};

}  // namespace agentmetrics::collector
