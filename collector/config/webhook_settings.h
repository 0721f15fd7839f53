// The webhooks part of the configuration in the form the receivers and the GitHub backfill take
// it: agentmetricsd and `agentmetrics ingest github` keep the same repositories, environments,
// bug labels and agents.
#pragma once

#include "collector/config/config.h"
#include "collector/intake/webhooks/webhook_settings.h"

namespace agentmetrics::collector {

// webhooks.* over the built-in defaults (an unset agentCoauthors keeps the built-in agents).
intake::WebhookSettings webhook_settings(const Config& config);

}  // namespace agentmetrics::collector
