// The learning system over HTTP, for the opencode plugin and anything that would rather not run
// `cm`: the same operations on the same store, answered in cm's JSON envelope
// ({success, command, timestamp, data, metadata} or {success: false, error: {...}}).
//
//   GET  /api/context?task=...&limit=N   relevant rules, anti-patterns and past tasks
//   POST /api/outcome   {"outcome": "success"|"failure", "rules": [...], "stage", "failure_type", "session"}
//   POST /api/mark      {"id": "b-...", "kind": "helpful"|"harmful", "reason", "session"}
//   GET  /api/playbook  the rules;  POST /api/playbook {"content", "kind", "tags": [...]} adds one
//   POST /api/playbook/remove {"id": "b-..."}
//   GET  /api/stats     playbook health
//   POST /api/reflect   asks the reflection worker for a run now (202)
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "collector/store/sqlite_event_store.h"
#include "collector/http/http_server.h"
#include "collector/learning/learning_service.h"
#include "collector/learning/reflection_worker.h"

namespace agentmetrics::collector {

class LearningApi {
 public:
  // Opens its own connection to the store at the first request (the store may not be usable
  // yet: the collector serves metrics meanwhile). `reflection` may be null (no worker).
  // `registry`, if given, gets agentmetrics_api_requests_total{command, code}.
  LearningApi(const std::string& store_path, learning::LearningSettings settings, learning::ReflectionWorker* reflection,
              prometheus::Registry* registry = nullptr);
  std::map<std::string, HttpRoute> routes();

 private:
  // Runs one operation on the service (one request at a time: one connection) and wraps it. A
  // request waits for the connection, and the connection for a store another writer has
  // locked, a bounded time, then gets 503 with Retry-After: a worker is never held for long.
  template <typename Operation>
  HttpResponse answer(const HttpRequest& request, const char* command, Operation&& operation);
  // The service on an open connection; throws store::StoreError when the store cannot be opened.
  learning::LearningService& service();

  std::string store_path_;
  std::mutex mutex_;
  learning::LearningSettings settings_;
  std::unique_ptr<store::SqliteEventStore> store_;
  std::unique_ptr<learning::LearningService> service_;
  learning::ReflectionWorker* reflection_;
  prometheus::Family<prometheus::Counter>* requests_ = nullptr;  // by command and result code
};

}  // namespace agentmetrics::collector
