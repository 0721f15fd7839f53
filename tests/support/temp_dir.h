// A fresh directory (on tmpfs, like a real segment directory) removed with its contents.
#pragma once

#include <string>

namespace agentmetrics::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace agentmetrics::testing
