// What /version and --version report: compiled in, with GIT_COMMIT and BUILD_TIME from the
// environment taking precedence (as the specification's /version does).
#pragma once

#include <string>

namespace agentmetrics::collector {

struct BuildInfo {
  std::string version;
  std::string commit;
  std::string build_time;
};

BuildInfo build_info();

}  // namespace agentmetrics::collector
