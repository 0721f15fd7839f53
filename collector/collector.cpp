#include "collector.h"

#include <unistd.h>

#include <chrono>

#include "catalogue.h"
#include "exposition.h"
#include "fault_guard.h"
#include "log.h"

namespace agentmetrics::collector {

Collector::Collector(const CollectorOptions& options) : options_(options) {
  install_fault_handler();
  registry_.reserve_prefix(kSelfMetricPrefix);
  registry_.reserve_prefix("process_");
  for (const auto& family : ipc::catalogue_families(options_.metric_prefix)) registry_.register_family(family);

  directory_ = std::make_unique<SegmentDirectory>(options_.segment_dir, options_.ns);
  for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.shards); ++i) {
    workers_.push_back(std::make_unique<DrainWorker>(i, registry_, self_, *directory_));
  }
  for (auto& w : workers_) w->start();

  AttachPolicy policy{options_.allowed_owners};
  if (policy.allowed_owners.empty()) policy.allowed_owners.insert(::getuid());
  discovery_ = std::make_unique<SegmentDiscovery>(*directory_, policy, self_, [this](std::unique_ptr<AttachedSegment> s) {
    // Round robin: segments spread over the shards as they arrive.
    workers_[next_worker_.fetch_add(1, std::memory_order_relaxed) % workers_.size()]->adopt(std::move(s));
  });
  discovery_->start();

  http_ = std::make_unique<HttpServer>(HttpOptions{options_.listen_address},
                                       std::map<std::string, HttpHandler>{
                                           {"/metrics", [this](const HttpRequest& r) { return serve_metrics(r); }},
                                           {"/", [this](const HttpRequest& r) { return serve_landing(r); }},
                                       });
  log(LogLevel::kInfo, "collector started",
      {{"listen", options_.listen_address}, {"port", http_->port()}, {"segment_dir", options_.segment_dir},
       {"namespace", options_.ns}, {"shards", workers_.size()}});
}

Collector::~Collector() {
  http_.reset();
  discovery_->stop();
  for (auto& w : workers_) w->stop();
  log(LogLevel::kInfo, "collector stopped");
}

std::string Collector::render_metrics() {
  const auto start = std::chrono::steady_clock::now();
  std::vector<Shard*> shards;
  for (auto& w : workers_) shards.push_back(&w->shard());
  auto families = collect_families(registry_, shards, self_);
  std::string body = render_text(families);
  self_.scrape_duration_seconds.Set(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return body;
}

HttpResponse Collector::serve_metrics(const HttpRequest&) {
  return HttpResponse{200, kTextContentType, {}, render_metrics()};
}

HttpResponse Collector::serve_landing(const HttpRequest&) {
  return HttpResponse{200, "text/html; charset=utf-8", {},
                      "<!doctype html><html><head><title>agentmetricsd</title></head><body>"
                      "<h1>agentmetricsd</h1><p><a href=\"/metrics\">/metrics</a></p></body></html>\n"};
}

}  // namespace agentmetrics::collector
