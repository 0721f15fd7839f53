// `agentmetrics ingest github FILE...`: the history a repository's webhooks would have sent, from
// what the GitHub REST API answers, as saved by `gh api --paginate`:
//   repos/O/R/pulls?state=all (or pulls/N, which adds the size), repos/O/R/actions/runs,
//   repos/O/R/deployments, repos/O/R/deployments/ID/statuses, repos/O/R/issues?state=all
// Each object is recognised by its shape, whatever file it is in; an object given twice (a pull
// request in the list and on its own, which adds its size) counts once, the fuller one. The
// facts are those the
// webhooks make of the same objects, under the same keys (github_objects.h), so a fact both
// backfilled and delivered is one row. docs/webhooks.md says which facts those are.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/intake/webhooks/webhook_settings.h"
#include "ipc/outcome_event.h"

namespace agentmetrics::store {
class EventStore;
}

namespace agentmetrics::intake {

struct BackfillSummary {
  std::map<std::string, std::size_t> objects;  // by what they are: pull_request, workflow_run, ...
  std::size_t unrecognised = 0;                // objects of no known shape
  std::size_t without_repository = 0;          // or of a repository not in webhooks.repositories
  std::size_t facts = 0;
  std::size_t too_old = 0;                // facts older than the store keeps (store.retention), not made
  std::size_t stored = 0;                 // new in the store (the others were there already)
  std::vector<std::string> ignored;       // why objects recorded nothing, one line each
  std::vector<ipc::OutcomeEvent> events;  // every fact's event, in time order
};

class GithubBackfill {
 public:
  explicit GithubBackfill(WebhookSettings settings);

  // Reads one saved answer. Throws std::invalid_argument naming the file when it cannot be read
  // or is not JSON.
  void read_file(const std::string& path);

  // Makes the facts in the order things happened, reading `store` for what came before (a
  // rollback is a deployment of a commit deployed earlier) and, unless `dry_run`, storing them
  // there as it goes. `store` may be null for a dry run: then nothing earlier is known. Facts
  // that happened before `oldest` (now less store.retention) are counted, not made: the store
  // keeps that much history, and such a fact, had it been delivered when it happened, would be
  // gone already (retention goes by the time of receipt, so a backfilled one would stay).
  BackfillSummary run(store::EventStore* store, bool dry_run, double received_time, double oldest);

 private:
  struct Record {
    std::string what;  // pull_request, workflow_run, deployment_status, issue
    std::string repository;
    double time = 0;  // when it happened, for the order
    nlohmann::json object;
  };
  void take(nlohmann::json object);

  WebhookSettings settings_;
  std::vector<Record> records_;
  std::map<std::string, std::size_t> seen_;            // records_ index by what, repository and id
  std::map<std::string, nlohmann::json> deployments_;  // by their API url, for their statuses
  BackfillSummary summary_;
};

}  // namespace agentmetrics::intake
