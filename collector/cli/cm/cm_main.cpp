// cm: the cass_memory command of agentmetrics. It works on the store directly (the store is the
// source of truth), whether or not the collector runs. See docs/learning.md.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "collector/cli/cm/cm_doctor.h"
#include "collector/common/log.h"
#include "collector/config/config.h"
#include "collector/config/config_location.h"
#include "collector/store/event_store.h"
#include "collector/learning/api/json_envelope.h"
#include "collector/learning/learning_service.h"
#include "collector/learning/api/mcp_server.h"
#include "collector/learning/api/requests.h"
#include "collector/store/store_location.h"
#include "collector/learning/text_tokens.h"

using namespace agentmetrics;
using namespace agentmetrics::learning;
using json = nlohmann::ordered_json;

namespace {

struct Options {
  std::string store_path, config_path, actions_path;
  bool json = false;
};

collector::Config load_config(const std::string& path) {
  try {
    return collector::load_configuration(path);
  } catch (const collector::ConfigError& e) {
    throw LearningError(ErrorCategory::kConfig, "CONFIG_INVALID", std::string("invalid configuration: ") + e.what(),
                        {"fix " + e.key() + (path.empty() ? std::string() : " in " + path), "cm doctor --json checks the configuration"});
  }
}

std::string store_path(const Options& o, const collector::Config& config) {
  return o.store_path.empty() ? store::store_path_for(config.store.path) : o.store_path;
}

LearningSettings settings_from(const Options& o, const collector::Config& config) {
  LearningSettings s;
  s.context_limit = config.cass_memory.context_limit;
  std::string actions = o.actions_path;
  if (actions.empty()) {
    if (const char* env = std::getenv("AGENTMETRICS_LEARNING_ACTIONS"); env && *env) actions = env;
  }
  if (!actions.empty()) s.reflection.actions.merge_file(actions);
  return s;
}

// The store and a service on it, opened when a command needs them.
class Session {
 public:
  explicit Session(const Options& o) : options_(o) {}

  const collector::Config& config() {
    if (!config_) config_ = std::make_unique<collector::Config>(load_config(collector::find_configuration_file(options_.config_path)));
    return *config_;
  }
  std::string path() { return store_path(options_, config()); }

  LearningService& service() {
    if (service_) return *service_;
    const std::string p = path();
    try {
      store::ensure_store_directory(p);
      store_ = store::EventStore::open(p, store::EventStore::Mode::kReadWrite);
      // cm lives for one command: reading the store's pages through a mapping instead of
      // copying them into SQLite's cache makes `cm context` on a large store markedly faster.
      sqlite3_exec(store_->handle(), "PRAGMA mmap_size=1073741824", nullptr, nullptr, nullptr);
      service_ = std::make_unique<LearningService>(store_->handle(), settings_from(options_, config()));
    } catch (const std::exception& e) {
      service_.reset();
      store_.reset();
      throw translate_error(e, p);
    }
    return *service_;
  }

 private:
  Options options_;
  std::unique_ptr<collector::Config> config_;
  std::unique_ptr<store::EventStore> store_;
  std::unique_ptr<LearningService> service_;
};

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string fixed(double value, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  return buf;
}

void print_bullets(std::ostream& out, const char* heading, const json& list) {
  out << heading << " (" << list.size() << "):\n";
  if (list.empty()) out << "  (none)\n";
  for (const auto& b : list) {
    out << "  [" << b["id"].get<std::string>() << "] " << fixed(b["confidence"].get<double>(), 2) << "  " << b["content"].get<std::string>()
        << "  (evidence " << b["evidence_count"].get<std::int64_t>() << ", " << b["source"].get<std::string>() << ")\n";
  }
}

void print_human(std::ostream& out, const std::string& command, const json& d) {
  if (command == "context") {
    out << "Task: " << d["task"].get<std::string>() << "\n\n";
    print_bullets(out, "Relevant rules", d["relevantBullets"]);
    out << "\n";
    print_bullets(out, "Anti-patterns", d["antiPatterns"]);
    out << "\nHistory (" << d["historySnippets"].size() << "):\n";
    if (d["historySnippets"].empty()) out << "  (none)\n";
    for (const auto& h : d["historySnippets"]) {
      out << "  " << pad(h["outcome"].get<std::string>(), 8) << pad(h["duration"].get<std::string>(), 10) << h["title"].get<std::string>();
      out << "  (" << (h["session_id"].get<std::string>().empty() ? "no session" : h["session_id"].get<std::string>());
      if (!h["approach"].get<std::string>().empty()) out << ", " << h["approach"].get<std::string>();
      out << ", score " << fixed(h["score"].get<double>(), 1) << ")\n";
      if (!h["snippet"].get<std::string>().empty()) out << "                    " << h["snippet"].get<std::string>() << "\n";
    }
  } else if (command == "playbook list") {
    out << d["count"].get<std::size_t>() << " rules\n";
    for (const auto& b : d["bullets"]) {
      out << "  [" << b["id"].get<std::string>() << "] " << pad(b["kind"].get<std::string>(), 13) << fixed(b["confidence"].get<double>(), 2)
          << "  " << pad(b["state"].get<std::string>(), 8) << pad(b["maturity"].get<std::string>(), 12) << b["content"].get<std::string>()
          << "\n";
    }
  } else if (command == "playbook add" || command == "playbook remove") {
    out << d["action"].get<std::string>() << " " << d["id"].get<std::string>() << ": " << d["bullet"]["content"].get<std::string>()
        << "  (confidence " << fixed(d["bullet"]["confidence"].get<double>(), 2) << ")\n";
  } else if (command == "playbook import") {
    out << "imported: " << d["added"] << " added, " << d["reinforced"] << " reinforced, " << d["revived"] << " revived, " << d["unchanged"]
        << " unchanged\n";
  } else if (command == "mark") {
    out << d["id"].get<std::string>() << " marked " << d["feedback"].get<std::string>() << ": confidence "
        << fixed(d["confidence_before"].get<double>(), 3) << " -> " << fixed(d["confidence_after"].get<double>(), 3)
        << (d["skipped"].get<bool>() ? " (already recorded for this session)" : "") << "\n";
    if (d.contains("inverted_to")) out << "  it proved harmful too often: inverted into " << d["inverted_to"].get<std::string>() << "\n";
    if (d.contains("retired")) out << "  its confidence fell below the floor: retired\n";
  } else if (command == "outcome") {
    out << "outcome " << d["status"].get<std::string>() << " (" << d["policy"].get<std::string>() << "):\n";
    for (const auto& a : d["applied"]) {
      out << "  " << a["id"].get<std::string>() << " " << a["feedback"].get<std::string>() << " x" << fixed(a["weight"].get<double>(), 2)
          << ": " << fixed(a["confidence_before"].get<double>(), 3) << " -> " << fixed(a["confidence_after"].get<double>(), 3)
          << (a["skipped"].get<bool>() ? " (already recorded)" : "") << "\n";
    }
    for (const auto& id : d["unaffected"]) out << "  " << id.get<std::string>() << " unaffected (not related to the failure)\n";
    for (const auto& i : d["inverted"])
      out << "  " << i["from"].get<std::string>() << " inverted into " << i["to"].get<std::string>() << "\n";
    for (const auto& id : d["retired"]) out << "  " << id.get<std::string>() << " retired (confidence below the floor)\n";
  } else if (command == "stats") {
    out << "Playbook: " << d["active"] << " active (" << d["byKind"]["rule"] << " rules, " << d["byKind"]["anti-pattern"]
        << " anti-patterns), " << d["retired"] << " retired\n";
    out << "Sources: learning " << d["bySource"]["learning"] << ", manual " << d["bySource"]["manual"] << ", import "
        << d["bySource"]["import"] << "\n";
    out << "Maturity: candidate " << d["byMaturity"]["candidate"] << ", established " << d["byMaturity"]["established"] << ", proven "
        << d["byMaturity"]["proven"] << ", deprecated " << d["byMaturity"]["deprecated"] << "\n";
    out << "Confidence: mean " << fixed(d["confidence"]["mean"].get<double>(), 3) << ";";
    for (const auto& b : d["confidence"]["distribution"]) out << " " << b["range"].get<std::string>() << ": " << b["count"];
    out << "\nStale rules (not validated for " << d["staleRules"]["notValidatedForDays"] << " days): " << d["staleRules"]["count"] << "\n";
    out << "Feedback: " << d["feedback"]["helpful"] << " helpful, " << d["feedback"]["harmful"] << " harmful\n";
    out << "History: " << d["history"]["indexedTasks"] << " tasks indexed, " << d["history"]["pendingTasks"] << " waiting\n";
    if (d["lastReflection"].is_null()) {
      out << "Last reflection: never (run cm reflect)\n";
    } else {
      out << "Last reflection: " << d["lastReflection"]["time"].get<std::string>() << " ("
          << d["lastReflection"]["trigger"].get<std::string>() << ", " << d["lastReflection"]["status"].get<std::string>() << "), "
          << d["reflectionRuns"] << " runs in all\n";
    }
  } else if (command == "reflect" || command == "patterns") {
    const json& f = d["failure_patterns"];
    out << "Failure patterns (" << f.size() << "):\n";
    for (const auto& p : f) {
      out << "  [" << p["pattern_id"].get<std::string>() << "] " << p["stage"].get<std::string>() << " / "
          << p["failure_type"].get<std::string>() << ": " << p["occurrence_count"] << " failures, "
          << fixed(p["resolution_success_rate"].get<double>() * 100.0, 0) << "% resolved";
      if (!p["avg_time_to_resolve"].is_null()) out << " in " << format_duration(p["avg_time_to_resolve"].get<double>()) << " on average";
      out << "\n      -> " << p["recommended_action"].get<std::string>() << "\n";
    }
    const json& s = d["success_patterns"];
    out << "Success patterns (" << s.size() << "):\n";
    for (const auto& p : s) {
      out << "  [" << p["pattern_id"].get<std::string>() << "] " << p["agent_type"].get<std::string>() << " / "
          << p["task_type"].get<std::string>() << ": " << p["success_count"] << " of " << p["attempt_count"] << " succeeded ("
          << fixed(p["success_rate"].get<double>() * 100.0, 0) << "%) with " << p["approach"].get<std::string>() << ", "
          << format_duration(p["avg_time_to_complete"].get<double>()) << " on average"
          << (p["recommended"].get<bool>() ? ", recommended" : "") << "\n";
    }
    if (command == "reflect") {
      out << "Learned:\n";
      for (const auto& r : d["rules_added"])
        out << "  + rule " << r["id"].get<std::string>() << ": " << r["content"].get<std::string>() << "\n";
      for (const auto& r : d["anti_patterns_added"])
        out << "  + anti-pattern " << r["id"].get<std::string>() << ": " << r["content"].get<std::string>() << "\n";
      for (const auto& id : d["rules_reinforced"]) out << "  ^ reinforced " << id.get<std::string>() << "\n";
      for (const auto& r : d["rules_inverted"])
        out << "  ! inverted " << r["from"].get<std::string>() << " into " << r["to"].get<std::string>() << "\n";
      for (const auto& id : d["rules_retired"]) out << "  - retired " << id.get<std::string>() << "\n";
      if (d["rules_added"].empty() && d["anti_patterns_added"].empty() && d["rules_reinforced"].empty() && d["rules_retired"].empty() &&
          d["rules_inverted"].empty()) {
        out << "  nothing new\n";
      }
      out << "Feedback applied: " << d["feedback_applied"] << "; tasks indexed: " << d["history_indexed"] << "; took "
          << fixed(d["duration_ms"].get<double>(), 1) << " ms\n";
    }
  } else if (command == "doctor") {
    out << "cm doctor: " << d["status"].get<std::string>() << " (store " << d["store"].get<std::string>() << ")\n";
    for (const auto& c : d["checks"]) {
      out << "  [" << pad(c["status"].get<std::string>() + "]", 6) << " " << pad(c["name"].get<std::string>(), 16)
          << c["message"].get<std::string>() << "\n";
      if (c.contains("fix")) out << "           fix: " << c["fix"].get<std::string>() << "\n";
    }
  } else {
    out << d.dump(2) << "\n";
  }
}

double elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

int fail(const std::string& command, const LearningError& e, bool as_json, std::chrono::steady_clock::time_point start) {
  if (as_json) {
    std::cout << error_envelope(command, e, elapsed_ms(start)).dump(2) << std::endl;
  } else {
    std::cerr << "cm: " << e.what() << "\n";
    for (const auto& r : e.recovery()) std::cerr << "  try: " << r << "\n";
  }
  return e.exit_code();
}

std::string read_all(const std::string& path) {
  if (path == "-") {
    std::stringstream s;
    s << std::cin.rdbuf();
    return s.str();
  }
  std::ifstream in(path);
  if (!in) throw LearningError(ErrorCategory::kFilesystem, "FILE_UNREADABLE", "cannot read " + path, {"check the path"});
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  const auto start = std::chrono::steady_clock::now();
  Options o;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--json") o.json = true;
  }

  CLI::App app{
      "cm: the cass_memory learning system of agentmetrics (playbook of rules, context for a task, reflection).\n"
      "Works on the store directly, whether or not agentmetricsd runs."};
  app.set_version_flag("--version", std::string("cm ") + std::string(learning_version()));
  app.fallthrough();
  app.require_subcommand(1);
  app.add_option("--store", o.store_path,
                 "SQLite store (default $AGENTMETRICS_STORE, the configuration's store.path, else ~/.local/state/agentmetrics/events.db)");
  app.add_option("--config", o.config_path,
                 "YAML configuration (default $AGENTMETRICS_CONFIG, else ~/.config/agentmetrics/config.yaml if present)");
  app.add_option("--actions", o.actions_path,
                 "JSON table of recommended actions per stage and failure type (default $AGENTMETRICS_LEARNING_ACTIONS)");
  app.add_flag("--json", o.json, "Answer in JSON ({success, data, ...})");

  std::vector<std::string> task_words;
  std::optional<std::int64_t> limit;
  auto* context = app.add_subcommand("context", "Rules, anti-patterns and past tasks relevant to a task");
  context->add_option("task", task_words, "The task, e.g. \"implementing user authentication\"")->required();
  context->add_option("--limit", limit, "At most N items per list (default: cass_memory.contextLimit, 5)");

  auto* stats = app.add_subcommand("stats", "Playbook health: counts, confidence, stale rules, last reflection");
  auto* patterns = app.add_subcommand("patterns", "The failure and success patterns of the last reflection");

  auto* playbook = app.add_subcommand("playbook", "List, add, remove, export or import rules");
  playbook->require_subcommand(1);
  bool list_all = false;
  std::string list_kind, list_source;
  auto* pb_list = playbook->add_subcommand("list", "The rules, most trusted first");
  pb_list->add_flag("--all", list_all, "Include retired rules");
  pb_list->add_option("--kind", list_kind, "rule or anti-pattern");
  pb_list->add_option("--source", list_source, "learning, manual or import");
  std::vector<std::string> add_words, add_tags;
  std::string add_kind, add_source;
  std::optional<double> add_confidence;
  auto* pb_add = playbook->add_subcommand("add", "Add a rule (a near-duplicate reinforces the existing one)");
  pb_add->add_option("content", add_words, "The rule")->required();
  pb_add->add_option("--kind", add_kind, "rule (default) or anti-pattern");
  pb_add->add_option("--tags", add_tags, "Tags, comma-separated")->delimiter(',');
  pb_add->add_option("--source", add_source, "manual (default) or import");
  pb_add->add_option("--confidence", add_confidence, "Initial confidence, 0 to 1 (default 0.7)");
  std::string remove_id;
  auto* pb_remove = playbook->add_subcommand("remove", "Retire a rule (kept, no longer used)");
  pb_remove->add_option("id", remove_id, "The rule id")->required();
  auto* pb_export = playbook->add_subcommand("export", "Print every rule as JSON (for cm playbook import elsewhere)");
  std::string import_path;
  auto* pb_import = playbook->add_subcommand("import", "Add the rules of a JSON file (from cm playbook export), - for stdin");
  pb_import->add_option("file", import_path, "The file")->required();

  auto* doctor = app.add_subcommand("doctor", "Check the store, the collector and the configuration");
  auto* reflect = app.add_subcommand("reflect", "Reflect now: learn patterns and rules from recent outcomes");

  std::string mark_id, mark_reason, mark_session;
  bool helpful = false, harmful = false;
  auto* mark = app.add_subcommand("mark", "Mark a rule as helpful or harmful");
  mark->add_option("id", mark_id, "The rule id")->required();
  auto* helpful_flag = mark->add_flag("--helpful", helpful, "The rule helped");
  auto* harmful_flag = mark->add_flag("--harmful", harmful, "The rule misled");
  helpful_flag->excludes(harmful_flag);
  mark->add_option("--reason", mark_reason, "Why");
  mark->add_option("--session-id,--session", mark_session, "The session (feedback counts once per session and rule)");

  std::string outcome_status, outcome_stage, outcome_failure_type, outcome_session;
  std::vector<std::string> outcome_rules;
  auto* outcome = app.add_subcommand("outcome", "Record a task's outcome for the rules it used (recordOutcome)");
  outcome->add_option("status", outcome_status, "success or failure")->required();
  outcome->add_option("--rules", outcome_rules, "Rule ids, comma-separated")->required();
  outcome->add_option("--stage", outcome_stage, "Where a failure happened (directs the blame)");
  outcome->add_option("--failure-type", outcome_failure_type, "What kind of failure (directs the blame)");
  outcome->add_option("--session-id,--session", outcome_session, "The session (a task counts once)");

  auto* mcp = app.add_subcommand("mcp", "Serve the memory as a Model Context Protocol server on stdio");

  std::string command = "cm";
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (o.json) {
      return fail(command, input_error("INVALID_ARGUMENTS", e.what(), {"cm --help"}), true, start);
    }
    app.exit(e);
    return 2;
  }

  Session session(o);
  try {
    json data;
    if (context->parsed()) {
      command = "context";
      std::string task;
      for (const auto& w : task_words) task += (task.empty() ? "" : " ") + w;
      json fields = {{"task", task}};
      if (limit) fields["limit"] = *limit;
      const ContextRequest request = decode_context_request(fields);
      data = session.service().context(request.task, request.limit);
      if (o.json) {
        // Exactly the specification's shape, with cass_memory's command/timestamp/metadata beside it.
        std::cout << success_envelope(command, std::move(data), elapsed_ms(start)).dump(2) << std::endl;
        return 0;
      }
    } else if (stats->parsed()) {
      command = "stats";
      data = session.service().stats();
    } else if (patterns->parsed()) {
      command = "patterns";
      data = session.service().patterns();
    } else if (pb_list->parsed()) {
      command = "playbook list";
      data = session.service().playbook_list(
          decode_playbook_list_request({{"kind", list_kind}, {"source", list_source}, {"include_retired", list_all}}));
    } else if (pb_add->parsed()) {
      command = "playbook add";
      std::string content;
      for (const auto& w : add_words) content += (content.empty() ? "" : " ") + w;
      json fields = {{"content", content}, {"kind", add_kind}, {"tags", add_tags}, {"source", add_source}};
      if (add_confidence) fields["confidence"] = *add_confidence;
      data = session.service().playbook_add(decode_playbook_add_request(fields));
    } else if (pb_remove->parsed()) {
      command = "playbook remove";
      data = session.service().playbook_remove(decode_playbook_remove_request({{"id", remove_id}}));
    } else if (pb_export->parsed()) {
      command = "playbook export";
      data = session.service().playbook_export();
      if (!o.json) {
        std::cout << data.dump(2) << std::endl;
        return 0;
      }
    } else if (pb_import->parsed()) {
      command = "playbook import";
      const json document = json::parse(read_all(import_path), nullptr, false);
      if (document.is_discarded())
        throw input_error("INVALID_IMPORT", import_path + " is not valid JSON", {"cm playbook export shows the format"});
      data = session.service().playbook_import(document);
    } else if (doctor->parsed()) {
      command = "doctor";
      DoctorInput input;
      input.config_path = collector::find_configuration_file(o.config_path);
      collector::Config config;
      try {
        config = session.config();
      } catch (const LearningError& e) {
        input.config_error = e.what();
      }
      input.store_path = store_path(o, config);
      input.listen_address = config.effective_listen_address();
      input.reflection_interval_seconds = static_cast<double>(config.cass_memory.reflection_interval.count());
      const DoctorReport report = run_doctor(input);
      if (o.json) {
        json out = success_envelope(command, report.data, elapsed_ms(start));
        if (report.exit_code) {
          out["success"] = false;
          json recovery = json::array();
          for (const auto& c : report.data["checks"]) {
            if (c["status"] == "error") recovery.push_back(c["name"].get<std::string>() + ": " + c["fix"].get<std::string>());
          }
          out["error"] = {
              {"message", "cm doctor found problems"}, {"code", "DOCTOR_FAILED"}, {"exitCode", report.exit_code}, {"recovery", recovery}};
        }
        std::cout << out.dump(2) << std::endl;
      } else {
        print_human(std::cout, command, report.data);
      }
      return report.exit_code;
    } else if (reflect->parsed()) {
      command = "reflect";
      data = session.service().reflect("manual");
    } else if (mark->parsed()) {
      command = "mark";
      if (!helpful && !harmful) throw input_error("MISSING_FEEDBACK", "say --helpful or --harmful", {"cm mark " + mark_id + " --helpful"});
      data = session.service().mark(decode_mark_request(
          {{"id", mark_id}, {"feedback", helpful ? "helpful" : "harmful"}, {"reason", mark_reason}, {"session_id", mark_session}}));
    } else if (outcome->parsed()) {
      command = "outcome";
      data = session.service().outcome(decode_outcome_request({{"status", outcome_status},
                                                               {"rules", outcome_rules},
                                                               {"stage", outcome_stage},
                                                               {"failure_type", outcome_failure_type},
                                                               {"session_id", outcome_session}}));
    } else if (mcp->parsed()) {
      command = "mcp";
      McpServer server([&]() -> LearningService& { return session.service(); });
      std::ios::sync_with_stdio(false);
      server.serve(std::cin, std::cout);
      return 0;
    }
    if (o.json) {
      std::cout << success_envelope(command, std::move(data), elapsed_ms(start)).dump(2) << std::endl;
    } else {
      print_human(std::cout, command, data);
    }
    return 0;
  } catch (const std::exception& e) {
    std::string path;
    try {
      path = session.path();
    } catch (const std::exception& unknown) {
      log(LogLevel::kDebug, "cm: the error names no store path", {{"reason", unknown.what()}});
    }
    return fail(command, translate_error(e, path), o.json, start);
  }
}
