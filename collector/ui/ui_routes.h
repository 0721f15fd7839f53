// The /ui page over HTTP: its embedded files and the small JSON API it reads, all GET, all
// private routes (the learning API's access rule: loopback, a bearer token or the web
// configuration's users; docs/security.md), each answer with a strict Content-Security-Policy.
//
//   GET /ui                                   the page (and /ui/app.js, /ui/app.css, /ui/uPlot.*)
//   GET /ui/api/overview?window=7d            Dashboard::overview: KPIs, usage, tasks, playbook, ...
//   GET /ui/api/task?id=N                     Dashboard::task: one task with the rules it was given
//   GET /ui/api/why?id=b-...                  Dashboard::why: cm why's answer
//
// Nothing here writes: the store is opened read-only, at the first request (the collector may
// serve metrics before its store can be opened). With a team store the tasks, usage and KPIs are
// the team's, read from it; the playbook is read from the sidecar's own SQLite file, if any.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "collector/http/http_server.h"
#include "collector/store/event_store.h"
#include "collector/store/sqlite_event_store.h"
#include "collector/ui/dashboard.h"

namespace agentmetrics::ui {

struct UiOptions {
  std::string store_path;
  std::string store_url{};  // a team store (PostgreSQL): the events are read there
  DashboardOptions dashboard;
  // The windows the page offers (kpi.windows), and the one it opens with.
  std::vector<std::chrono::seconds> windows;
  std::chrono::seconds default_window{std::chrono::hours(24 * 7)};
  // The KPI thread's alerts by KPI id and since when (KpiService::firing); unset, or none (another
  // collector sharing the store alerts on its KPIs): judged from the KPIs' status.
  std::function<std::optional<std::map<std::string, double>>()> firing;
};

// The headers every /ui answer carries: the Content-Security-Policy (default-src 'self', no
// framing, no plugins), nosniff, no referrer.
std::vector<std::pair<std::string, std::string>> ui_security_headers();

class UiRoutes {
 public:
  explicit UiRoutes(UiOptions options);
  ~UiRoutes();
  std::map<std::string, collector::HttpRoute> routes();

 private:
  // Runs `answer` on the dashboard (one request at a time: one connection), waiting a bounded
  // time for it; 503 with Retry-After when it stays busy or the store cannot be opened.
  template <typename Answer>
  collector::HttpResponse with_dashboard(Answer&& answer);

  UiOptions options_;
  std::mutex mutex_;
  std::unique_ptr<store::EventStore> team_;
  std::unique_ptr<store::SqliteEventStore> local_;
  std::unique_ptr<Dashboard> dashboard_;
};

}  // namespace agentmetrics::ui
