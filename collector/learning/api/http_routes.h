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
//
// They work on the store the configuration names (learning_store.h): this collector's SQLite
// file, or the team's PostgreSQL (store.url), so that an agent asking its sidecar is given the
// team's rules and its feedback reaches the team.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "collector/http/http_server.h"
#include "collector/learning/learning_store.h"
#include "collector/learning/reflection_worker.h"

namespace agentmetrics::collector {

class LearningApi {
 public:
  // Opens its own connection to the store at the first request (the store may not be usable
  // yet: the collector serves metrics meanwhile), and again at the next request after opening
  // failed. `reflection` may be null (no worker). `registry`, if given, gets
  // agentmetrics_api_requests_total{command, code}.
  LearningApi(learning::LearningStoreOptions store, learning::ReflectionWorker* reflection, prometheus::Registry* registry = nullptr);
  std::map<std::string, HttpRoute> routes();

 private:
  // Runs one operation on the store (one request at a time: one connection) and wraps it. A
  // request waits for the connection, and the connection for a store another writer has
  // locked, a bounded time, then gets 503 with Retry-After: a worker is never held for long.
  // A team store that does not answer is a 503 too.
  template <typename Operation>
  HttpResponse answer(const HttpRequest& request, const char* command, Operation&& operation);
  // The open store; throws store::StoreError or LearningError when it cannot be opened.
  learning::LearningStore& store();

  learning::LearningStoreOptions options_;
  std::mutex mutex_;
  std::unique_ptr<learning::LearningStore> store_;
  learning::ReflectionWorker* reflection_;
  prometheus::Family<prometheus::Counter>* requests_ = nullptr;  // by command and result code
};

}  // namespace agentmetrics::collector
