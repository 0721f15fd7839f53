#include "collector/config/webhook_settings.h"

namespace agentmetrics::collector {

intake::WebhookSettings webhook_settings(const Config& config) {
  const Config::Webhooks& w = config.webhooks;
  intake::WebhookSettings s;
  s.repositories = w.repositories;
  s.environments = w.environments;
  s.bug_labels = w.bug_labels;
  if (w.agent_coauthors) s.agent_coauthors = *w.agent_coauthors;
  s.keep_authors = w.keep_authors;
  return s;
}

}  // namespace agentmetrics::collector
