#include "collector/cli/cm/cm_session.h"

#include <cstdlib>

#include "collector/cli/cm/cm_store.h"
#include "collector/config/config_location.h"
#include "collector/learning/learning_error.h"
#include "collector/store/store_location.h"

namespace agentmetrics::cli {

using namespace agentmetrics::learning;

namespace {

collector::Config load_config(const std::string& path) {
  try {
    return collector::load_configuration(path);
  } catch (const collector::ConfigError& e) {
    throw LearningError(ErrorCategory::kConfig, "CONFIG_INVALID", std::string("invalid configuration: ") + e.what(),
                        {"fix " + e.key() + (path.empty() ? std::string() : " in " + path), "cm doctor --json checks the configuration"});
  }
}

SessionPatternSettings session_pattern_settings(const collector::Config& config) {
  const auto& c = config.cass_memory.session_patterns;
  return {c.enabled,
          static_cast<std::int64_t>(c.min_tool_failures),
          c.min_tool_failure_share,
          static_cast<std::int64_t>(c.min_edit_failures),
          static_cast<std::int64_t>(c.min_retry_failures),
          static_cast<std::int64_t>(c.min_sessions)};
}

LearningSettings settings_from(const Options& o, const collector::Config& config) {
  LearningSettings s;
  s.context_limit = config.cass_memory.context_limit;
  s.learn_from_prompts = config.cass_memory.learn_from_prompts;
  s.reflection.max_rules = config.cass_memory.max_rules;
  s.reflection.session_patterns = session_pattern_settings(config);
  std::string actions = o.actions_path;
  if (actions.empty()) {
    if (const char* env = std::getenv("AGENTMETRICS_LEARNING_ACTIONS"); env && *env) actions = env;
  }
  if (!actions.empty()) s.reflection.actions.merge_file(actions);
  return s;
}

}  // namespace

std::string store_path(const Options& o, const collector::Config& config) {
  return o.store_path.empty() ? store::store_path_for(config.store.path) : o.store_path;
}

const collector::Config& Session::config() {
  if (!config_) config_ = std::make_unique<collector::Config>(load_config(collector::find_configuration_file(options_.config_path)));
  return *config_;
}

std::string Session::path() { return store_path(options_, config()); }

LearningStore& Session::learning() {
  if (learning_) return *learning_;
  const std::string p = path();
  try {
    // --store names an embedded store, whatever the configuration's store.url says.
    learning_ = open_store({options_.store_path.empty() ? config().store.url : std::string(), p, settings_from(options_, config())});
  } catch (const std::exception& e) {
    throw translate_error(e, p);
  }
  return *learning_;
}

}  // namespace agentmetrics::cli
