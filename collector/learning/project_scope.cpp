#include "collector/learning/project_scope.h"

#include <filesystem>

#include "collector/learning/text_tokens.h"

namespace agentmetrics::learning {

std::string project_of_directory(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = fs::absolute(directory, ec).lexically_normal();
  if (ec || directory.empty()) return "";
  for (int depth = 0; depth < 64 && !dir.empty(); ++depth) {
    if (fs::exists(dir / ".git", ec)) {
      std::string name = dir.filename().string();
      return valid_project_name(name) ? name : "";
    }
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  return "";
}

bool valid_project_name(std::string_view name) {
  if (name.size() > 100 || !valid_utf8(name) || name == "." || name == "..") return false;
  for (const char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '/' || c == '\\') return false;
  }
  return true;
}

}  // namespace agentmetrics::learning
