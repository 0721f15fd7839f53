// Rules scoped to a project: a rule added for one project (its repository) is given only to that
// project's tasks, with the rules of every project (project "") beside them. A task's project is
// the name of the git repository it runs in, found from its directory; outside a repository a task
// gets the rules of every project only, never another project's.
#pragma once

#include <string>
#include <string_view>

namespace agentmetrics::learning {

// The name of the repository `directory` is in: the last component of the nearest directory,
// `directory` or above, that holds `.git` (a directory, or a worktree's file). "" outside one,
// or for a name valid_project_name() refuses.
std::string project_of_directory(const std::string& directory);

// At most 100 bytes of UTF-8 without control characters or slashes; "" (every project) too.
bool valid_project_name(std::string_view name);

}  // namespace agentmetrics::learning
