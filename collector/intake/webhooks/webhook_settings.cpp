#include "collector/intake/webhooks/webhook_settings.h"

#include <algorithm>

#include "collector/common/header_text.h"

namespace agentmetrics::intake {
namespace {

bool listed(const std::vector<std::string>& list, std::string_view name, bool ignore_case) {
  if (list.empty()) return true;
  return std::any_of(list.begin(), list.end(),
                     [&](const std::string& entry) { return ignore_case ? ascii_lower(entry) == ascii_lower(name) : entry == name; });
}

}  // namespace

// Repository paths are case-insensitive on both forges.
bool WebhookSettings::repository_allowed(std::string_view repository) const { return listed(repositories, repository, true); }

bool WebhookSettings::environment_allowed(std::string_view environment) const { return listed(environments, environment, false); }

bool WebhookSettings::is_bug_label(std::string_view label) const { return !bug_labels.empty() && listed(bug_labels, label, true); }

}  // namespace agentmetrics::intake
