// agentmetrics import [claude-code|codex|opencode|all] [--path DIR] [--since TIME] [--dry-run]
// [--json]: the sessions the agents wrote on disk, into the store (docs/import.md).
#include <chrono>
#include <cstdio>
#include <sstream>
#include <thread>

#include "collector/cli/agentmetrics/commands.h"
#include "collector/config/config.h"
#include "collector/config/config_location.h"
#include "collector/intake/sessions/session_import.h"
#include "collector/store/store_error.h"
#include "collector/store/store_factory.h"
#include "collector/store/store_location.h"
#include "ipc/timestamp.h"

namespace agentmetrics::cli {
namespace {

// --text: "none", or a number of bytes.
std::size_t text_limit(const std::string& text) {
  if (text == "none") return 0;
  std::size_t used = 0;
  const unsigned long bytes = std::stoul(text, &used);
  if (used != text.size() || bytes > 1024)
    throw std::invalid_argument("--text must be none or a number of bytes up to 1024, got '" + text + "'");
  return bytes;
}

// --price MODEL=INPUT,OUTPUT,CACHE_READ,CACHE_CREATION
std::pair<std::string, intake::ModelPrice> model_price(const std::string& text) {
  const auto bad = [&] {
    return std::invalid_argument("--price must be MODEL=INPUT,OUTPUT,CACHE_READ,CACHE_CREATION (US dollars per million tokens), got '" +
                                 text + "'");
  };
  const std::size_t eq = text.find('=');
  if (eq == 0 || eq == std::string::npos) throw bad();
  std::vector<double> figures;
  std::stringstream in(text.substr(eq + 1));
  for (std::string part; std::getline(in, part, ',');) {
    std::size_t used = 0;
    double value = -1;
    try {
      value = std::stod(part, &used);
    } catch (const std::exception&) {
      throw bad();
    }
    if (used != part.size() || !(value >= 0)) throw bad();
    figures.push_back(value);
  }
  if (figures.size() != 4) throw bad();
  return {text.substr(0, eq), {figures[0], figures[1], figures[2], figures[3]}};
}

}  // namespace

void add_import_command(CLI::App& app, int& result) {
  auto* cmd = app.add_subcommand("import",
                                 "Import the sessions Claude Code, Codex and opencode wrote on disk into the store: one task per "
                                 "session, with its tokens, cost, tool calls and outcome (docs/import.md). Run it again at any time: "
                                 "it reads only what is new.");
  struct Options {
    std::string agent = "all";
    std::string path;
    std::string since;
    std::string store;
    std::string config;
    std::string text = "300";
    std::vector<std::string> prices;
    bool keep_session_ids = false;
    bool dry_run = false;
    bool json = false;
    unsigned threads = 0;
  };
  auto options = std::make_shared<Options>();
  cmd->add_option("agent", options->agent, "claude-code, codex, opencode or all (default all)")
      ->check(CLI::IsMember({"claude-code", "codex", "opencode", "all"}));
  cmd->add_option("--path", options->path,
                  "where the agent's sessions are, instead of its default (~/.claude, $CODEX_HOME or ~/.codex, "
                  "~/.local/share/opencode or an opencode.db); needs one agent");
  cmd->add_option("--since", options->since, "only what changed since this time (RFC 3339, or a date like 2026-11-01)");
  cmd->add_option(
      "--store", options->store,
      "the store (default $AGENTMETRICS_STORE, else the configuration's store.path, else ~/.local/state/agentmetrics/events.db)");
  cmd->add_option("--config", options->config, "the collector's configuration file, for store.path");
  cmd->add_option("--text", options->text,
                  "bytes of each session's first prompt and last answer to keep as its title and snippet: a number (default 300, "
                  "what cm shows) or none");
  cmd->add_flag("--keep-session-ids", options->keep_session_ids, "store the agents' session ids as they are (default: a digest)");
  cmd->add_option("--price", options->prices,
                  "MODEL=INPUT,OUTPUT,CACHE_READ,CACHE_CREATION: US dollars per million tokens, for a model the shipped table "
                  "does not price or prices otherwise (repeatable)");
  cmd->add_option("--threads", options->threads, "files read at once (default: one per core)");
  cmd->add_flag("--dry-run", options->dry_run, "read and report, store nothing");
  cmd->add_flag("--json", options->json, "print the report as JSON");
  cmd->callback([options, &result] {
    intake::ImportOptions import;
    try {
      import.privacy.max_text_bytes = text_limit(options->text);
      import.privacy.keep_session_ids = options->keep_session_ids;
      import.dry_run = options->dry_run;
      import.threads = options->threads;
      if (options->agent != "all") {
        import.agents = {*intake::parse_source_name(options->agent)};
        if (!options->path.empty()) import.paths[import.agents.front()] = options->path;
      } else if (!options->path.empty()) {
        throw std::invalid_argument("--path needs one agent (claude-code, codex or opencode), not all");
      }
      for (const auto& price : options->prices) {
        const auto [model, figures] = model_price(price);
        import.prices.set(model, figures);
      }
      if (!options->since.empty()) {
        const auto since = ipc::parse_timestamp(options->since);
        if (!since) throw std::invalid_argument("--since: '" + options->since + "' is not a time like 2026-11-01 or 2026-11-01T09:00:00Z");
        import.since = *since;
      }
    } catch (const std::invalid_argument& e) {
      std::fprintf(stderr, "agentmetrics import: %s\n", e.what());
      result = kExitBadInput;
      return;
    }
    try {
      const collector::Config config = collector::load_configuration(collector::find_configuration_file(options->config));
      const std::string path = options->store.empty() ? store::store_path_for(config.store.path) : options->store;
      // --store names a file: a team store (store.url, $AGENTMETRICS_STORE_URL) only without it.
      const store::StoreAddress address{options->store.empty() ? config.store.url : "", path};
      std::unique_ptr<store::EventStore> events;
      if (!options->dry_run) {
        if (address.url.empty()) store::ensure_store_directory(path);
        events = store::open_event_store(address, store::StoreAccess::kReadWrite);
      } else if (!address.url.empty() || intake::file_info(path)) {
        events = store::open_event_store(address, store::StoreAccess::kReadOnly);  // what is imported already
      }
      intake::SessionImporter importer(events.get(), import);
      const intake::ImportReport report = importer.run();
      if (options->json) {
        nlohmann::ordered_json out = report.to_json();
        out["store"] = store::store_name(address);
        std::printf("%s\n", out.dump(2).c_str());
      } else {
        std::printf("%s", report.summary().c_str());
        std::printf("%s %s in %.1f s\n", options->dry_run ? "nothing stored (--dry-run); store" : "stored in",
                    store::store_name(address).c_str(), report.seconds);
      }
      result = 0;
    } catch (const collector::ConfigError& e) {
      std::fprintf(stderr, "agentmetrics import: %s\n", e.what());
      result = kExitBadInput;
    } catch (const store::StoreError& e) {
      std::fprintf(stderr, "agentmetrics import: %s (what was committed before stays; run it again to go on)\n", e.what());
      result = kExitFailed;
    }
  });
}

}  // namespace agentmetrics::cli
