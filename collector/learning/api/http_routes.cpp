#include "collector/learning/api/http_routes.h"

#include <chrono>

#include "collector/common/lock_within.h"
#include "collector/common/log.h"
#include "collector/learning/api/json_envelope.h"
#include "collector/learning/api/requests.h"

namespace agentmetrics::collector {
namespace {

using json = nlohmann::ordered_json;

// How long a request waits for the API's connection, and the connection for a locked store.
constexpr auto kWaitForStore = std::chrono::seconds(2);
// Requests of one route running or waiting at once: the API cannot take every worker.
constexpr int kConcurrentPerRoute = 4;

HttpResponse json_answer(int status, const json& body) {
  return HttpResponse{status, "application/json", {}, body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"};
}

// Come back later: the store, or the API's one connection, stayed busy past kWaitForStore, or
// the team store does not answer now.
HttpResponse unavailable(const char* command, const learning::LearningError& e, double elapsed_ms) {
  HttpResponse response = json_answer(503, learning::error_envelope(command, e, elapsed_ms));
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

HttpResponse busy(const char* command, double elapsed_ms) {
  return unavailable(command,
                     learning::LearningError(learning::ErrorCategory::kFilesystem, "STORE_BUSY",
                                             "the store is busy (another writer holds it)", {"retry in a second"}),
                     elapsed_ms);
}

// The fields of a POST: its JSON object.
json body_fields(const HttpRequest& request) {
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    throw learning::LearningError(learning::ErrorCategory::kInput, "BAD_REQUEST", "the body must be a JSON object");
  }
  return body;
}

// The fields of a GET: its query parameters, every value a string.
json query_fields(const HttpRequest& request) {
  json fields = json::object();
  for (const auto& [name, value] : request.query_parameters()) fields[name] = value;
  return fields;
}

}  // namespace

LearningApi::LearningApi(learning::LearningStoreOptions store, learning::ReflectionWorker* reflection, prometheus::Registry* registry)
    : options_(std::move(store)), reflection_(reflection) {
  // A long-lived process: SQLite's own cache, and a bounded wait for another writer's lock.
  options_.mapped = false;
  options_.lock_wait = kWaitForStore;
  if (registry) {
    requests_ = &prometheus::BuildCounter()
                     .Name("agentmetrics_api_requests_total")
                     .Help("Requests to the learning API by command and result code (OK, or the error's code)")
                     .Register(*registry);
  }
}

learning::LearningStore& LearningApi::store() {
  if (!store_) store_ = learning::open_learning_store(options_);
  return *store_;
}

template <typename Operation>
HttpResponse LearningApi::answer(const HttpRequest& request, const char* command, Operation&& operation) {
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count(); };
  // The audit trail: every change through the API, who asked, from where, and how it ended;
  // every request counted by command and result.
  auto audited = [&](HttpResponse response, const std::string& code) {
    if (requests_) requests_->Add({{"command", command}, {"code", code}}).Increment();
    if (request.method == "POST") {
      log(LogLevel::kInfo, "learning API change",
          {{"command", command}, {"principal", request.principal}, {"peer", request.peer}, {"status", response.status}, {"code", code}});
    }
    return response;
  };
  try {
    const std::unique_lock lock = lock_within(mutex_, kWaitForStore);
    if (!lock.owns_lock()) return audited(busy(command, elapsed()), "STORE_BUSY");
    json data = learning::to_json(operation());
    return audited(json_answer(200, learning::success_envelope(command, std::move(data), elapsed())), "OK");
  } catch (const learning::LearningError& e) {
    if (e.code() == "TEAM_STORE_UNREACHABLE") return audited(unavailable(command, e, elapsed()), e.code());
    return audited(
        json_answer(e.category() == learning::ErrorCategory::kInput ? 400 : 500, learning::error_envelope(command, e, elapsed())),
        e.code());
  } catch (const std::exception& e) {
    const learning::LearningError translated = learning::translate_error(e, options_.url.empty() ? options_.path : std::string());
    if (translated.code() == "STORE_BUSY") return audited(busy(command, elapsed()), translated.code());
    return audited(json_answer(500, learning::error_envelope(command, translated, elapsed())), translated.code());
  }
}

std::map<std::string, HttpRoute> LearningApi::routes() {
  const std::vector<std::string> get = {"GET", "HEAD"};
  const std::vector<std::string> post = {"POST"};
  std::map<std::string, HttpRoute> routes{
      {"/api/context",
       {[this](const HttpRequest& r) {
          return answer(r, "context", [&] {
            const learning::ContextRequest request = learning::decode_context_request(query_fields(r));
            return store().context(request.task, request.limit, request.project);
          });
        },
        get, RouteAccess::kPrivate}},
      {"/api/outcome",
       {[this](const HttpRequest& r) {
          return answer(r, "outcome", [&] { return store().outcome(learning::decode_outcome_request(body_fields(r))); });
        },
        post, RouteAccess::kPrivate}},
      {"/api/mark",
       {[this](const HttpRequest& r) {
          return answer(r, "mark", [&] { return store().mark(learning::decode_mark_request(body_fields(r))); });
        },
        post, RouteAccess::kPrivate}},
      {"/api/playbook",
       {[this](const HttpRequest& r) {
          if (r.method == "POST") {
            return answer(r, "playbook add", [&] {
              // Over the API a rule is manual and names the credential that added it, for review
              // (cm playbook list --source manual).
              learning::NewBullet rule = learning::decode_playbook_add_request(body_fields(r));
              rule.source = learning::BulletSource::kManual;
              rule.added_by = "api:" + r.principal;
              return store().playbook_add(rule);
            });
          }
          return answer(r, "playbook list", [&] { return store().playbook_list(learning::decode_playbook_list_request(query_fields(r))); });
        },
        {"GET", "HEAD", "POST"},
        RouteAccess::kPrivate}},
      {"/api/playbook/remove",
       {[this](const HttpRequest& r) {
          return answer(r, "playbook remove",
                        [&] { return store().playbook_remove(learning::decode_playbook_remove_request(body_fields(r))); });
        },
        post, RouteAccess::kPrivate}},
      {"/api/stats",
       {[this](const HttpRequest& r) { return answer(r, "stats", [&] { return store().stats(); }); }, get, RouteAccess::kPrivate}},
      {"/api/reflect",
       {[this](const HttpRequest& r) {
          if (!reflection_) return json_answer(503, {{"success", false}, {"error", {{"message", "the reflection worker is not running"}}}});
          reflection_->request();
          if (requests_) requests_->Add({{"command", "reflect"}, {"code", "OK"}}).Increment();
          log(LogLevel::kInfo, "learning API change",
              {{"command", "reflect"}, {"principal", r.principal}, {"peer", r.peer}, {"status", 202}, {"code", "OK"}});
          return json_answer(202, {{"success", true}, {"command", "reflect"}, {"data", {{"requested", true}}}});
        },
        post, RouteAccess::kPrivate}},
  };
  for (auto& [path, route] : routes) route.max_concurrent = kConcurrentPerRoute;
  return routes;
}

}  // namespace agentmetrics::collector
