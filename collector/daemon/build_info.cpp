#include "collector/daemon/build_info.h"

#include <cstdlib>

namespace agentmetrics::collector {

BuildInfo build_info() {
  auto env_or = [](const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return std::string((v && *v) ? v : fallback);
  };
  return {AGENTMETRICS_VERSION, env_or("GIT_COMMIT", AGENTMETRICS_GIT_COMMIT), env_or("BUILD_TIME", AGENTMETRICS_BUILD_TIME)};
}

}  // namespace agentmetrics::collector
