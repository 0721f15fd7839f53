#include "collector/learning/api/http_routes.h"

#include <chrono>

#include "collector/learning/api/json_envelope.h"
#include "collector/learning/api/requests.h"

namespace agentmetrics::collector {
namespace {

using json = nlohmann::ordered_json;

HttpResponse json_answer(int status, const json& body) { return HttpResponse{status, "application/json", {}, body.dump() + "\n"}; }

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

LearningApi::LearningApi(const std::string& store_path, learning::LearningSettings settings, learning::ReflectionWorker* reflection)
    : store_path_(store_path), settings_(std::move(settings)), reflection_(reflection) {}

learning::LearningService& LearningApi::service() {
  if (!service_) {
    store_ = store::EventStore::open(store_path_, store::EventStore::Mode::kReadWrite);
    service_ = std::make_unique<learning::LearningService>(store_->handle(), settings_);
  }
  return *service_;
}

template <typename Operation>
HttpResponse LearningApi::answer(const char* command, Operation&& operation) {
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count(); };
  try {
    std::lock_guard lock(mutex_);
    json data = learning::to_json(operation());
    return json_answer(200, learning::success_envelope(command, std::move(data), elapsed()));
  } catch (const learning::LearningError& e) {
    return json_answer(e.category() == learning::ErrorCategory::kInput ? 400 : 500, learning::error_envelope(command, e, elapsed()));
  } catch (const std::exception& e) {
    return json_answer(500, learning::error_envelope(command, learning::translate_error(e, store_path_), elapsed()));
  }
}

std::map<std::string, HttpRoute> LearningApi::routes() {
  const std::vector<std::string> get = {"GET", "HEAD"};
  const std::vector<std::string> post = {"POST"};
  return {
      {"/api/context",
       {[this](const HttpRequest& r) {
          return answer("context", [&] {
            const learning::ContextRequest request = learning::decode_context_request(query_fields(r));
            return service().context(request.task, request.limit);
          });
        },
        get}},
      {"/api/outcome",
       {[this](const HttpRequest& r) {
          return answer("outcome", [&] { return service().outcome(learning::decode_outcome_request(body_fields(r))); });
        },
        post}},
      {"/api/mark",
       {[this](const HttpRequest& r) {
          return answer("mark", [&] { return service().mark(learning::decode_mark_request(body_fields(r))); });
        },
        post}},
      {"/api/playbook",
       {[this](const HttpRequest& r) {
          if (r.method == "POST") {
            return answer("playbook add", [&] { return service().playbook_add(learning::decode_playbook_add_request(body_fields(r))); });
          }
          return answer("playbook list", [&] { return service().playbook_list(learning::decode_playbook_list_request(query_fields(r))); });
        },
        {"GET", "HEAD", "POST"}}},
      {"/api/playbook/remove",
       {[this](const HttpRequest& r) {
          return answer("playbook remove",
                        [&] { return service().playbook_remove(learning::decode_playbook_remove_request(body_fields(r))); });
        },
        post}},
      {"/api/stats", {[this](const HttpRequest&) { return answer("stats", [&] { return service().stats(); }); }, get}},
      {"/api/reflect",
       {[this](const HttpRequest&) {
          if (!reflection_) return json_answer(503, {{"success", false}, {"error", {{"message", "the reflection worker is not running"}}}});
          reflection_->request();
          return json_answer(202, {{"success", true}, {"command", "reflect"}, {"data", {{"requested", true}}}});
        },
        post}},
  };
}

}  // namespace agentmetrics::collector
