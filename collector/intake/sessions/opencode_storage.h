// The JSON files older opencode versions kept its sessions in, before its database
// (~/.local/share/opencode/storage/): session/<project>/<session>.json,
// message/<session>/<message>.json and part/<message>/<part>.json, the same records as the
// database's rows. opencode 1.2 and later copy them into the database at its first start and
// leave the files; a session found in both is one task (its key is the session's id).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "collector/intake/sessions/opencode_database.h"

namespace agentmetrics::intake {

class OpencodeStorage {
 public:
  explicit OpencodeStorage(std::string directory);

  // Every session family; a family's version is the latest change of its session files and
  // message directories (ms). Session files that do not parse are left out and counted.
  std::vector<OpencodeFamily> families();
  std::size_t unreadable_files() const { return unreadable_; }
  // One session's records (after families()).
  OpencodeSessionRecord session(const std::string& id);

 private:
  std::string directory_;
  std::map<std::string, std::string> session_files_;  // id -> path
  std::size_t unreadable_ = 0;
};

}  // namespace agentmetrics::intake
