#include "collector/cli/cm/cm_doctor.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "collector/cli/cm/cm_store.h"
#include "collector/cli/cm/opencode_setup.h"
#include "collector/common/unix_time.h"
#include "collector/http/http_probe.h"
#include "collector/http/listen_address.h"
#include "collector/learning/history_index.h"
#include "collector/learning/learning_schema.h"
#include "collector/learning/learning_store.h"
#include "collector/learning/playbook.h"
#include "collector/learning/text_tokens.h"
#include "collector/store/sqlite_event_store.h"
#include "collector/store/sqlite_statement.h"

namespace agentmetrics::learning {
namespace {

using store::SqliteEventStore;
using store::SqliteStatement;
using json = nlohmann::ordered_json;

struct Checks {
  DoctorReport& report;

  void ok(const std::string& name, const std::string& message) { report.checks.push_back({name, CheckStatus::kOk, message, ""}); }
  void warn(const std::string& name, const std::string& message, const std::string& fix) {
    report.checks.push_back({name, CheckStatus::kWarn, message, fix});
  }
  void error(const std::string& name, const std::string& message, const std::string& fix, int code) {
    if (report.exit_code == 0) report.exit_code = code;
    report.checks.push_back({name, CheckStatus::kError, message, fix});
  }
};

std::string ago(double seconds) { return format_duration(seconds) + " ago"; }

std::string joined(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
  return out;
}

// The path as a shell word, for a fix a person pastes.
std::string shell_word(const std::string& path) {
  const bool plain = std::all_of(path.begin(), path.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) != 0 || std::string_view("/._-+,:@").find(ch) != std::string_view::npos;
  });
  if (plain && !path.empty()) return path;
  std::string quoted = "'";
  for (const char ch : path) quoted += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return quoted + "'";
}

// The set-up trap of docs/opencode.md: with a local plugin, opencode waits at start for its
// install of @opencode-ai/plugin into each configuration directory that lacks it.
void check_opencode(Checks& c, const std::vector<std::string>& paths) {
  if (paths.empty()) return;
  std::vector<std::string> plugins, stalls, fixes;
  for (const auto& path : paths) {
    const OpencodeConfigDir dir = inspect_opencode_config_dir(path);
    for (const auto& plugin : dir.plugins) plugins.push_back(path + "/" + plugin);
    if (!dir.installs_at_start) continue;
    stalls.push_back(path + " (" + dir.why + ")");
    fixes.push_back((dir.exists ? "" : "mkdir -p " + shell_word(path) + " && ") + "(cd " + shell_word(path) +
                    " && npm install @opencode-ai/plugin@$(opencode --version))");
  }
  if (plugins.empty()) {
    c.ok("opencode", "no local opencode plugin in " + joined(paths, ", "));
  } else if (stalls.empty()) {
    c.ok("opencode", joined(plugins, ", ") + "; @opencode-ai/plugin is installed in " + joined(paths, ", "));
  } else {
    c.warn("opencode",
           "with a local plugin (" + joined(plugins, ", ") + ") opencode installs @opencode-ai/plugin at every start into " +
               joined(stalls, ", ") + " and waits for it: without the npm registry the start stalls for about 70 s",
           joined(fixes, " && "));
  }
}

void check_playbook(Checks& c, std::int64_t rules, std::int64_t anti_patterns, std::int64_t retired) {
  if (rules + anti_patterns == 0) {
    c.warn("playbook", "the playbook has no active rules",
           "add one with cm playbook add \"...\", or let cm reflect learn from recorded outcomes");
  } else {
    c.ok("playbook",
         std::to_string(rules) + " rules, " + std::to_string(anti_patterns) + " anti-patterns, " + std::to_string(retired) + " retired");
  }
}

// The last reflection (none: none has run), as old as `interval_seconds` twice at most.
void check_reflection(Checks& c, const std::optional<LastReflection>& last, double interval_seconds) {
  if (!last) {
    c.warn("reflection", "no reflection has run yet",
           "run cm reflect, or keep agentmetricsd running (it reflects every reflectionInterval)");
  } else if (last->status == "error") {
    c.warn("reflection", "the last reflection failed: " + last->error.value_or(""), "run cm reflect to see the error and retry");
  } else if (unix_now() - last->started > 2 * interval_seconds) {
    c.warn("reflection", "the last reflection ran " + ago(unix_now() - last->started), "run cm reflect, or start agentmetricsd");
  } else {
    c.ok("reflection", "last run " + ago(unix_now() - last->started) + " (" + last->status + ")");
  }
}

// A team store's learning side, as cm works on it (learning_store.h): reachable, its tables
// current, its history, playbook and last reflection.
void check_team_store(Checks& c, const DoctorInput& in) {
  try {
    const auto team = cli::open_store({in.store_url, "", {}, false});
    c.report.store = team->name();
    const StatsResult stats = team->stats();
    c.ok("team_store", team->name() + ": learning schema current");
    c.ok("history_index", std::to_string(stats.indexed_tasks) + " tasks indexed, " + std::to_string(stats.pending_tasks) + " waiting");
    check_playbook(c, stats.by_kind.at(BulletKind::kRule), stats.by_kind.at(BulletKind::kAntiPattern), stats.retired);
    check_reflection(c, stats.last_reflection, in.reflection_interval_seconds);
  } catch (const LearningError& e) {
    c.error("team_store", e.what(), e.recovery().empty() ? "check store.url or $AGENTMETRICS_STORE_URL" : joined(e.recovery(), "; "),
            e.exit_code());
  } catch (const std::exception& e) {
    c.error("team_store", std::string("the team store cannot be read: ") + e.what(), "check the team store's PostgreSQL", 4);
  }
}

}  // namespace

std::string_view to_string(CheckStatus status) {
  switch (status) {
    case CheckStatus::kOk: return "ok";
    case CheckStatus::kWarn: return "warn";
    case CheckStatus::kError: return "error";
  }
  return "error";
}

CheckStatus DoctorReport::status() const {
  CheckStatus worst = CheckStatus::kOk;
  for (const auto& c : checks) worst = std::max(worst, c.status);
  return worst;
}

json to_json(const DoctorReport& report) {
  json checks = json::array();
  for (const auto& c : report.checks) {
    json check = {{"name", c.name}, {"status", to_string(c.status)}, {"message", c.message}};
    if (!c.fix.empty()) check["fix"] = c.fix;
    checks.push_back(std::move(check));
  }
  return {{"status", to_string(report.status())}, {"store", report.store}, {"checks", checks}};
}

std::optional<int> collector_health(const std::string& listen_address, int timeout_ms, std::string* error) {
  // The collector's own parser: cm doctor contacts the address the collector listens on.
  collector::ProbeResult probe;
  try {
    probe = collector::probe_http(collector::parse_listen_address(listen_address), "/health", std::chrono::milliseconds(timeout_ms));
  } catch (const std::invalid_argument& e) {
    probe.error = e.what();
  }
  if (!probe.status && error) *error = probe.error;
  return probe.status;
}

DoctorReport run_doctor(const DoctorInput& in) {
  DoctorReport report;
  report.store = in.store_path;
  Checks c{report};
  if (!in.config_error.empty()) {
    c.error("configuration", in.config_error,
            "fix the key named above in " + (in.config_path.empty() ? std::string("the configuration") : in.config_path), 3);
  } else if (in.config_path.empty()) {
    c.ok("configuration", "no configuration file; the defaults apply (contextLimit 5, reflectionInterval 24h)");
  } else {
    c.ok("configuration", in.config_path + " is valid");
  }

  if (fts5_available()) {
    c.ok("fts5", std::string("SQLite ") + sqlite3_libversion() + " has FTS5");
  } else {
    c.error("fts5", std::string("SQLite ") + sqlite3_libversion() + " was built without FTS5",
            "install a SQLite library with FTS5 (Debian's libsqlite3-0 has it)", 1);
  }

  struct stat st {};
  if (!in.store_url.empty()) {
    check_team_store(c, in);
  } else if (::stat(in.store_path.c_str(), &st) != 0) {
    c.warn("store", "no store at " + in.store_path + " yet",
           "it is created on first use: start agentmetricsd, or run cm playbook add / cm reflect; or pass --store PATH");
  } else {
    std::unique_ptr<SqliteEventStore> store;
    try {
      store = SqliteEventStore::open(in.store_path, SqliteEventStore::Mode::kReadOnly);
      SqliteStatement check(store->handle(), "PRAGMA quick_check");
      std::string result = check.step() ? check.column_text(0) : "no answer";
      if (result != "ok") throw store::StoreError(store::StoreError::Kind::kCorrupt, "integrity check: " + result);
    } catch (const store::StoreError& e) {
      store.reset();
      const std::string message = e.what();
      if (e.kind() == store::StoreError::Kind::kNewerSchema) {
        c.error("store", message, "upgrade agentmetrics", 4);
      } else if (e.kind() == store::StoreError::Kind::kOlderSchema) {
        c.error("store", message, "start agentmetricsd (or any cm command that writes) once to migrate it", 4);
      } else if (e.kind() == store::StoreError::Kind::kBusy) {
        c.error("store", in.store_path + " stayed locked: " + message, "retry in a moment; check for a process holding a long transaction",
                4);
      } else if (e.kind() == store::StoreError::Kind::kUnavailable) {
        c.error("store", in.store_path + " cannot be opened: " + message, "check that the file is readable by this user", 4);
      } else {
        c.error("store", in.store_path + " cannot be read: " + message,
                "stop the collector, move the file aside and restore it from a backup (or: sqlite3 " + in.store_path +
                    " .recover | sqlite3 recovered.db)",
                4);
      }
    }
    if (store) {
      sqlite3* db = store->handle();
      std::int64_t events = 0;
      std::string journal;
      {
        SqliteStatement n(db, "SELECT count(*) FROM events");
        n.step();
        events = n.column_int64(0);
        SqliteStatement j(db, "PRAGMA journal_mode");
        if (j.step()) journal = j.column_text(0);
      }
      c.ok("store", in.store_path + ": " + std::to_string(events) + " events, journal " + journal);
      const int version = learning_schema_version(db);
      if (version == 0) {
        c.warn("learning_schema", "the store has no learning tables yet",
               "they are created on first use (any cm command, or the collector)");
      } else if (version > kLearningSchemaVersion) {
        c.error("learning_schema",
                "learning schema version " + std::to_string(version) + " is newer than this cm's " + std::to_string(kLearningSchemaVersion),
                "upgrade agentmetrics", 4);
      } else if (version < kLearningSchemaVersion) {
        c.warn("learning_schema",
               "learning schema version " + std::to_string(version) + " will be migrated to " + std::to_string(kLearningSchemaVersion),
               "run any cm command that writes (cm reflect)");
      } else {
        c.ok("learning_schema", "version " + std::to_string(version));
        try {
          HistoryIndex history(db);
          const std::int64_t pending = history.pending();
          if (pending > 10000) {
            c.warn("history_index", std::to_string(history.size()) + " tasks indexed, " + std::to_string(pending) + " waiting",
                   "run cm reflect (or any cm context) to index them once");
          } else {
            c.ok("history_index", std::to_string(history.size()) + " tasks indexed, " + std::to_string(pending) + " waiting");
          }
          const PlaybookCounts counts = Playbook(db).counts();
          check_playbook(c, counts.active_rules, counts.active_anti_patterns, counts.retired);
          std::optional<LastReflection> last;
          SqliteStatement run(db, "SELECT started, status, error FROM reflection_runs ORDER BY id DESC LIMIT 1");
          if (run.step()) {
            last = LastReflection{};
            last->started = run.column_double(0);
            last->status = run.column_text(1);
            if (!run.column_is_null(2)) last->error = run.column_text(2);
          }
          check_reflection(c, last, in.reflection_interval_seconds);
        } catch (const std::exception& e) {
          c.error("learning_schema", std::string("the learning tables cannot be read: ") + e.what(), "restore the store from a backup", 4);
        }
      }
    }
  }

  std::string why;
  if (auto status = collector_health(in.listen_address, 500, &why)) {
    if (*status == 200) {
      c.ok("collector", "agentmetricsd answers on " + in.listen_address);
    } else {
      c.warn("collector", "agentmetricsd on " + in.listen_address + " reports HTTP " + std::to_string(*status) + " on /health",
             "see its /health answer and its log");
    }
  } else {
    c.warn("collector", "agentmetricsd is not reachable on " + in.listen_address + " (" + why + ")",
           "cm works from the store without it; start agentmetricsd to record new outcomes and reflect on schedule");
  }
  check_opencode(c, in.opencode_config_dirs);
  return report;
}

}  // namespace agentmetrics::learning
