// What opencode (1.18) does with its configuration directories at every start, for `cm doctor`:
// it installs @opencode-ai/plugin into each one (~/.config/opencode, $OPENCODE_CONFIG_DIR, a
// project's .opencode/) unless the directory is not writable, or has node_modules/ and a
// package-lock.json whose root names every dependency of its package.json and
// @opencode-ai/plugin. With a local plugin present (plugin/ or plugins/, *.js or *.ts) it waits
// for those installs before it starts; without the npm registry that wait lasted 71 s.
// `npm install @opencode-ai/plugin` in the directory leaves it as opencode wants it.
#pragma once

#include <string>
#include <vector>

namespace agentmetrics::learning {

struct OpencodeConfigDir {
  std::string path;
  bool exists = false;
  std::vector<std::string> plugins;  // local plugin files, relative to `path` (plugin/cass.js)
  bool installs_at_start = true;     // opencode would install @opencode-ai/plugin here
  std::string why;                   // what is missing, when it would
};

// The directories opencode reads: $OPENCODE_CONFIG_DIR (when set), $XDG_CONFIG_HOME/opencode
// (else $HOME/.config/opencode) and `project`/.opencode (when it exists). Empty variables
// count as unset.
std::vector<std::string> opencode_config_dirs(const std::string& home, const std::string& xdg_config_home,
                                              const std::string& opencode_config_dir, const std::string& project);

OpencodeConfigDir inspect_opencode_config_dir(const std::string& path);

}  // namespace agentmetrics::learning
