#include "collector/ingest/sarif_report.h"

#include <nlohmann/json.hpp>

#include "collector/common/unix_time.h"
#include "collector/ingest/ingest_error.h"
#include "collector/ingest/report_file.h"
#include "collector/ingest/report_values.h"
#include "ipc/timestamp.h"

namespace agentmetrics::ingest {
namespace {

using nlohmann::json;

constexpr std::size_t kToolNameBytes = 128;
constexpr std::size_t kMaxErrorDetail = 160;

// The member `key` of `object`, nullptr when absent or JSON null.
const json* member(const json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

struct LevelCounts {
  double errors = 0, warnings = 0, infos = 0;
};

class SarifReader {
 public:
  explicit SarifReader(const std::string& path) : path_(path) {}

  ipc::OutcomeEvent read() {
    const std::string text = read_report_file(path_);
    json log;
    try {
      log = json::parse(text);
    } catch (const json::parse_error& e) {
      throw IngestError(path_, line_at(text, e.byte > 0 ? e.byte - 1 : 0), "malformed JSON: " + detail(e.what()));
    } catch (const json::out_of_range& e) {  // a number too large for a double, such as 1e999
      throw IngestError(path_, 0, "malformed JSON: " + detail(e.what()));
    }
    if (!log.is_object()) fail("the log is not a JSON object");
    const json* version = member(log, "version");
    if (!version || *version != "2.1.0") fail("not a SARIF 2.1.0 log (its \"version\" is not \"2.1.0\")");
    const json* runs = member(log, "runs");
    if (!runs || !runs->is_array()) fail("\"runs\" is not an array");

    ipc::OutcomeEvent event;
    event.kind = ipc::OutcomeKind::kLint;
    event.time = unix_now();
    LevelCounts counts;
    for (std::size_t i = 0; i < runs->size(); ++i) {
      const json& run = (*runs)[i];
      const std::string where = "runs[" + std::to_string(i) + "]";
      if (!run.is_object()) fail(where + " is not an object");
      count_results(run, where, counts);
      if (i > 0) continue;
      if (auto tool = tool_name(run, where)) event.fields["tool"] = std::move(*tool);
      if (auto time = run_time(run, where)) event.time = *time;
    }
    event.fields["errors"] = counts.errors;
    event.fields["warnings"] = counts.warnings;
    event.fields["infos"] = counts.infos;
    return event;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const { throw IngestError(path_, 0, message); }

  // nlohmann's message without its prefix, and without bytes of the file that could garble it.
  static std::string detail(std::string_view what) {
    const std::size_t from = what.find("syntax error");
    std::string out;
    for (const char c : what.substr(from == std::string_view::npos ? 0 : from, kMaxErrorDetail)) {
      out += (c >= ' ' && c <= '~') ? c : '?';
    }
    return out;
  }

  const std::string* text_member(const json& object, const char* key, const std::string& where) const {
    const json* value = member(object, key);
    if (!value) return nullptr;
    if (!value->is_string()) fail(where + "." + key + " is not a string");
    return value->get_ptr<const std::string*>();
  }

  std::optional<std::string> tool_name(const json& run, const std::string& where) const {
    const json* tool = member(run, "tool");
    const json* driver = tool && tool->is_object() ? member(*tool, "driver") : nullptr;
    if (!driver || !driver->is_object()) return std::nullopt;
    const std::string* name = text_member(*driver, "name", where + ".tool.driver");
    if (!name) return std::nullopt;
    auto bounded = bounded_text(*name, kToolNameBytes);
    if (!bounded) fail(where + ".tool.driver.name is not valid UTF-8 text");
    return bounded;
  }

  std::optional<double> run_time(const json& run, const std::string& where) const {
    const json* invocations = member(run, "invocations");
    if (!invocations || !invocations->is_array() || invocations->empty() || !(*invocations)[0].is_object()) {
      return std::nullopt;
    }
    const std::string at = where + ".invocations[0]";
    for (const char* key : {"startTimeUtc", "endTimeUtc"}) {
      if (const std::string* stamp = text_member((*invocations)[0], key, at)) {
        const auto time = ipc::parse_timestamp(*stamp, ipc::ZonelessTime::kLocal);
        if (!time || *time <= 0) fail(at + "." + key + " is not an ISO 8601 time after 1970: " + quoted_excerpt(*stamp));
        return time;
      }
    }
    return std::nullopt;
  }

  void count_results(const json& run, const std::string& where, LevelCounts& counts) const {
    // Absent or null results mean the tool did not run to completion: nothing to count.
    const json* results = member(run, "results");
    if (!results) return;
    if (!results->is_array()) fail(where + ".results is not an array");
    for (std::size_t i = 0; i < results->size(); ++i) {
      const json& result = (*results)[i];
      const std::string at = where + ".results[" + std::to_string(i) + "]";
      if (!result.is_object()) fail(at + " is not an object");
      if (is_suppressed(result, at)) continue;
      if (const std::string* state = text_member(result, "baselineState", at); state && *state == "absent") continue;
      const std::string level = result_level(run, result, at);
      if (level == "error") {
        ++counts.errors;
      } else if (level == "warning") {
        ++counts.warnings;
      } else if (level == "note") {
        ++counts.infos;
      } else if (level != "none") {
        fail(at + " has the level " + quoted_excerpt(level) + ", not error, warning, note or none");
      }
    }
  }

  bool is_suppressed(const json& result, const std::string& at) const {
    const json* suppressions = member(result, "suppressions");
    if (!suppressions) return false;
    if (!suppressions->is_array()) fail(at + ".suppressions is not an array");
    for (const json& suppression : *suppressions) {
      if (!suppression.is_object()) fail(at + ".suppressions holds a value that is not an object");
      // A suppression without a status is in force.
      const std::string* status = text_member(suppression, "status", at + ".suppressions[]");
      if (!status || *status == "accepted") return true;
    }
    return false;
  }

  std::string result_level(const json& run, const json& result, const std::string& at) const {
    if (const std::string* level = text_member(result, "level", at)) return *level;
    const std::string* kind = text_member(result, "kind", at);
    if (kind && *kind != "fail") return "none";
    if (const json* rule = rule_of(run, result)) {
      const json* configuration = member(*rule, "defaultConfiguration");
      if (configuration && configuration->is_object()) {
        if (const std::string* level = text_member(*configuration, "level", at + " rule's defaultConfiguration")) {
          return *level;
        }
      }
    }
    return "warning";
  }

  // The rule a result names in runs[].tool.driver.rules, by index or else by id.
  static const json* rule_of(const json& run, const json& result) {
    const json* tool = member(run, "tool");
    const json* driver = tool && tool->is_object() ? member(*tool, "driver") : nullptr;
    const json* rules = driver && driver->is_object() ? member(*driver, "rules") : nullptr;
    if (!rules || !rules->is_array()) return nullptr;
    const json* reference = member(result, "rule");
    if (reference && !reference->is_object()) reference = nullptr;
    const json* index = member(result, "ruleIndex");
    if (!index && reference) index = member(*reference, "index");
    if (index && index->is_number_unsigned() && index->get<std::uint64_t>() < rules->size()) {
      const json& rule = (*rules)[index->get<std::size_t>()];
      return rule.is_object() ? &rule : nullptr;
    }
    const json* id = member(result, "ruleId");
    if (!id && reference) id = member(*reference, "id");
    if (!id || !id->is_string()) return nullptr;
    for (const json& rule : *rules) {
      if (!rule.is_object()) continue;
      if (const auto it = rule.find("id"); it != rule.end() && *it == *id) return &rule;
    }
    return nullptr;
  }

  std::string path_;
};

}  // namespace

std::vector<ipc::OutcomeEvent> ingest_sarif(const std::string& path) {
  std::vector<ipc::OutcomeEvent> events{SarifReader(path).read()};
  require_valid_events(path, events);
  return events;
}

}  // namespace agentmetrics::ingest
