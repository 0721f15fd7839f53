#include "collector/intake/webhooks/forge_history.h"

#include <string>

#include "collector/store/event_store.h"

namespace agentmetrics::intake {
namespace {

constexpr double kLookback = 90 * 86400.0;

// In the stores' notation (store/event_sql.h). ?1 ?2 the time range, ?t1 the repository, ?t2
// the hash.
constexpr std::string_view kChangeCommitTime = R"sql(
SELECT min(time) FROM events
WHERE kind = 'commit' AND time >= ?1 AND time <= ?2 AND {text:repository} = ?t1
  AND ({text:push_head} = ?t2 OR {text:sha} = ?t2))sql";

constexpr std::string_view kCommitTime = R"sql(
SELECT min(time) FROM events
WHERE kind = 'commit' AND time >= ?1 AND time <= ?2 AND {text:repository} = ?t1
  AND substr({text:sha}, 1, length(?t2)) = ?t2)sql";

// ?t2 the environment: the successful deployments there, newest first.
constexpr std::string_view kDeployed = R"sql(
SELECT {text:sha} FROM events
WHERE kind = 'deployment' AND time >= ?1 AND time < ?2 AND {text:repository} = ?t1
  AND coalesce({text:environment}, '') = ?t2 AND {num:success} <> 0
ORDER BY time DESC, id DESC)sql";

// The number `sql` (one of the commit queries above) gives for `repository` and `sha` over the
// lookback before `before`.
std::optional<double> commit_query(const store::EventStore& store, std::string_view sql, std::string_view repository, std::string_view sha,
                                   double before) {
  const double range[] = {before - kLookback, before};
  const std::string texts[] = {std::string(repository), std::string(sha)};
  const auto rows = store.read(sql, range, texts);
  if (!rows->next() || rows->is_null(0)) return std::nullopt;
  return rows->real(0);
}

}  // namespace

std::optional<double> ForgeHistory::change_commit_time(std::string_view repository, std::string_view sha, double before) const {
  if (!store_ || sha.empty()) return std::nullopt;
  return commit_query(*store_, kChangeCommitTime, repository, sha, before);
}

std::optional<double> ForgeHistory::commit_time(std::string_view repository, std::string_view sha, double before) const {
  if (!store_ || sha.size() < 7) return std::nullopt;
  return commit_query(*store_, kCommitTime, repository, sha, before);
}

bool ForgeHistory::is_rollback(std::string_view repository, std::string_view environment, std::string_view sha, double time) const {
  if (!store_ || sha.empty()) return false;
  const double range[] = {time - kLookback, time};
  const std::string texts[] = {std::string(repository), std::string(environment)};
  const auto rows = store_->read(kDeployed, range, texts);
  if (!rows->next()) return false;  // the first deployment there
  const std::string last = rows->text(0);
  if (last == sha) return false;  // the same commit again
  while (rows->next()) {
    if (!rows->is_null(0) && rows->text(0) == sha) return true;
  }
  const auto deploying = commit_time(repository, sha, time);
  const auto current = last.empty() ? std::nullopt : commit_time(repository, last, time);
  return deploying && current && *deploying < *current;
}

}  // namespace agentmetrics::intake
