#include "collector/ui/ui_routes.h"

#include <sqlite3.h>

#include <charconv>
#include <exception>

#include "collector/common/duration.h"
#include "collector/common/lock_within.h"
#include "collector/common/log.h"
#include "collector/common/unix_time.h"
#include "collector/learning/learning_error.h"
#include "collector/store/store_factory.h"
#include "collector/ui/ui_assets.h"

namespace agentmetrics::ui {
namespace {

using collector::HttpRequest;
using collector::HttpResponse;
using collector::HttpRoute;
using json = nlohmann::ordered_json;

// How long a request waits for the page's connection, and the connection for a locked store.
constexpr auto kWaitForStore = std::chrono::seconds(2);
// Requests of one route running or waiting at once: the page cannot take every worker.
constexpr int kConcurrentPerRoute = 2;
// The windows a request may ask for.
constexpr auto kShortestWindow = std::chrono::minutes(1);
constexpr auto kLongestWindow = std::chrono::hours(24 * 366);

HttpResponse with_headers(HttpResponse response) {
  for (auto& header : ui_security_headers()) response.headers.push_back(std::move(header));
  return response;
}

HttpResponse json_answer(int status, const json& body) {
  HttpResponse response{
      status, "application/json", {{"Cache-Control", "no-store"}}, body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"};
  return with_headers(std::move(response));
}

HttpResponse error_answer(int status, const std::string& message) { return json_answer(status, {{"error", message}}); }

HttpResponse busy(const std::string& why) {
  HttpResponse response = error_answer(503, why);
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

HttpResponse asset_answer(const UiAsset& asset) {
  return with_headers(HttpResponse{200, std::string(asset.content_type), {{"Cache-Control", "no-cache"}}, std::string(asset.bytes)});
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ui_security_headers() {
  return {{"Content-Security-Policy",
           "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
          {"X-Content-Type-Options", "nosniff"},
          {"X-Frame-Options", "DENY"},
          {"Referrer-Policy", "no-referrer"}};
}

UiRoutes::UiRoutes(UiOptions options) : options_(std::move(options)) {}
UiRoutes::~UiRoutes() = default;

template <typename Answer>
HttpResponse UiRoutes::with_dashboard(Answer&& answer) {
  const std::unique_lock lock = lock_within(mutex_, kWaitForStore);
  if (!lock.owns_lock()) return busy("the page's store connection is busy; retry in a second");
  try {
    if (!dashboard_) {
      if (options_.store_url.empty()) {
        local_ = store::SqliteEventStore::open(options_.store_path, store::SqliteEventStore::Mode::kReadOnly);
        sqlite3_busy_timeout(local_->handle(), static_cast<int>(std::chrono::milliseconds(kWaitForStore).count()));
        dashboard_ = std::make_unique<Dashboard>(*local_, options_.dashboard);
      } else {
        // The team's events, and the team's playbook and reflections (learning_store.h).
        team_ = store::open_event_store({options_.store_url, options_.store_path}, store::StoreAccess::kReadOnly);
        learning::LearningStoreOptions playbook{options_.store_url, options_.store_path, options_.dashboard.learning};
        playbook.mapped = false;
        dashboard_ = std::make_unique<Dashboard>(
            *team_, [playbook] { return learning::open_learning_store(playbook); }, options_.dashboard);
      }
    }
    return answer(*dashboard_);
  } catch (const learning::LearningError& e) {
    return error_answer(e.category() == learning::ErrorCategory::kInput ? 404 : 503, e.what());
  } catch (const store::StoreError& e) {
    log(LogLevel::kWarn, "the /ui page could not read the store",
        {{"store", store::store_name({options_.store_url, options_.store_path})}, {"error", e.what()}});
    dashboard_.reset();
    team_.reset();  // opened again by the next request
    local_.reset();
    return busy(e.what());
  }
}

std::map<std::string, HttpRoute> UiRoutes::routes() {
  std::map<std::string, HttpRoute> routes;
  auto add = [&](const std::string& path, collector::HttpHandler handler) {
    HttpRoute route;
    route.handler = std::move(handler);
    route.access = collector::RouteAccess::kPrivate;
    route.max_concurrent = kConcurrentPerRoute;
    routes[path] = std::move(route);
  };
  for (const UiAsset& asset : ui_assets()) {
    const std::string path = asset.name == "index.html" ? "/ui" : "/ui/" + std::string(asset.name);
    add(path, [&asset](const HttpRequest&) { return asset_answer(asset); });
  }
  add("/ui/api/overview", [this](const HttpRequest& r) {
    const auto parameters = r.query_parameters();
    std::chrono::seconds window = options_.default_window;
    if (const auto w = parameters.find("window"); w != parameters.end()) {
      try {
        window = parse_duration(w->second);
      } catch (const std::invalid_argument& e) {
        return error_answer(400, e.what());
      }
      if (window < kShortestWindow || window > kLongestWindow) return error_answer(400, "the window must be 1m to 366d");
    }
    return with_dashboard([&](Dashboard& d) {
      const double now = unix_now();
      json data = d.overview(now, window, options_.firing ? options_.firing() : std::nullopt);
      json windows = json::array();
      for (const auto& offered : options_.windows) windows.push_back(format_duration(offered));
      data["windows"] = std::move(windows);
      // The KPI thread judges the first window, which may not be the one shown.
      if (options_.firing && !options_.windows.empty()) data["alerts_window"] = format_duration(options_.windows.front());
      return json_answer(200, data);
    });
  });
  add("/ui/api/task", [this](const HttpRequest& r) {
    const auto parameters = r.query_parameters();
    const auto id_text = parameters.find("id");
    std::int64_t id = 0;
    if (id_text == parameters.end()) return error_answer(400, "pass the task's id: /ui/api/task?id=N");
    const std::string& t = id_text->second;
    if (const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), id); ec != std::errc() || end != t.data() + t.size()) {
      return error_answer(400, "the id must be a whole number");
    }
    return with_dashboard([&](Dashboard& d) {
      auto task = d.task(id);
      return task ? json_answer(200, *task) : error_answer(404, "no task has the id " + t);
    });
  });
  add("/ui/api/why", [this](const HttpRequest& r) {
    const auto parameters = r.query_parameters();
    const auto id = parameters.find("id");
    if (id == parameters.end() || id->second.empty()) return error_answer(400, "pass the rule's id: /ui/api/why?id=b-...");
    return with_dashboard([&](Dashboard& d) { return json_answer(200, d.why(id->second)); });
  });
  return routes;
}

}  // namespace agentmetrics::ui
