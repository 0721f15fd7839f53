// What turning a forge's objects into facts needs besides the objects: the settings (which
// repositories, bug labels, agents) and what the store knows already (forge_history.h).
#pragma once

#include "collector/intake/webhooks/forge_history.h"
#include "collector/intake/webhooks/webhook_settings.h"

namespace agentmetrics::intake {

struct ForgeContext {
  const WebhookSettings& settings;
  const ForgeHistory& history;
};

}  // namespace agentmetrics::intake
