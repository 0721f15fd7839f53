// What the webhook receivers and the GitHub backfill keep of what the forges send: which
// repositories and environments, which issues are bugs, which co-authors are coding agents, and
// whether people's names are kept (they are not by default).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace agentmetrics::intake {

struct WebhookSettings {
  std::vector<std::string> repositories;  // owner/name (GitLab: the project's full path); empty: all
  std::vector<std::string> environments;  // deployments to these only; empty: all
  std::vector<std::string> bug_labels = {"bug"};
  // Agent name -> text its Co-authored-by trailer's e-mail address contains (case-insensitive).
  std::map<std::string, std::string> agent_coauthors = {
      {"claude", "noreply@anthropic.com"},
      {"copilot", "copilot@users.noreply.github.com"},
      {"cursor", "cursoragent@cursor.com"},
      {"aider", "noreply@aider.chat"},
  };
  bool keep_authors = false;  // store who opened a pull request and who wrote a commit

  bool repository_allowed(std::string_view repository) const;
  bool environment_allowed(std::string_view environment) const;
  bool is_bug_label(std::string_view label) const;  // case-insensitive
};

}  // namespace agentmetrics::intake
