// What the store already knows that a forge's event does not say: when the commits of a
// deployed change were made (lead time), and what was deployed before (a deployment of an
// earlier commit is a rollback). Reads the outcome events the webhooks and the backfill stored
// before, over the 90 days before the event, in whichever store the sidecar writes (on a team
// store, what every sidecar of the team received).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentmetrics::store {
class EventStore;
}

namespace agentmetrics::intake {

class ForgeHistory {
 public:
  // `store`: used by one thread at a time; null knows nothing. Reads throw store::StoreError.
  explicit ForgeHistory(const store::EventStore* store) : store_(store) {}

  // The earliest commit of the change deployed as `sha`: the commits of the push that moved a
  // branch to `sha` (as Four Keys measures a change), or `sha`'s own commit. Empty when no
  // commit of it was stored.
  std::optional<double> change_commit_time(std::string_view repository, std::string_view sha, double before) const;
  // When the commit `sha` (or a hash starting with it, 7 characters at least) was made.
  std::optional<double> commit_time(std::string_view repository, std::string_view sha, double before) const;
  // Whether deploying `sha` to `environment` at `time` goes back to an earlier commit: `sha` was
  // deployed there before but is not what was deployed last, or its commit is older than the
  // last deployed one's.
  bool is_rollback(std::string_view repository, std::string_view environment, std::string_view sha, double time) const;

 private:
  const store::EventStore* store_;
};

}  // namespace agentmetrics::intake
