#include "collector/learning/api/http_routes.h"

#include <chrono>

#include "collector/learning/api/json_envelope.h"

namespace agentmetrics::collector {
namespace {

using json = nlohmann::ordered_json;

HttpResponse json_answer(int status, const json& body) { return HttpResponse{status, "application/json", {}, body.dump() + "\n"}; }

learning::LearningError bad_input(const std::string& message) {
  return learning::LearningError(learning::ErrorCategory::kInput, "BAD_REQUEST", message);
}

json parse_body(const HttpRequest& request) {
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) throw bad_input("the body must be a JSON object");
  return body;
}

std::string text_field(const json& body, const char* name, bool required) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (required) throw bad_input(std::string("the field \"") + name + "\" is required");
    return {};
  }
  if (!it->is_string()) throw bad_input(std::string("the field \"") + name + "\" must be a string");
  return it->get<std::string>();
}

// A list given as a JSON array of strings or as one comma-separated string.
std::vector<std::string> list_field(const json& body, const char* name) {
  std::vector<std::string> out;
  const auto it = body.find(name);
  if (it == body.end()) return out;
  if (it->is_string()) {
    std::string item;
    for (char c : it->get<std::string>()) {
      if (c == ',') {
        if (!item.empty()) out.push_back(item);
        item.clear();
      } else {
        item += c;
      }
    }
    if (!item.empty()) out.push_back(item);
    return out;
  }
  if (!it->is_array()) throw bad_input(std::string("the field \"") + name + "\" must be a list of strings");
  for (const auto& v : *it) {
    if (!v.is_string()) throw bad_input(std::string("the field \"") + name + "\" must be a list of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
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
    json data = operation();
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
      {"/api/context", {[this](const HttpRequest& r) {
                          return answer("context", [&] {
                            const std::string limit = r.query_parameter("limit");
                            std::optional<int> n;
                            if (!limit.empty()) {
                              try {
                                n = std::stoi(limit);
                              } catch (const std::exception&) {
                                throw bad_input("limit must be a number");
                              }
                            }
                            return service().context(r.query_parameter("task"), n);
                          });
                        },
                        get}},
      {"/api/outcome", {[this](const HttpRequest& r) {
                          return answer("outcome", [&] {
                            const json body = parse_body(r);
                            learning::OutcomeRequest request;
                            request.status = text_field(body, "outcome", false);
                            if (request.status.empty()) request.status = text_field(body, "status", true);
                            request.rule_ids = list_field(body, "rules");
                            request.stage = text_field(body, "stage", false);
                            request.failure_type = text_field(body, "failure_type", false);
                            request.session_id = text_field(body, "session", false);
                            return service().outcome(request);
                          });
                        },
                        post}},
      {"/api/mark", {[this](const HttpRequest& r) {
                       return answer("mark", [&] {
                         const json body = parse_body(r);
                         learning::MarkRequest request;
                         request.id = text_field(body, "id", true);
                         const std::string kind = text_field(body, "kind", true);
                         if (kind != "helpful" && kind != "harmful") throw bad_input("kind must be helpful or harmful");
                         request.kind = kind == "helpful" ? learning::FeedbackKind::kHelpful : learning::FeedbackKind::kHarmful;
                         request.reason = text_field(body, "reason", false);
                         request.session_id = text_field(body, "session", false);
                         return service().mark(request);
                       });
                     },
                     post}},
      {"/api/playbook", {[this](const HttpRequest& r) {
                           if (r.method == "POST") {
                             return answer("playbook add", [&] {
                               const json body = parse_body(r);
                               learning::NewBullet bullet;
                               bullet.content = text_field(body, "content", true);
                               const std::string kind = text_field(body, "kind", false);
                               if (!kind.empty() && kind != "rule" && kind != "anti-pattern") throw bad_input("kind must be rule or anti-pattern");
                               if (kind == "anti-pattern") bullet.kind = learning::BulletKind::kAntiPattern;
                               bullet.tags = list_field(body, "tags");
                               return service().playbook_add(bullet);
                             });
                           }
                           return answer("playbook list", [&] { return service().playbook_list({}); });
                         },
                         {"GET", "HEAD", "POST"}}},
      {"/api/playbook/remove", {[this](const HttpRequest& r) {
                                  return answer("playbook remove", [&] { return service().playbook_remove(text_field(parse_body(r), "id", true)); });
                                },
                                post}},
      {"/api/stats", {[this](const HttpRequest&) { return answer("stats", [&] { return service().stats(); }); }, get}},
      {"/api/reflect", {[this](const HttpRequest&) {
                          if (!reflection_) return json_answer(503, {{"success", false}, {"error", {{"message", "the reflection worker is not running"}}}});
                          reflection_->request();
                          return json_answer(202, {{"success", true}, {"command", "reflect"}, {"data", {{"requested", true}}}});
                        },
                        post}},
  };
}

}  // namespace agentmetrics::collector
