#include "collector/learning/api/requests.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <initializer_list>
#include <string_view>

#include "collector/learning/learning_error.h"
#include "collector/learning/text_tokens.h"

namespace agentmetrics::learning {
namespace {

using json = nlohmann::ordered_json;

// The fields of one request, looked up by their name or an alias of it.
class Fields {
 public:
  explicit Fields(const json& object) : object_(object) {
    if (!object_.is_object()) throw input_error("INVALID_ARGUMENT", "the request must be an object of named fields");
  }

  std::string text(std::string_view name, std::initializer_list<std::string_view> aliases = {}) const {
    const json* value = find(name, aliases);
    if (!value) return {};
    if (!value->is_string()) throw invalid(name, "must be a string");
    if (!valid_utf8(value->get_ref<const std::string&>())) throw invalid(name, "must be UTF-8 text");
    return value->get<std::string>();
  }

  std::string required_text(std::string_view name, std::initializer_list<std::string_view> aliases = {}) const {
    std::string value = text(name, aliases);
    if (value.empty()) throw input_error("MISSING_ARGUMENT", "the field '" + std::string(name) + "' is required");
    return value;
  }

  std::optional<std::int64_t> integer(std::string_view name) const {
    const json* value = find(name, {});
    if (!value) return std::nullopt;
    if (value->is_number_integer()) return value->get<std::int64_t>();
    if (value->is_string()) {
      const std::string& s = value->get_ref<const std::string&>();
      std::int64_t n = 0;
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (ec == std::errc() && end == s.data() + s.size()) return n;
      if (ec == std::errc::result_out_of_range) return s.front() == '-' ? INT64_MIN : INT64_MAX;
    }
    throw invalid(name, "must be a whole number");
  }

  std::optional<double> number(std::string_view name) const {
    const json* value = find(name, {});
    if (!value) return std::nullopt;
    if (value->is_number()) return value->get<double>();
    if (value->is_string()) {
      const std::string& s = value->get_ref<const std::string&>();
      double n = 0;
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (ec == std::errc() && end == s.data() + s.size()) return n;
    }
    throw invalid(name, "must be a number");
  }

  std::optional<bool> boolean(std::string_view name, std::initializer_list<std::string_view> aliases = {}) const {
    const json* value = find(name, aliases);
    if (!value) return std::nullopt;
    if (value->is_boolean()) return value->get<bool>();
    if (*value == "true" || *value == "1") return true;
    if (*value == "false" || *value == "0") return false;
    throw invalid(name, "must be true or false");
  }

  std::vector<std::string> list(std::string_view name) const {
    const json* value = find(name, {});
    if (!value) return {};
    if (value->is_string()) {
      if (!valid_utf8(value->get_ref<const std::string&>())) throw invalid(name, "must be UTF-8 text");
      return split_list(value->get_ref<const std::string&>());
    }
    if (!value->is_array()) throw invalid(name, "must be a list of strings or a comma-separated string");
    std::vector<std::string> out;
    for (const auto& item : *value) {
      if (!item.is_string()) throw invalid(name, "must be a list of strings or a comma-separated string");
      if (!valid_utf8(item.get_ref<const std::string&>())) throw invalid(name, "must be UTF-8 text");
      out.push_back(item.get<std::string>());
    }
    return out;
  }

 private:
  // The value under the name, else under the first alias present; null: absent.
  const json* find(std::string_view name, std::initializer_list<std::string_view> aliases) const {
    auto present = [&](std::string_view key) -> const json* {
      const auto it = object_.find(key);
      if (it == object_.end() || it->is_null() || (it->is_string() && it->get_ref<const std::string&>().empty())) return nullptr;
      return &*it;
    };
    if (const json* value = present(name)) return value;
    for (const auto alias : aliases) {
      if (const json* value = present(alias)) return value;
    }
    return nullptr;
  }

  static LearningError invalid(std::string_view name, const std::string& why) {
    return input_error("INVALID_ARGUMENT", "the field '" + std::string(name) + "' " + why);
  }

  const json& object_;
};

}  // namespace

FeedbackKind parse_feedback_kind(std::string_view text) {
  if (text == "helpful") return FeedbackKind::kHelpful;
  if (text == "harmful") return FeedbackKind::kHarmful;
  throw input_error("INVALID_ARGUMENT", "the feedback must be helpful or harmful, not '" + std::string(text) + "'");
}

ContextRequest decode_context_request(const json& object) {
  const Fields fields(object);
  ContextRequest request;
  // Empty is left to the service, whose EMPTY_TASK says how to describe one.
  request.task = fields.text("task");
  if (const auto limit = fields.integer("limit")) request.limit = static_cast<int>(std::clamp<std::int64_t>(*limit, INT_MIN, INT_MAX));
  request.project = fields.text("project");
  return request;
}

MarkRequest decode_mark_request(const json& object) {
  const Fields fields(object);
  MarkRequest request;
  request.id = fields.required_text("id");
  request.kind = parse_feedback_kind(fields.required_text("feedback", {"kind"}));
  request.reason = fields.text("reason");
  request.session_id = fields.text("session_id", {"session"});
  request.task = fields.text("task");
  return request;
}

OutcomeRequest decode_outcome_request(const json& object) {
  const Fields fields(object);
  OutcomeRequest request;
  request.status = fields.required_text("status", {"outcome"});
  // No rules is the service's MISSING_RULES, which says how to give them.
  request.rule_ids = fields.list("rules");
  request.stage = fields.text("stage");
  request.failure_type = fields.text("failure_type");
  request.session_id = fields.text("session_id", {"session"});
  request.task = fields.text("task");
  return request;
}

PlaybookListRequest decode_playbook_list_request(const json& object) {
  const Fields fields(object);
  PlaybookListRequest request;
  Playbook::Filter& filter = request.filter;
  if (const std::string kind = fields.text("kind"); !kind.empty()) filter.kind = parse_bullet_kind(kind);
  if (const std::string source = fields.text("source"); !source.empty()) filter.source = parse_bullet_source(source);
  filter.include_retired = fields.boolean("include_retired", {"all"}).value_or(false);
  // Out of range is left to the service, whose INVALID_LIMIT says what fits.
  if (const auto limit = fields.integer("limit")) request.limit = static_cast<int>(std::clamp<std::int64_t>(*limit, INT_MIN, INT_MAX));
  if (const auto offset = fields.integer("offset")) request.offset = *offset;
  return request;
}

NewBullet decode_playbook_add_request(const json& object) {
  const Fields fields(object);
  NewBullet bullet;
  bullet.content = fields.required_text("content");
  if (const std::string kind = fields.text("kind"); !kind.empty()) bullet.kind = parse_bullet_kind(kind);
  bullet.tags = fields.list("tags");
  if (const std::string source = fields.text("source"); !source.empty()) bullet.source = parse_bullet_source(source);
  if (bullet.source == BulletSource::kLearning)
    throw input_error("INVALID_SOURCE", "rules added by hand are manual or import", {"--source manual"});
  bullet.confidence = fields.number("confidence");
  bullet.project = fields.text("project");
  return bullet;
}

std::string decode_playbook_remove_request(const json& object) { return Fields(object).required_text("id"); }

}  // namespace agentmetrics::learning
