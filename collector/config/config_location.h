// Which configuration file a program reads: the same answer for agentmetricsd, agentmetrics and
// cm (cm alone used to look at $AGENTMETRICS_CONFIG and ~/.config, so it could read a file the
// other two never saw, and so another store).
#pragma once

#include <string>

namespace agentmetrics::collector {

// --config when given, else $AGENTMETRICS_CONFIG, else $XDG_CONFIG_HOME/agentmetrics/config.yaml
// (~/.config/agentmetrics/config.yaml without XDG_CONFIG_HOME) when that file exists; else ""
// (the embedded defaults). A file named by the flag or the variable must exist: the loader says
// so when it does not.
std::string find_configuration_file(const std::string& flag);

}  // namespace agentmetrics::collector
