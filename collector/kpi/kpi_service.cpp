#include "collector/common/duration.h"
#include "collector/kpi/kpi_service.h"

#include <pthread.h>

#include <algorithm>

#include "collector/common/log.h"
#include "collector/common/unix_time.h"
#include "ipc/catalogue.h"

namespace agentmetrics::kpi {
namespace {

// After a poke, wait at least this long for more events before recomputing: a burst of commits
// costs one refresh.
constexpr auto kPokeDelay = std::chrono::seconds(1);
// and at least this many times the last refresh's duration: a refresh reads every event of the
// windows (30 days), so on a large history under a steady stream of events the KPI thread would
// otherwise keep a quarter of a core busy. This keeps it to a twentieth.
constexpr int kPokeDelayPerRefreshTime = 19;

std::string unit_text(kpi::KpiUnit unit) {
  const std::string_view u = kpi::to_string(unit);
  if (u == "percent") return "%";
  if (u == "hours") return "h";
  if (u == "minutes") return "min";
  if (u == "usd") return "USD";
  return std::string(u);
}

}  // namespace

std::chrono::steady_clock::duration kpi_poke_delay(std::chrono::steady_clock::duration last_refresh) {
  return std::max<std::chrono::steady_clock::duration>(kPokeDelay, kPokeDelayPerRefreshTime * last_refresh);
}

KpiService::KpiService(KpiServiceOptions options, prometheus::Registry& registry, alerts::AlertNotifier* notifier)
    : options_(std::move(options)),
      lease_(store::open_store_lease(options_.store, "kpi")),
      lease_held_(prometheus::BuildGauge()
                      .Name("agentmetrics_kpi_lease_held")
                      .Help("1 when this collector computes, exports and alerts on the store's KPIs; 0 when another collector "
                            "sharing the store does (docs/deploy.md)")
                      .Register(registry)
                      .Add({})),
      gauges_(registry, options_.metric_prefix),
      notifier_(notifier) {}

kpi::KpiEngine& KpiService::Connection::engine(const KpiServiceOptions& options) {
  if (!engine_) {
    store_ = store::open_event_store(options.store, store::StoreAccess::kReadOnly);
    engine_ = std::make_unique<kpi::KpiEngine>(*store_, kpi::KpiSettings{options.overrides});
  }
  return *engine_;
}

KpiService::~KpiService() { stop(); }

void KpiService::start() {
  thread_ = std::thread([this] { run(); });
  pthread_setname_np(thread_.native_handle(), "am-kpi");
}

void KpiService::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void KpiService::poke() {
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  wake_.notify_all();
}

std::optional<kpi::TaskFigures> KpiService::task_figures_24h() const {
  std::lock_guard lock(figures_mutex_);
  return figures_24h_;
}

void KpiService::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const auto started = std::chrono::steady_clock::now();
    try {
      refresh();
    } catch (const std::exception& e) {
      log(LogLevel::kError, "KPI refresh failed", {{"error", e.what()}});
    }
    const auto poke_delay = kpi_poke_delay(std::chrono::steady_clock::now() - started);
    lock.lock();
    // The next refresh: at the interval, or shortly after a poke.
    const auto deadline = std::chrono::steady_clock::now() + options_.refresh_interval;
    wake_.wait_until(lock, deadline, [&] { return stopping_ || poked_; });
    if (poked_ && !stopping_) {
      poked_ = false;
      wake_.wait_for(lock, poke_delay, [&] { return stopping_; });
    }
  }
}

void KpiService::refresh() {
  const double now = unix_now();
  lead(lease_->hold());
  kpi::KpiEngine& engine = refresher_.engine(options_);
  const kpi::TaskFigures figures = engine.task_figures(std::chrono::hours(24), now);
  {
    std::lock_guard lock(figures_mutex_);
    figures_24h_ = figures;
  }
  if (!leading_.load(std::memory_order_relaxed)) return;
  for (std::size_t i = 0; i < options_.windows.size(); ++i) {
    const auto results = engine.compute(options_.windows[i], now);
    gauges_.update(format_duration(options_.windows[i]), results);
    if (i == 0) judge(results);
  }
  auto rates = engine.ai_success_rate_by_agent(options_.windows.front(), now);
  std::lock_guard lock(rates_mutex_);
  ai_success_rates_ = std::move(rates);
}

void KpiService::lead(bool holder) {
  if (holder == leading_.load(std::memory_order_relaxed)) return;
  leading_.store(holder, std::memory_order_relaxed);
  lease_held_.Set(holder ? 1 : 0);
  const std::string store = store::store_name(options_.store);
  if (holder) {
    log(LogLevel::kInfo, "this collector computes the store's KPIs and alerts on them", {{"store", store}});
    return;
  }
  log(LogLevel::kWarn, "another collector sharing the store computes its KPIs now; this one exports none",
      {{"store", store}, {"error", lease_->error()}});
  for (const auto& window : options_.windows) gauges_.remove_window(format_duration(window));
  {
    // The holder judges them now, and says when they resolve.
    const std::lock_guard lock(firing_mutex_);
    firing_since_.clear();
  }
  alerting_.store(0, std::memory_order_relaxed);
  std::lock_guard lock(rates_mutex_);
  ai_success_rates_.clear();
}

prometheus::MetricFamily KpiService::ai_success_rate() const {
  const ipc::FamilyDecl decl =
      ipc::catalogue_families(options_.metric_prefix)[static_cast<std::size_t>(ipc::CatalogueFamily::kAiSuccessRate)];
  prometheus::MetricFamily family{decl.name, decl.help, prometheus::MetricType::Gauge, {}};
  std::lock_guard lock(rates_mutex_);
  for (const auto& [agent, rate] : ai_success_rates_) {
    prometheus::ClientMetric metric;
    metric.label.push_back({"agent_type", agent});
    metric.gauge.value = rate;
    family.metric.push_back(std::move(metric));
  }
  return family;
}

std::optional<std::map<std::string, double>> KpiService::firing() const {
  if (!leading_.load(std::memory_order_relaxed)) return std::nullopt;
  std::map<std::string, double> out;
  const std::lock_guard lock(firing_mutex_);
  for (const auto& [id, since] : firing_since_) out[id] = std::chrono::duration<double>(since.time_since_epoch()).count();
  return out;
}

void KpiService::judge(const std::vector<kpi::KpiResult>& results) {
  const auto now = std::chrono::system_clock::now();
  const std::lock_guard lock(firing_mutex_);
  const std::string window = format_duration(options_.windows.front());
  std::size_t alerting = 0;
  for (const auto& r : results) {
    const std::string id(r.definition->id);
    const bool alert = r.status == kpi::KpiStatus::kAlert;
    alerting += alert ? 1 : 0;
    auto firing = firing_since_.find(id);
    if (alert == (firing != firing_since_.end())) continue;  // no change
    alerts::KpiAlert a;
    a.kpi = id;
    a.name = std::string(r.definition->name);
    a.window = window;
    a.group = std::string(kpi::to_string(r.definition->group));
    a.severity = "warning";
    a.firing = alert;
    a.value = r.value.value_or(0);
    a.target = r.thresholds.target;
    a.threshold = r.thresholds.alert;
    a.unit = unit_text(r.definition->unit);
    if (alert) {
      firing_since_[id] = now;
      a.starts_at = now;
    } else {
      a.starts_at = firing->second;
      a.ends_at = now;
      firing_since_.erase(firing);
    }
    log(alert ? LogLevel::kWarn : LogLevel::kInfo, alert ? "KPI crossed its alert threshold" : "KPI recovered",
        {{"kpi", id}, {"window", window}, {"value", a.value}, {"threshold", a.threshold}});
    if (notifier_) notifier_->notify(std::move(a));
  }
  alerting_.store(alerting, std::memory_order_relaxed);
}

}  // namespace agentmetrics::kpi
