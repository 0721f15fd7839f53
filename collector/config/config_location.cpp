#include "collector/config/config_location.h"

#include <sys/stat.h>

#include <cstdlib>

namespace agentmetrics::collector {

std::string find_configuration_file(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("AGENTMETRICS_CONFIG"); env && *env) return env;
  std::string dir;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg == '/') {
    dir = xdg;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    dir = std::string(home) + "/.config";
  }
  if (dir.empty()) return {};
  const std::string path = dir + "/agentmetrics/config.yaml";
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? path : std::string();
}

}  // namespace agentmetrics::collector
