#include "collector/daemon/collector.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <optional>
#include <nlohmann/json.hpp>
#include <thread>

#include "collector/common/log.h"
#include "collector/common/thread_memory.h"
#include "collector/config/kpi_settings.h"
#include "collector/daemon/build_info.h"
#include "collector/daemon/http_self_metrics.h"
#include "collector/drain/fault_guard.h"
#include "collector/expose/http_encoding.h"
#include "collector/expose/process_metrics.h"
#include "collector/expose/scrape.h"
#include "collector/store/store_location.h"
#include "ipc/catalogue.h"
#include "ipc/timestamp.h"

namespace agentmetrics::collector {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTick = std::chrono::seconds(1);
// Abandoned segment set-up files are looked for every this many ticks.
constexpr unsigned kTicksPerTidy = 5;
// A drain worker or the loop that has not come round for this long is reported unhealthy.
constexpr auto kStallLimit = std::chrono::seconds(5);
// A scrape's body goes out in chunks of about this size.
constexpr std::size_t kScrapeChunkBytes = 256 * 1024;

std::int64_t now_ns() { return Clock::now().time_since_epoch().count(); }

HttpResponse json_response(int status, const nlohmann::json& body) {
  return HttpResponse{status, "application/json", {}, body.dump() + "\n"};
}

SeriesBounds series_bounds(const Config& c) {
  return SeriesBounds{c.series_limit_per_family, c.family_limit, c.series_limit, c.label_bytes_limit, c.series_staleness};
}

std::map<std::string, NativeHistogramSettings> native_histograms(const Config& c) {
  std::map<std::string, NativeHistogramSettings> out;
  for (const auto& [name, h] : c.prometheus.native_histograms) {
    out[name] = NativeHistogramSettings{h.schema, h.max_buckets, h.zero_threshold, h.classic_buckets};
  }
  return out;
}

}  // namespace

Collector::Collector(const Config& config)
    : config_(config),
      registry_(series_bounds(config), native_histograms(config)),
      open_metrics_(config.prometheus.open_metrics),
      process_metrics_(config.prometheus.collect_default_metrics) {
  install_fault_handler();
  registry_.reserve_prefix(kSelfMetricPrefix);
  registry_.reserve_prefix("process_");
  // The catalogue is visible before its first event. opencode_ai_success_rate is the exception:
  // the collector computes it from the stored tasks (kpi::KpiService), so producers may not set it.
  const auto catalogue = ipc::catalogue_families(config_.metric_prefix);
  for (const auto& family : catalogue) {
    if (&family != &catalogue[static_cast<std::size_t>(ipc::CatalogueFamily::kAiSuccessRate)]) registry_.register_family(family);
  }
  registry_.reserve_prefix(catalogue[static_cast<std::size_t>(ipc::CatalogueFamily::kAiSuccessRate)].name);
  registry_.reserve_prefix(config_.metric_prefix + "_kpi_");

  std::string fallback_reason;
  loop_ = make_event_loop(config_.wait_mode, fallback_reason);
  wait_mode_ = loop_->mode();
  if (!fallback_reason.empty()) {
    log(LogLevel::kWarn, "io_uring is unavailable here; waiting with poll instead", {{"reason", fallback_reason}});
  }
  self_.set_wait_mode(wait_mode_);

  alerts::AlertNotifierOptions alerting;
  alerting.url = config_.alerts.enabled ? config_.alerts.webhook_url : "";
  alerting.timeout = config_.alerts.timeout;
  alerting.max_attempts = config_.alerts.max_attempts;
  alerting.external_url = config_.alerts.external_url;
  alerting.extra_labels = {config_.alerts.labels.begin(), config_.alerts.labels.end()};
  notifier_ = std::make_unique<alerts::AlertNotifier>(alerting, self_.registry());
  if (config_.store.enabled) {
    store::StoreOptions options;
    options.path = store::store_path_for(config_.store.path);
    options.url = config_.store.url;
    // A team store's spool lives where the SQLite store would: this collector's own directory.
    options.spool_path = (std::filesystem::path(options.path).parent_path() / "team-spool.db").string();
    options.spool_limit = config_.store.spool_limit;
    options.retention = config_.store.retention;
    store_ = std::make_unique<store::StoreWriter>(options, self_.registry());
    kpi::KpiServiceOptions kpi_options{
        {options.url, options.path}, kpi_windows(config_), config_.kpi.refresh_interval, kpi_overrides(config_), config_.metric_prefix};
    kpis_ = std::make_unique<kpi::KpiService>(kpi_options, self_.registry(), notifier_.get());
    store_->on_commit([kpis = kpis_.get()] { kpis->poke(); });
    store_->start();
    kpis_->start();
    if (config_.cass_memory.enabled) {
      learning::ReflectionWorkerOptions reflection;
      reflection.metric_prefix = config_.metric_prefix;
      reflection.reflection.max_rules = config_.cass_memory.max_rules;
      reflection.team_url = options.url;
      const auto& sessions = config_.cass_memory.session_patterns;
      reflection.reflection.session_patterns = {sessions.enabled,
                                                static_cast<std::int64_t>(sessions.min_tool_failures),
                                                sessions.min_tool_failure_share,
                                                static_cast<std::int64_t>(sessions.min_edit_failures),
                                                static_cast<std::int64_t>(sessions.min_retry_failures),
                                                static_cast<std::int64_t>(sessions.min_sessions)};
      reflection_ =
          std::make_unique<learning::ReflectionWorker>(options.path, config_.cass_memory.reflection_interval, self_.registry(), reflection);
      reflection_->start();
      learning::LearningSettings settings;
      settings.context_limit = config_.cass_memory.context_limit;
      settings.reflection = reflection.reflection;
      learning_api_ = std::make_unique<LearningApi>(learning::LearningStoreOptions{options.url, options.path, settings}, reflection_.get(),
                                                    &self_.registry());
    }
    log(LogLevel::kInfo, "outcome events are stored",
        {{"store", store::store_name({options.url, options.path})}, {"alerts_to", alerting.url.empty() ? "nobody" : alerting.url}});
  }
  // The agents' families are registered before any producer can declare their names.
  intake::OtlpReceiverOptions otlp;
  otlp.metric_prefix = config_.metric_prefix;
  otlp.http_listen_address = config_.otlp.http_listen_address;
  otlp.grpc_listen_address = config_.otlp.grpc_listen_address;
  otlp.max_request_bytes = config_.otlp.max_request_bytes;
  otlp.label_attributes = config_.otlp.label_attributes;
  otlp.sessions.idle = config_.otlp.session_idle;
  otlp.sessions.privacy.keep_session_ids = config_.otlp.keep_session_ids;
  for (const auto& [model, p] : config_.pricing.models) otlp.prices[model] = {p[0], p[1], p[2], p[3]};
  otlp.daily_budget_usd = config_.pricing.daily_budget_usd;
  otlp_ = std::make_unique<intake::OtlpReceivers>(otlp, registry_, store_.get(), &session_ledger_);
  // The watcher counts into the OTLP receivers' families, and never a session they count.
  if (store_ && !config_.session_import.sources.empty()) start_session_watcher(store_->path());

  directory_ = std::make_unique<SegmentDirectory>(
      config_.segment_dir, config_.ns, SegmentLimits{config_.max_segments, config_.max_segments_per_owner, config_.descriptor_reserve});
  if (directory_->segment_limit() < config_.max_segments) {
    log(LogLevel::kWarn, "the descriptor limit leaves room for fewer segments than collector.maxSegments",
        {{"segments", directory_->segment_limit()}, {"max_segments", config_.max_segments}, {"fix", "raise LimitNOFILE or ulimit -n"}});
  }
  const std::size_t shard_count = config_.shards ? config_.shards : std::max(1u, std::thread::hardware_concurrency());
  for (std::size_t i = 0; i < shard_count; ++i) {
    workers_.push_back(std::make_unique<DrainWorker>(i, registry_, self_, *directory_, wait_mode_ == "io_uring", store_.get(),
                                                     config_.drain_realtime ? DrainPriority::kAuto : DrainPriority::kNormal));
  }
  for (auto& w : workers_) w->start();

  AttachPolicy policy{config_.allowed_uids};
  if (policy.allowed_owners.empty()) policy.allowed_owners.insert(::getuid());
  discovery_ = std::make_unique<SegmentDiscovery>(*directory_, policy, self_, [this](std::unique_ptr<AttachedSegment> s) {
    // Round robin: segments spread over the shards as they arrive.
    workers_[next_worker_++ % workers_.size()]->adopt(std::move(s));
  });
  discovery_->scan();
  loop_->watch(discovery_->fd(), [this] { discovery_->on_readable(); });

  HttpOptions http;
  http.listen_address = config_.effective_listen_address();
  http.threads = config_.http.threads;
  http.request_timeout_ms = static_cast<int>(config_.http.request_timeout.count());
  http.max_request_bytes = config_.http.max_request_bytes;
  http.response_timeout_ms = static_cast<int>(config_.http.response_timeout.count());
  http.max_connections_per_peer = config_.http.max_connections_per_peer;
  http.web = load_web_config(config_.security.web_config_file);
  http.access.tokens = read_token_files(config_.security.api_token_files);
  if (!config_.security.api_token.empty()) http.access.tokens.push_back({"environment", config_.security.api_token});
  http.access.loopback_without_token = config_.security.loopback_without_token;
  http.access.allowed_hosts = config_.security.allowed_hosts;
  http.access.allowed_origins = config_.security.allowed_origins;
  std::map<std::string, HttpRoute> routes{
      {"/", {.handler = [this](const HttpRequest& r) { return serve_landing(r); }, .inline_handler = true}},
      // The probes and the small pages read memory only: answered on the I/O threads, so a
      // kubelet gets its answer even when every worker is taken.
      {"/health", {.handler = [this](const HttpRequest& r) { return serve_health(r); }, .inline_handler = true}},
      {"/readiness", {.handler = [this](const HttpRequest& r) { return serve_readiness(r); }, .inline_handler = true}},
      {"/version", {.handler = [this](const HttpRequest& r) { return serve_version(r); }, .inline_handler = true}},
  };
  // Half the workers at most stream scrapes (Prometheus has one in flight per target): slow
  // readers cannot take the workers the API and the intake need.
  if (config_.prometheus.enabled)
    routes["/metrics"] = {.handler = [this](const HttpRequest& r) { return serve_metrics(r); },
                          .max_concurrent = std::max(1, http.threads / 2)};
  if (learning_api_) routes.merge(learning_api_->routes());
  if (store_ && config_.ui.enabled) {
    ui::UiOptions page;
    page.store_path = store_->path();
    page.store_url = config_.store.url;
    page.dashboard.kpi = kpi::KpiSettings{kpi_overrides(config_)};
    page.dashboard.learning.reflection.max_rules = config_.cass_memory.max_rules;
    page.windows = kpi_windows(config_);
    page.firing = [kpis = kpis_.get()] { return kpis->firing(); };
    ui_ = std::make_unique<ui::UiRoutes>(std::move(page));
    routes.merge(ui_->routes());
  }
  webhooks_ = std::make_unique<WebhookRoutes>(config_, store_.get(), store_ ? store_->path() : std::string(), self_.registry());
  routes.merge(webhooks_->routes());
  http.counters = &http_counters_;
  http_ = std::make_unique<HttpServer>(http, std::move(routes));
  otlp_->start(http);
  last_tick_ns_.store(now_ns(), std::memory_order_relaxed);
  ready_.store(true, std::memory_order_relaxed);
  log(LogLevel::kInfo, "collector started",
      {{"listen", http.listen_address},
       {"port", http_->port()},
       {"segment_dir", config_.segment_dir},
       {"namespace", config_.ns},
       {"shards", workers_.size()},
       {"wait_mode", wait_mode_},
       {"tls", http.web.tls.has_value()},
       {"basic_auth", !http.web.basic_auth_users.empty()}});
}

void Collector::start_session_watcher(const std::string& store_path) {
  const auto& c = config_.session_import;
  intake::WatcherOptions w;
  w.store_path = store_path;
  w.store_url = config_.store.url;
  w.import.agents.clear();
  for (const auto& source : c.sources) w.import.agents.push_back(*intake::parse_source_name(source));
  for (const auto& [source, path] : c.paths) w.import.paths[*intake::parse_source_name(source)] = path;
  w.import.privacy = {c.keep_session_ids, c.max_text_bytes};
  w.settle = c.settle;
  w.rescan = c.rescan;
  for (const auto& [model, p] : config_.pricing.models) w.import.prices.set(model, {p[0], p[1], p[2], p[3]});
  w.on_stored = [kpis = kpis_.get()] { kpis->poke(); };
  session_watcher_ = std::make_unique<intake::SessionWatcher>(std::move(w), &otlp_->families(), &session_ledger_, self_.registry());
  session_watcher_->start();
}

Collector::~Collector() {
  ready_.store(false, std::memory_order_relaxed);
  http_.reset();
  session_watcher_.reset();
  otlp_->stop();  // its sessions go to the store before it stops
  if (reflection_) reflection_->stop();
  for (auto& w : workers_) w->stop();
  if (store_) {
    // The final drain's events are committed, then their ring space is given back: a collector
    // started later reads none of them again.
    store_->stop();
    for (auto& w : workers_) w->publish_acknowledged();
    kpis_->stop();
  }
  notifier_->stop();
  // The totals after the final drain: what this run took from the rings, for the record.
  log(LogLevel::kInfo, "collector stopped",
      {{"events_drained", static_cast<std::uint64_t>(self_.events_drained.Value())},
       {"events_dropped", static_cast<std::uint64_t>(self_.events_dropped.Value())}});
}

int Collector::run(const std::function<void()>& reload) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  const int sfd = ::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sfd < 0) throw std::system_error(errno, std::generic_category(), "signalfd");
  int stop_signal = 0;
  loop_->watch(sfd, [&] {
    signalfd_siginfo info{};
    while (::read(sfd, &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
      if (info.ssi_signo == SIGHUP) {
        reload();
      } else {
        stop_signal = static_cast<int>(info.ssi_signo);
        loop_->stop();
      }
    }
  });
  loop_->run(std::chrono::duration_cast<std::chrono::milliseconds>(kTick), [this] { tick(); });
  ::close(sfd);
  ready_.store(false, std::memory_order_relaxed);
  log(LogLevel::kInfo, "stopping", {{"signal", stop_signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
  return stop_signal;
}

void Collector::tick() {
  last_tick_ns_.store(now_ns(), std::memory_order_relaxed);
  if (++ticks_ % kTicksPerTidy == 0) discovery_->tidy();
  discovery_->retry_waiting();
  report_suppressed_logs();
  self_.log_lines_suppressed.Increment(static_cast<double>(log_lines_suppressed()) - self_.log_lines_suppressed.Value());
  self_.series_expired.Increment(static_cast<double>(registry_.expire(Clock::now())));
  release_thread_memory();
  otlp_->tick();
}

void Collector::apply(const Config& next) {
  configure_logging(parse_log_level(next.log.level), next.log.format == "json");
  open_metrics_.store(next.prometheus.open_metrics, std::memory_order_relaxed);
  process_metrics_.store(next.prometheus.collect_default_metrics, std::memory_order_relaxed);
  auto restart_needed = [&](const char* key, bool changed) {
    if (changed) log(LogLevel::kWarn, "configuration change takes effect after a restart", {{"key", key}});
  };
  restart_needed("collector.listenAddress", next.effective_listen_address() != config_.effective_listen_address());
  restart_needed("collector.namespace", next.ns != config_.ns);
  restart_needed("collector.segmentDir", next.segment_dir != config_.segment_dir);
  restart_needed("collector.shards", next.shards != config_.shards);
  restart_needed("collector.seriesLimitPerFamily", next.series_limit_per_family != config_.series_limit_per_family);
  restart_needed("collector.familyLimit", next.family_limit != config_.family_limit);
  restart_needed("collector.seriesLimit", next.series_limit != config_.series_limit);
  restart_needed("collector.labelBytesLimit", next.label_bytes_limit != config_.label_bytes_limit);
  restart_needed("collector.seriesStaleness", next.series_staleness != config_.series_staleness);
  restart_needed("collector.drainPriority", next.drain_realtime != config_.drain_realtime);
  restart_needed("prometheus.nativeHistograms", native_histograms(next) != native_histograms(config_));
  restart_needed("collector.metricPrefix", next.metric_prefix != config_.metric_prefix);
  restart_needed("collector.allowUids", next.allowed_uids != config_.allowed_uids);
  restart_needed("collector.maxSegments", next.max_segments != config_.max_segments ||
                                              next.max_segments_per_owner != config_.max_segments_per_owner ||
                                              next.descriptor_reserve != config_.descriptor_reserve);
  restart_needed("collector.waitMode", next.wait_mode != config_.wait_mode);
  restart_needed("collector.http", next.http.threads != config_.http.threads || next.http.request_timeout != config_.http.request_timeout ||
                                       next.http.max_request_bytes != config_.http.max_request_bytes ||
                                       next.http.response_timeout != config_.http.response_timeout ||
                                       next.http.max_connections_per_peer != config_.http.max_connections_per_peer);
  // The web configuration (TLS, users) is read again on every reload, as exporters do: a
  // renewed certificate is taken without a restart. A bad one keeps the running one.
  try {
    http_->reload(load_web_config(next.security.web_config_file));
    config_.security.web_config_file = next.security.web_config_file;
    log(LogLevel::kInfo, "web configuration reloaded", {{"file", next.security.web_config_file}});
  } catch (const std::exception& e) {
    log(LogLevel::kError, "web configuration not reloaded; keeping the running one", {{"error", e.what()}});
  }
  restart_needed("prometheus.enabled", next.prometheus.enabled != config_.prometheus.enabled);
  log(LogLevel::kInfo, "configuration reloaded",
      {{"log_level", next.log.level},
       {"open_metrics", next.prometheus.open_metrics},
       {"collect_default_metrics", next.prometheus.collect_default_metrics}});
}

void Collector::collect_own(const FamilySink& sink) {
  // Read at the scrape, not at the last tick: a gauge set a tick ago could still say 0 series
  // after a producer has declared thousands.
  self_.series.Set(static_cast<double>(registry_.series_count()));
  self_.series_label_bytes.Set(static_cast<double>(registry_.label_bytes()));
  for (const auto& f : self_.registry().Collect()) sink(f);
  if (kpis_) sink(kpis_->ai_success_rate());
  for (const auto& f : otlp_->self_metrics()) sink(f);
  for (const auto& f : http_self_metrics({{"main", &http_counters_}, {"otlp_http", otlp_->http_counters()}})) sink(f);
  if (process_metrics_.load(std::memory_order_relaxed)) {
    for (const auto& f : collect_process_metrics()) sink(f);
  }
}

HttpResponse Collector::serve_metrics(const HttpRequest& request) {
  ScrapeOptions options;
  options.format = negotiate_format(request.header("accept"), open_metrics_.load(std::memory_order_relaxed));
  options.gzip = accepts_gzip(request.header("accept-encoding"));
  options.chunk_bytes = kScrapeChunkBytes;
  HttpResponse response{200, content_type(options.format), {{"Vary", "Accept, Accept-Encoding"}}, {}};
  if (options.gzip) response.headers.push_back({"Content-Encoding", "gzip"});
  // Written from the shards family by family and sent in chunks as it is written, so a scrape
  // of many series never holds them, or the body, all at once.
  response.stream = [this, options](const std::function<bool(std::string_view)>& write) {
    const auto start = Clock::now();
    write_scrape(
        registry_, [this](const FamilySink& sink) { collect_own(sink); }, options, scrape_buffers_, write);
    self_.scrape_duration_seconds.Set(std::chrono::duration<double>(Clock::now() - start).count());
    release_thread_memory();  // what the scrape allocated on this HTTP thread
  };
  return response;
}

HttpResponse Collector::serve_health(const HttpRequest&) {
  const std::int64_t now = now_ns();
  const std::int64_t limit = std::chrono::duration_cast<std::chrono::nanoseconds>(kStallLimit).count();
  bool drain = true;
  for (auto& w : workers_) drain = drain && now - w->last_alive_ns() < limit;
  struct stat st {};
  const bool directory = ::fstat(directory_->fd(), &st) == 0 && st.st_nlink > 0;
  const bool loop = now - last_tick_ns_.load(std::memory_order_relaxed) < limit;
  nlohmann::json services = {{"drain_workers", drain}, {"segment_directory", directory}, {"event_loop", loop}};
  bool healthy = drain && directory && loop;
  nlohmann::json store_detail;
  if (store_) {
    services["store"] = store_->healthy();
    healthy = healthy && store_->healthy();
    // Why, naming a team store's URL without its password; and what waits in its spool.
    if (!store_->healthy()) store_detail["error"] = store_->last_error();
    if (!config_.store.url.empty()) store_detail["spooled"] = store_->spooled();
  }
  // A receiver that could not listen is reported, and the collector is healthy without it.
  services.update(otlp_->health());
  nlohmann::json figures = {
      {"tasks_completed_24h", nullptr}, {"success_rate_24h", nullptr}, {"avg_task_duration_24h", nullptr}, {"cost_usd_24h", nullptr}};
  // From the KPI thread's last refresh: /health reads memory only, so it is answered at once
  // on the listener's I/O thread whatever the store and the workers are doing.
  if (const auto tasks = kpis_ ? kpis_->task_figures_24h() : std::nullopt) {
    // Finished tasks, whatever their outcome: success_rate_24h says how many succeeded.
    figures = {{"tasks_completed_24h", tasks->tasks},
               {"success_rate_24h", tasks->success_rate ? nlohmann::json(*tasks->success_rate) : nlohmann::json(nullptr)},
               {"avg_task_duration_24h",
                tasks->avg_task_duration_seconds ? nlohmann::json(*tasks->avg_task_duration_seconds) : nlohmann::json(nullptr)},
               // What the day's tasks that report a cost cost (null when none does).
               {"cost_usd_24h", tasks->cost_usd ? nlohmann::json(*tasks->cost_usd) : nlohmann::json(nullptr)},
               {"kpis_alerting", kpis_->alerting()}};
  }
  nlohmann::json body = {
      {"status", healthy ? "healthy" : "unhealthy"},
      {"timestamp", ipc::format_timestamp(std::chrono::system_clock::now())},
      {"uptime", std::chrono::duration<double>(Clock::now() - started_).count()},
      {"wait_mode", wait_mode_},
      {"services", services},
      {"metrics", figures},
  };
  if (!store_detail.is_null()) body["store"] = store_detail;
  return json_response(healthy ? 200 : 503, body);
}

HttpResponse Collector::serve_readiness(const HttpRequest&) {
  const bool ready = ready_.load(std::memory_order_relaxed);
  return json_response(ready ? 200 : 503, {{"ready", ready}});
}

HttpResponse Collector::serve_version(const HttpRequest&) {
  const BuildInfo info = build_info();
  return json_response(200, {{"version", info.version}, {"commit", info.commit}, {"build_time", info.build_time}});
}

HttpResponse Collector::serve_landing(const HttpRequest&) {
  return HttpResponse{200,
                      "text/html; charset=utf-8",
                      {},
                      "<!doctype html><html><head><title>agentmetricsd</title></head><body>"
                      "<h1>agentmetricsd</h1><ul>"
                      "<li><a href=\"/metrics\">/metrics</a>: Prometheus metrics</li>"
                      "<li><a href=\"/health\">/health</a>: health and the last 24 hours of tasks</li>"
                      "<li><a href=\"/readiness\">/readiness</a></li>"
                      "<li><a href=\"/version\">/version</a></li>"
                      "<li><a href=\"/api/stats\">/api/stats</a>: the learning system's playbook (docs/learning.md)</li>" +
                          std::string(ui_ ? "<li><a href=\"/ui\">/ui</a>: the KPIs, tokens and cost, tasks and the playbook, "
                                            "in a browser (docs/ui.md)</li>"
                                          : "") +
                          "</ul></body></html>\n"};
}

}  // namespace agentmetrics::collector
