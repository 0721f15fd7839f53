#include "collector/store/store_location.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "collector/store/event_store.h"

namespace agentmetrics::store {

std::string store_path_for(const std::string& configured) {
  if (!configured.empty()) return configured;
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state == '/') return std::string(state) + "/agentmetrics/events.db";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.local/state/agentmetrics/events.db";
}

void ensure_store_directory(const std::string& store_path) {
  const auto slash = store_path.rfind('/');
  if (slash == std::string::npos || slash == 0) return;
  const std::string dir = store_path.substr(0, slash);
  // Each missing level is made in turn, like mkdir -p.
  for (std::size_t at = 1; at != std::string::npos;) {
    at = dir.find('/', at + 1);
    const std::string part = dir.substr(0, at);
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
      throw StoreError(StoreError::Kind::kUnavailable, "cannot create the store's directory " + part + ": " + std::strerror(errno));
    }
  }
}

}  // namespace agentmetrics::store
