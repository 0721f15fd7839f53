// `agentmetrics ingest github FILE...`: the GitHub backfill (collector/intake/webhooks/
// github_backfill.h), written straight to the store under the keys the webhooks use, so that
// history exists on the first day and a later webhook of the same fact adds nothing.
#pragma once

#include <string>
#include <vector>

namespace agentmetrics::cli {

struct GithubIngestOptions {
  std::vector<std::string> paths;
  std::string store;   // --store; else the configuration's
  std::string config;  // --config; else the usual search (config_location.h)
  bool dry_run = false;
  bool json = false;
};

// Runs it and returns the exit code (0, 1 the store failed, 2 bad input), having printed what
// it did.
int ingest_github(const GithubIngestOptions& options);

}  // namespace agentmetrics::cli
