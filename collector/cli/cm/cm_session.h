// What every cm command starts from: the global options, and the configuration and the learning
// store, each loaded or opened only when a command needs it.
#pragma once

#include <memory>
#include <string>

#include "collector/config/config.h"
#include "collector/learning/learning_service.h"
#include "collector/learning/learning_store.h"

namespace agentmetrics::cli {

struct Options {
  std::string store_path, config_path, actions_path;
  bool json = false;
};

class Session {
 public:
  explicit Session(const Options& o) : options_(o) {}

  // The configuration file cm finds (config/config_location.h), loaded once. Throws
  // LearningError (CONFIG_INVALID).
  const collector::Config& config();
  // --store, else the configuration's store (store/store_location.h).
  std::string path();
  // Opens (creating) the store the configuration names (learning_store.h: the embedded store, or
  // the team's PostgreSQL of store.url unless --store is given). Throws LearningError.
  learning::LearningStore& learning();

 private:
  Options options_;
  std::unique_ptr<collector::Config> config_;
  std::unique_ptr<learning::LearningStore> learning_;
};

// --store, else the configuration's store.
std::string store_path(const Options& o, const collector::Config& config);

}  // namespace agentmetrics::cli
