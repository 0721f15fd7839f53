// agentmetricsd's parts wired together: segment discovery feeding the drain workers, one
// shard each, and the HTTP endpoints reading the shards.
#pragma once

#include <sys/types.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "drain_worker.h"
#include "family_registry.h"
#include "http_server.h"
#include "segment_directory.h"
#include "segment_discovery.h"
#include "self_metrics.h"

namespace agentmetrics::collector {

struct CollectorOptions {
  std::string listen_address = ":9090";
  std::string segment_dir = "/dev/shm";
  std::string ns = "default";
  std::string metric_prefix = "opencode";
  std::size_t shards = 1;
  std::set<uid_t> allowed_owners;  // empty: only our own uid
};

class Collector {
 public:
  // Starts everything; throws std::exception with a message a user can act on.
  explicit Collector(const CollectorOptions& options);
  // Stops listening, drains every ring one last time, then stops the workers.
  ~Collector();

  int http_port() const { return http_->port(); }
  // The /metrics body in the text format.
  std::string render_metrics();

 private:
  HttpResponse serve_metrics(const HttpRequest& request);
  HttpResponse serve_landing(const HttpRequest& request);

  CollectorOptions options_;
  FamilyRegistry registry_;
  SelfMetrics self_;
  std::unique_ptr<SegmentDirectory> directory_;
  std::vector<std::unique_ptr<DrainWorker>> workers_;
  std::unique_ptr<SegmentDiscovery> discovery_;
  std::unique_ptr<HttpServer> http_;
  std::atomic<std::size_t> next_worker_{0};
};

}  // namespace agentmetrics::collector
