// `cm`'s store: the embedded one; a team's PostgreSQL is cm-team's (cm_store.h).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "collector/cli/cm/cm_store.h"
#include "collector/common/log.h"
#include "collector/learning/learning_error.h"
#include "collector/learning/sqlite_learning_store.h"

namespace agentmetrics::cli {

namespace {

// cm-team, beside this program.
std::filesystem::path team_program() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (ec ? std::filesystem::path() : self.parent_path()) / "cm-team";
}

}  // namespace

void hand_over_team_store(Session& session, const Options& o, char** argv) {
  if (!o.store_path.empty()) return;  // --store names an embedded store
  std::string url;
  try {
    url = session.config().store.url;
  } catch (const std::exception&) {
    return;  // the command reports the configuration's error as it would have
  }
  if (url.empty()) return;
  const auto team = team_program();
  execv(team.c_str(), argv);
  log(LogLevel::kWarn, "cm: could not hand the team store over to cm-team", {{"program", team.string()}, {"reason", std::strerror(errno)}});
}

std::unique_ptr<learning::LearningStore> open_store(const learning::LearningStoreOptions& options) {
  using learning::ErrorCategory, learning::LearningError;
  if (!options.url.empty()) {
    throw LearningError(
        ErrorCategory::kConfig, "TEAM_STORE_UNAVAILABLE",
        "store.url names a team's PostgreSQL, which cm opens through " + team_program().string() + ", and that could not be started",
        {"install cm-team beside cm (it is built and installed with it)", "or name an embedded store with --store PATH"});
  }
  return std::make_unique<learning::SqliteLearningStore>(options.path, options.settings, options.mapped, options.lock_wait);
}

}  // namespace agentmetrics::cli
