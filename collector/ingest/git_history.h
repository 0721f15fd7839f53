// A git repository's history to commit events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ipc/outcome_event.h"

namespace agentmetrics::ingest {

struct GitHistoryOptions {
  std::string since;                       // git log --since (e.g. "2026-01-01", "2 weeks ago"); empty: no limit
  std::string until;                       // git log --until; empty: no limit
  std::optional<std::uint64_t> max_count;  // only the newest this many commits
};

// One commit event per commit reachable from HEAD of the repository at `repo` (a directory in
// its work tree, or a bare repository), oldest first: lines_added and lines_deleted summed
// over its files as git log --numstat counts them with rename detection (a binary file counts
// 0; a merge commit counts 0, its changes being counted in the commits it merges), sha, and
// time = the commit time. A repository without commits gives none. Runs the `git` found in
// PATH, without a shell. Throws IngestError (line 0) when `repo` is not a git repository or
// git fails.
std::vector<ipc::OutcomeEvent> ingest_git_history(const std::string& repo, const GitHistoryOptions& options = {});

}  // namespace agentmetrics::ingest
