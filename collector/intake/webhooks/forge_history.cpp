#include "collector/intake/webhooks/forge_history.h"

#include <string>

#include "collector/store/sqlite_statement.h"

namespace agentmetrics::intake {
namespace {

using store::SqliteStatement;

constexpr double kLookback = 90 * 86400.0;

// ?1 ?2 the time range, ?3 the repository, ?4 the hash.
constexpr std::string_view kChangeCommitTime = R"sql(
SELECT min(time) FROM events
WHERE kind = 'commit' AND time >= ?1 AND time <= ?2 AND json_extract(fields, '$.repository') = ?3
  AND (json_extract(fields, '$.push_head') = ?4 OR json_extract(fields, '$.sha') = ?4))sql";

constexpr std::string_view kCommitTime = R"sql(
SELECT min(time) FROM events
WHERE kind = 'commit' AND time >= ?1 AND time <= ?2 AND json_extract(fields, '$.repository') = ?3
  AND substr(json_extract(fields, '$.sha'), 1, length(?4)) = ?4)sql";

// ?4 the environment: the successful deployments there, newest first.
constexpr std::string_view kDeployed = R"sql(
SELECT json_extract(fields, '$.sha') FROM events
WHERE kind = 'deployment' AND time >= ?1 AND time < ?2 AND json_extract(fields, '$.repository') = ?3
  AND coalesce(json_extract(fields, '$.environment'), '') = ?4 AND json_extract(fields, '$.success')
ORDER BY time DESC, id DESC)sql";

// The number `sql` (one of the commit queries above) gives for `repository` and `sha` over the
// lookback before `before`.
std::optional<double> commit_query(sqlite3* db, std::string_view sql, std::string_view repository, std::string_view sha, double before) {
  SqliteStatement st(db, sql);
  st.bind(1, before - kLookback);
  st.bind(2, before);
  st.bind(3, repository);
  st.bind(4, sha);
  if (!st.step() || st.column_is_null(0)) return std::nullopt;
  return st.column_double(0);
}

}  // namespace

std::optional<double> ForgeHistory::change_commit_time(std::string_view repository, std::string_view sha, double before) const {
  if (!db_ || sha.empty()) return std::nullopt;
  return commit_query(db_, kChangeCommitTime, repository, sha, before);
}

std::optional<double> ForgeHistory::commit_time(std::string_view repository, std::string_view sha, double before) const {
  if (!db_ || sha.size() < 7) return std::nullopt;
  return commit_query(db_, kCommitTime, repository, sha, before);
}

bool ForgeHistory::is_rollback(std::string_view repository, std::string_view environment, std::string_view sha, double time) const {
  if (!db_ || sha.empty()) return false;
  SqliteStatement st(db_, kDeployed);
  st.bind(1, time - kLookback);
  st.bind(2, time);
  st.bind(3, repository);
  st.bind(4, environment);
  if (!st.step()) return false;  // the first deployment there
  const std::string last = st.column_is_null(0) ? std::string() : st.column_text(0);
  if (last == sha) return false;  // the same commit again
  while (st.step()) {
    if (!st.column_is_null(0) && st.column_text(0) == sha) return true;
  }
  const auto deploying = commit_time(repository, sha, time);
  const auto current = last.empty() ? std::nullopt : commit_time(repository, last, time);
  return deploying && current && *deploying < *current;
}

}  // namespace agentmetrics::intake
