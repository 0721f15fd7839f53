// cm: the cass_memory command of agentmetrics. It works on the store directly (the store is the
// source of truth), whether or not the collector runs. See docs/learning.md. Each subcommand is
// one function below that declares its options and says what it runs; main parses, runs the
// one given and answers in the envelope (--json) or for a person (cm_human_output.h).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>

#include "collector/cli/cm/claude_code_setup.h"
#include "collector/cli/cm/cm_doctor.h"
#include "collector/cli/cm/cm_human_output.h"
#include "collector/cli/cm/cm_session.h"
#include "collector/cli/cm/cm_store.h"
#include "collector/cli/cm/opencode_setup.h"
#include "collector/common/log.h"
#include "collector/config/config_location.h"
#include "collector/learning/api/claude_code_hook.h"
#include "collector/learning/api/json_envelope.h"
#include "collector/learning/api/mcp_server.h"
#include "collector/learning/api/requests.h"
#include "collector/learning/agents_md.h"
#include "collector/learning/learning_error.h"
#include "collector/learning/project_scope.h"
#include "ipc/timestamp.h"

using namespace agentmetrics;
using namespace agentmetrics::cli;
using namespace agentmetrics::learning;
using json = nlohmann::ordered_json;

namespace {

using Clock = std::chrono::steady_clock;

double elapsed_ms(Clock::time_point start) { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); }

int fail(const std::string& command, const LearningError& e, bool as_json, Clock::time_point start) {
  if (as_json) {
    std::cout << error_envelope(command, e, elapsed_ms(start)).dump(2, ' ', false, json::error_handler_t::replace) << std::endl;
  } else {
    std::cerr << "cm: " << e.what() << "\n";
    for (const auto& r : e.recovery()) std::cerr << "  try: " << r << "\n";
  }
  return e.exit_code();
}

std::string read_all(const std::string& path) {
  std::stringstream s;
  if (path == "-") {
    s << std::cin.rdbuf();
    return s.str();
  }
  std::ifstream in(path);
  if (!in) throw LearningError(ErrorCategory::kFilesystem, "FILE_UNREADABLE", "cannot read " + path, {"check the path"});
  s << in.rdbuf();
  return s.str();
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& w : words) text += (text.empty() ? "" : " ") + w;
  return text;
}

// What a subcommand answers: the data for the envelope and how to print it for a person, or
// its own output already written, with the exit code.
struct Answer {
  json data;
  std::function<void(std::ostream&)> print;
  bool written = false;
  int exit_code = 0;
};

template <typename Result>
Answer answer_with(Result result) {
  json data = to_json(result);
  return {std::move(data), [r = std::move(result)](std::ostream& out) { print_human(out, r); }};
}

Answer already_written(int exit_code) { return {{}, {}, true, exit_code}; }

// The git repository of the current directory, for rules scoped to a project.
std::string current_project() {
  std::error_code ec;
  const auto cwd = std::filesystem::current_path(ec);
  return ec ? std::string() : project_of_directory(cwd.string());
}

struct Subcommand {
  std::string name;  // as the envelope names it
  CLI::App* app;
  std::function<Answer(Session&, const Options&, Clock::time_point)> run;
};

Subcommand context_command(CLI::App& app) {
  struct Args {
    std::vector<std::string> task;
    std::optional<std::int64_t> limit, budget;
    std::optional<std::string> project;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("context", "Rules, anti-patterns and past tasks relevant to a task");
  cmd->add_option("task", a->task, "The task, e.g. \"implementing user authentication\"")->required();
  auto* limit = cmd->add_option("--limit", a->limit, "At most N items per list (default: cass_memory.contextLimit, 5)");
  cmd->add_option("--budget", a->budget, "Fit into about TOKENS tokens instead, most relevant first (4 bytes a token)")->excludes(limit);
  cmd->add_option("--project", a->project, "The task's project (default: the git repository of the current directory; \"\" for none)");
  return {"context", cmd, [a](Session& session, const Options&, Clock::time_point) {
            const std::string project = a->project.value_or(current_project());
            if (a->budget) return answer_with(session.learning().context_within(joined(a->task), *a->budget, project));
            json fields = {{"task", joined(a->task)}, {"project", project}};
            if (a->limit) fields["limit"] = *a->limit;
            const ContextRequest request = decode_context_request(fields);
            return answer_with(session.learning().context(request.task, request.limit, request.project));
          }};
}

Subcommand similar_command(CLI::App& app) {
  struct Args {
    std::vector<std::string> text;
    int limit = 10;
    bool all = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("similar", "Rules whose words are closest to a text (before adding one, say)");
  cmd->add_option("text", a->text, "The text")->required();
  cmd->add_option("--limit", a->limit, "At most N rules (default 10)");
  cmd->add_flag("--all", a->all, "Include retired rules");
  return {"similar", cmd, [a](Session& session, const Options&, Clock::time_point) {
            return answer_with(session.learning().similar(joined(a->text), a->limit, a->all));
          }};
}

Subcommand why_command(CLI::App& app) {
  auto id = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("why", "What stands behind a rule: its patterns, every grade, the sessions");
  cmd->add_option("id", *id, "The rule id")->required();
  return {"why", cmd, [id](Session& session, const Options&, Clock::time_point) { return answer_with(session.learning().why(*id)); }};
}

Subcommand top_command(CLI::App& app) {
  auto limit = std::make_shared<int>(10);
  auto* cmd = app.add_subcommand("top", "The most trusted active rules and anti-patterns");
  cmd->add_option("--limit", *limit, "How many (default 10)");
  return {"top", cmd, [limit](Session& session, const Options&, Clock::time_point) { return answer_with(session.learning().top(*limit)); }};
}

Subcommand stale_command(CLI::App& app) {
  auto days = std::make_shared<std::optional<double>>();
  auto* cmd = app.add_subcommand("stale", "Active rules nothing has confirmed for a while");
  cmd->add_option("--days", *days, "Not confirmed for this many days (default: the confidence model's, 90)");
  return {"stale", cmd,
          [days](Session& session, const Options&, Clock::time_point) { return answer_with(session.learning().stale(*days)); }};
}

Subcommand forget_command(CLI::App& app) {
  auto id = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("forget", "Delete a rule and everything about it (playbook remove keeps it, retired)");
  cmd->add_option("id", *id, "The rule id")->required();
  return {"forget", cmd, [id](Session& session, const Options&, Clock::time_point) { return answer_with(session.learning().forget(*id)); }};
}

Subcommand undo_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "undo", "Undo the last feedback or change (mark, outcome, playbook add, remove, import); again to go further back");
  return {"undo", cmd, [](Session& session, const Options&, Clock::time_point) { return answer_with(session.learning().undo()); }};
}

Subcommand export_command(CLI::App& app) {
  struct Args {
    std::string format, output;
    AgentsMdOptions options;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("export", "The trusted rules as a block for AGENTS.md or CLAUDE.md");
  cmd->add_option("--format", a->format, "agents.md (also for CLAUDE.md)")->required()->check(CLI::IsMember({"agents.md", "claude.md"}));
  cmd->add_option("--output", a->output, "Write the block into this file, replacing the one there (else print it)");
  cmd->add_option("--min-confidence", a->options.min_confidence, "Leave out rules below this confidence (default 0.5)");
  cmd->add_option("--limit", a->options.limit, "At most N rules (default 50)");
  cmd->add_flag("--include-unvetted", a->options.include_unvetted, "Include rules imported or added through the API");
  auto project = std::make_shared<std::optional<std::string>>();
  cmd->add_option("--project", *project, "The project's rules beside every project's (default: the current directory's repository)");
  return {"export", cmd, [a, project](Session& session, const Options& o, Clock::time_point) {
            a->options.project = project->value_or(current_project());
            AgentsMdExport block = session.learning().export_agents_md(a->options);
            if (a->output.empty()) return answer_with(std::move(block));
            namespace fs = std::filesystem;
            std::string document;
            std::error_code ec;
            if (fs::exists(a->output, ec)) document = read_all(a->output);
            const std::string updated = with_agents_md_block(document, block.text);
            const fs::path temporary = a->output + ".cm-export.tmp";
            {
              std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
              out << updated;
              if (!out.flush())
                throw LearningError(ErrorCategory::kFilesystem, "FILE_UNWRITABLE", "cannot write " + temporary.string(),
                                    {"check the directory"});
            }
            fs::rename(temporary, a->output);
            json data = to_json(block);
            data["output"] = a->output;
            if (!o.json)
              std::cout << "wrote " << block.rules << " rule(s) and " << block.anti_patterns << " anti-pattern(s) into " << a->output
                        << "\n";
            return Answer{std::move(data), [](std::ostream&) {}};
          }};
}

Subcommand stats_command(CLI::App& app) {
  return {"stats", app.add_subcommand("stats", "Playbook health: counts, confidence, stale rules, last reflection"),
          [](Session& session, const Options&, Clock::time_point) { return answer_with(session.learning().stats()); }};
}

Subcommand patterns_command(CLI::App& app) {
  return {"patterns", app.add_subcommand("patterns", "The failure and success patterns of the last reflection"),
          [](Session& session, const Options&, Clock::time_point) { return answer_with(session.learning().patterns()); }};
}

Subcommand reflect_command(CLI::App& app) {
  return {"reflect", app.add_subcommand("reflect", "Reflect now: learn patterns and rules from recent outcomes"),
          [](Session& session, const Options&, Clock::time_point) {
            LearningStore& store = session.learning();
            auto report = store.reflect("manual", nullptr, nullptr);
            if (!report) {
              throw LearningError(ErrorCategory::kFilesystem, "REFLECTION_BUSY",
                                  "another process is reflecting on " + store.name() +
                                      " now (a sidecar of the team, or another cm reflect); its reflection covers the same history",
                                  {"nothing to do: the rules it learns reach every machine", "or run cm reflect again when it is done"});
            }
            return answer_with(std::move(*report));
          }};
}

Subcommand playbook_list_command(CLI::App& playbook) {
  struct Args {
    bool all = false;
    std::string kind, source;
    std::optional<std::int64_t> limit, offset;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = playbook.add_subcommand("list", "The rules, most trusted first, a page at a time");
  cmd->add_flag("--all", a->all, "Include retired rules");
  cmd->add_option("--kind", a->kind, "rule or anti-pattern");
  cmd->add_option("--source", a->source, "learning, manual or import");
  cmd->add_option("--limit", a->limit, "Rules per page, 1 to 1000 (default 100)");
  cmd->add_option("--offset", a->offset, "Where the page starts (the next_offset of the page before; default 0)");
  return {"playbook list", cmd, [a](Session& session, const Options&, Clock::time_point) {
            json fields = {{"kind", a->kind}, {"source", a->source}, {"include_retired", a->all}};
            if (a->limit) fields["limit"] = *a->limit;
            if (a->offset) fields["offset"] = *a->offset;
            return answer_with(session.learning().playbook_list(decode_playbook_list_request(fields)));
          }};
}

Subcommand playbook_add_command(CLI::App& playbook) {
  struct Args {
    std::vector<std::string> content, tags;
    std::string kind, source, project;
    std::optional<double> confidence;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = playbook.add_subcommand("add", "Add a rule (a near-duplicate reinforces the existing one)");
  cmd->add_option("content", a->content, "The rule")->required();
  cmd->add_option("--kind", a->kind, "rule (default) or anti-pattern");
  cmd->add_option("--tags", a->tags, "Tags, comma-separated")->delimiter(',');
  cmd->add_option("--source", a->source, "manual (default) or import");
  cmd->add_option("--confidence", a->confidence, "Initial confidence, 0 to 1 (default 0.7)");
  cmd->add_option("--project", a->project, "Only for this project's tasks (default: every project's)");
  return {"playbook add", cmd, [a](Session& session, const Options&, Clock::time_point) {
            json fields = {
                {"content", joined(a->content)}, {"kind", a->kind}, {"tags", a->tags}, {"source", a->source}, {"project", a->project}};
            if (a->confidence) fields["confidence"] = *a->confidence;
            NewBullet rule = decode_playbook_add_request(fields);
            rule.added_by = "cli";
            return answer_with(session.learning().playbook_add(rule));
          }};
}

Subcommand playbook_remove_command(CLI::App& playbook) {
  auto id = std::make_shared<std::string>();
  auto* cmd = playbook.add_subcommand("remove", "Retire a rule (kept, no longer used)");
  cmd->add_option("id", *id, "The rule id")->required();
  return {"playbook remove", cmd, [id](Session& session, const Options&, Clock::time_point) {
            return answer_with(session.learning().playbook_remove(decode_playbook_remove_request({{"id", *id}})));
          }};
}

Subcommand playbook_export_command(CLI::App& playbook) {
  return {"playbook export", playbook.add_subcommand("export", "Print every rule as JSON (for cm playbook import elsewhere)"),
          [](Session& session, const Options&, Clock::time_point) { return answer_with(session.learning().playbook_export()); }};
}

Subcommand playbook_import_command(CLI::App& playbook) {
  auto path = std::make_shared<std::string>();
  auto* cmd = playbook.add_subcommand("import", "Add the rules of a JSON file (from cm playbook export), - for stdin");
  cmd->add_option("file", *path, "The file")->required();
  return {"playbook import", cmd, [path](Session& session, const Options&, Clock::time_point) {
            const json document = json::parse(read_all(*path), nullptr, false);
            if (document.is_discarded())
              throw input_error("INVALID_IMPORT", *path + " is not valid JSON", {"cm playbook export shows the format"});
            return answer_with(session.learning().playbook_import(document));
          }};
}

Subcommand mark_command(CLI::App& app) {
  struct Args {
    std::string id, reason, session, task;
    bool helpful = false, harmful = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("mark", "Mark a rule as helpful or harmful");
  cmd->add_option("id", a->id, "The rule id")->required();
  auto* helpful = cmd->add_flag("--helpful", a->helpful, "The rule helped");
  auto* harmful = cmd->add_flag("--harmful", a->harmful, "The rule misled");
  helpful->excludes(harmful);
  cmd->add_option("--reason", a->reason, "Why");
  cmd->add_option("--session-id,--session", a->session, "The session (feedback counts once per session and rule)");
  cmd->add_option("--task", a->task, "What the rule was used for: a helpful rule learns its words, to be found for it next time");
  return {"mark", cmd, [a](Session& session, const Options&, Clock::time_point) {
            if (!a->helpful && !a->harmful)
              throw input_error("MISSING_FEEDBACK", "say --helpful or --harmful", {"cm mark " + a->id + " --helpful"});
            return answer_with(session.learning().mark(decode_mark_request({{"id", a->id},
                                                                            {"feedback", a->helpful ? "helpful" : "harmful"},
                                                                            {"reason", a->reason},
                                                                            {"session_id", a->session},
                                                                            {"task", a->task}})));
          }};
}

Subcommand outcome_command(CLI::App& app) {
  struct Args {
    std::string status, stage, failure_type, session, task;
    std::vector<std::string> rules;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("outcome", "Record a task's outcome for the rules it used (recordOutcome)");
  cmd->add_option("status", a->status, "success or failure")->required();
  cmd->add_option("--rules", a->rules, "Rule ids, comma-separated")->required();
  cmd->add_option("--stage", a->stage, "Where a failure happened (directs the blame)");
  cmd->add_option("--failure-type", a->failure_type, "What kind of failure (directs the blame)");
  cmd->add_option("--session-id,--session", a->session,
                  "The task's session: each rule is graded once per session, by this or the session's task event");
  cmd->add_option("--task", a->task, "What the rules were used for: on success they learn its words, to be found for it next time");
  return {"outcome", cmd, [a](Session& session, const Options&, Clock::time_point) {
            return answer_with(session.learning().outcome(decode_outcome_request({{"status", a->status},
                                                                                  {"rules", a->rules},
                                                                                  {"stage", a->stage},
                                                                                  {"failure_type", a->failure_type},
                                                                                  {"session_id", a->session},
                                                                                  {"task", a->task}})));
          }};
}

// The doctor answers even when the configuration is bad: that is one of the things it checks.
Subcommand doctor_command(CLI::App& app) {
  return {
      "doctor", app.add_subcommand("doctor", "Check the store, the collector and the configuration"),
      [](Session& session, const Options& o, Clock::time_point start) {
        DoctorInput input;
        input.config_path = collector::find_configuration_file(o.config_path);
        collector::Config config;
        try {
          config = session.config();
        } catch (const LearningError& e) {
          input.config_error = e.what();
        }
        input.store_path = store_path(o, config);
        input.store_url = o.store_path.empty() ? config.store.url : std::string();  // --store names a file, as for every command
        input.listen_address = config.effective_listen_address();
        input.reflection_interval_seconds = static_cast<double>(config.cass_memory.reflection_interval.count());
        const auto variable = [](const char* name) { return std::string(std::getenv(name) ? std::getenv(name) : ""); };
        std::error_code cwd_error;
        input.opencode_config_dirs = opencode_config_dirs(variable("HOME"), variable("XDG_CONFIG_HOME"), variable("OPENCODE_CONFIG_DIR"),
                                                          std::filesystem::current_path(cwd_error).string());
        const DoctorReport report = run_doctor(input);
        if (!o.json) {
          print_human(std::cout, report);
          return already_written(report.exit_code);
        }
        json out = success_envelope("doctor", to_json(report), elapsed_ms(start));
        if (report.exit_code) {
          out["success"] = false;
          json recovery = json::array();
          for (const auto& c : report.checks) {
            if (c.status == CheckStatus::kError) recovery.push_back(c.name + ": " + c.fix);
          }
          out["error"] = {
              {"message", "cm doctor found problems"}, {"code", "DOCTOR_FAILED"}, {"exitCode", report.exit_code}, {"recovery", recovery}};
        }
        std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << std::endl;
        return already_written(report.exit_code);
      }};
}

Subcommand mcp_command(CLI::App& app) {
  return {"mcp", app.add_subcommand("mcp", "Serve the memory as a Model Context Protocol server on stdio"),
          [](Session& session, const Options&, Clock::time_point) {
            McpServer server([&]() -> LearningStore& { return session.learning(); });
            std::ios::sync_with_stdio(false);
            server.serve(std::cin, std::cout);
            return already_written(0);
          }};
}

// Claude Code's hooks. Whatever goes wrong, the hook exits 0 with nothing on stdout, so that it
// never blocks a prompt (exit 2 would) or breaks a session: the error goes to stderr (Claude
// Code's debug log) and to cm-hook.log in the state directory.
constexpr std::size_t kMaxHookInputBytes = 1 << 20;

void log_hook_error(const std::string& message) {
  log(LogLevel::kError, "cm hook claude-code failed; the session goes on without it", {{"reason", message}});
  const char* state = std::getenv("XDG_STATE_HOME");
  const char* home = std::getenv("HOME");
  std::filesystem::path dir;
  if (state && *state) {
    dir = std::filesystem::path(state) / "agentmetrics";
  } else if (home && *home) {
    dir = std::filesystem::path(home) / ".local" / "state" / "agentmetrics";
  } else {
    return;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const auto file = dir / "cm-hook.log";
  const bool full = std::filesystem::file_size(file, ec) > (1u << 20);  // start over past 1 MiB
  std::ofstream out(file, full ? std::ios::trunc : std::ios::app);
  out << ipc::format_timestamp(std::chrono::system_clock::now()) << " " << message << "\n";
}

Subcommand hook_claude_code_command(CLI::App& hook) {
  return {"hook claude-code",
          hook.add_subcommand("claude-code", "Answer one Claude Code hook (its JSON on stdin); cm install claude-code sets it up"),
          [](Session& session, const Options&, Clock::time_point) {
            try {
              std::string input(kMaxHookInputBytes + 1, '\0');
              std::cin.read(input.data(), static_cast<std::streamsize>(input.size()));
              input.resize(static_cast<std::size_t>(std::cin.gcount()));
              if (input.size() > kMaxHookInputBytes) throw input_error("HOOK_INPUT_TOO_LARGE", "the hook's input is over 1 MiB");
              const auto parsed = nlohmann::json::parse(input, nullptr, false);
              if (parsed.is_discarded()) throw input_error("INVALID_HOOK_INPUT", "the hook's input is not JSON");
              const std::string answer = answer_claude_code_hook(parsed, session.learning());
              if (!answer.empty()) std::cout << answer << std::endl;
            } catch (const std::exception& e) {
              log_hook_error(e.what());
            }
            return already_written(0);
          }};
}

Subcommand install_claude_code_command(CLI::App& install) {
  struct Args {
    std::string project;
    bool user = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = install.add_subcommand("claude-code", "Add cm's hooks to Claude Code's settings (the project's, or --user)");
  auto* project = cmd->add_option("--project", a->project, "The project directory: DIR/.claude/settings.json (default: the current one)");
  cmd->add_flag("--user", a->user, "The user's settings: ~/.claude/settings.json ($CLAUDE_CONFIG_DIR/settings.json when set)")
      ->excludes(project);
  return {"install claude-code", cmd, [a](Session&, const Options& o, Clock::time_point) {
            namespace fs = std::filesystem;
            fs::path settings;
            if (a->user) {
              const char* config_dir = std::getenv("CLAUDE_CONFIG_DIR");
              const char* home = std::getenv("HOME");
              if (config_dir && *config_dir) {
                settings = fs::path(config_dir) / "settings.json";
              } else if (home && *home) {
                settings = fs::path(home) / ".claude" / "settings.json";
              } else {
                throw input_error("NO_HOME", "HOME is not set", {"cm install claude-code --project DIR"});
              }
            } else {
              const fs::path dir = a->project.empty() ? fs::current_path() : fs::path(a->project);
              if (!fs::is_directory(dir))
                throw input_error("NOT_A_DIRECTORY", dir.string() + " is not a directory", {"cm install claude-code --project DIR"});
              settings = fs::absolute(dir) / ".claude" / "settings.json";
            }
            // The hook runs this cm, with the store and configuration it was told here.
            std::error_code ec;
            const fs::path self = fs::read_symlink("/proc/self/exe", ec);
            std::string command = shell_quoted(ec ? std::string("cm") : self.string());
            if (!o.store_path.empty()) command += " --store " + shell_quoted(fs::absolute(o.store_path).string());
            if (!o.config_path.empty()) command += " --config " + shell_quoted(fs::absolute(o.config_path).string());
            command += " hook claude-code";
            return answer_with(install_claude_code_hooks(settings.lexically_normal().string(), command));
          }};
}

}  // namespace

int main(int argc, char** argv) {
  const auto start = Clock::now();
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

  std::vector<Subcommand> subcommands = {context_command(app), similar_command(app), why_command(app),     top_command(app),
                                         stale_command(app),   stats_command(app),   patterns_command(app)};
  auto* playbook = app.add_subcommand("playbook", "List, add, remove, export or import rules");
  playbook->require_subcommand(1);
  for (auto* add :
       {playbook_list_command, playbook_add_command, playbook_remove_command, playbook_export_command, playbook_import_command}) {
    subcommands.push_back(add(*playbook));
  }
  for (auto* add :
       {doctor_command, reflect_command, mark_command, outcome_command, forget_command, undo_command, export_command, mcp_command})
    subcommands.push_back(add(app));
  auto* hook = app.add_subcommand("hook", "Answer an agent's hook (Claude Code: cm hook claude-code)");
  hook->require_subcommand(1);
  subcommands.push_back(hook_claude_code_command(*hook));
  auto* install = app.add_subcommand("install", "Set an agent up to use cm (Claude Code: cm install claude-code)");
  install->require_subcommand(1);
  subcommands.push_back(install_claude_code_command(*install));

  std::string command = "cm";
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (o.json) return fail(command, input_error("INVALID_ARGUMENTS", e.what(), {"cm --help"}), true, start);
    app.exit(e);
    return 2;
  }

  Session session(o);
  // `install claude-code` opens no store, and the hooks it writes must run this cm, not cm-team.
  if (!install->parsed()) hand_over_team_store(session, o, argv);
  try {
    for (const Subcommand& s : subcommands) {
      if (!s.app->parsed()) continue;
      command = s.name;
      Answer answer = s.run(session, o, start);
      if (answer.written) return answer.exit_code;
      if (o.json) {
        // context: exactly the specification's shape, with cass_memory's command/timestamp/metadata beside it.
        std::cout
            << success_envelope(command, std::move(answer.data), elapsed_ms(start)).dump(2, ' ', false, json::error_handler_t::replace)
            << std::endl;
      } else {
        answer.print(std::cout);
      }
      return answer.exit_code;
    }
    return 2;  // require_subcommand: not reached
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
