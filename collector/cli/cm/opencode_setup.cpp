#include "collector/cli/cm/opencode_setup.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

namespace agentmetrics::learning {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPluginPackage = "@opencode-ai/plugin";
// A package.json or a lock file larger than this is not read (a lock file of a few hundred
// packages is well under 1 MiB).
constexpr std::uintmax_t kMaxManifestBytes = 32U << 20U;
constexpr std::array<const char*, 4> kDependencyKinds = {"dependencies", "devDependencies", "peerDependencies", "optionalDependencies"};

// The file as JSON; nullopt when it is missing, too large or not JSON.
std::optional<nlohmann::json> read_json(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec || size > kMaxManifestBytes) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  nlohmann::json parsed = nlohmann::json::parse(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), nullptr, false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

// The names of every kind of dependency a package.json (or a lock file's root package) lists.
std::set<std::string> dependency_names(const nlohmann::json& package) {
  std::set<std::string> names;
  if (!package.is_object()) return names;
  for (const char* kind : kDependencyKinds) {
    const auto it = package.find(kind);
    if (it == package.end() || !it->is_object()) continue;
    for (const auto& [name, version] : it->items()) names.insert(name);
  }
  return names;
}

}  // namespace

std::vector<std::string> opencode_config_dirs(const std::string& home, const std::string& xdg_config_home,
                                              const std::string& opencode_config_dir, const std::string& project) {
  std::vector<std::string> dirs;
  if (!opencode_config_dir.empty()) dirs.push_back(opencode_config_dir);
  if (!xdg_config_home.empty()) {
    dirs.push_back((fs::path(xdg_config_home) / "opencode").string());
  } else if (!home.empty()) {
    dirs.push_back((fs::path(home) / ".config" / "opencode").string());
  }
  std::error_code ec;
  if (!project.empty() && fs::is_directory(fs::path(project) / ".opencode", ec)) dirs.push_back((fs::path(project) / ".opencode").string());
  return dirs;
}

OpencodeConfigDir inspect_opencode_config_dir(const std::string& path) {
  OpencodeConfigDir dir;
  dir.path = path;
  std::error_code ec;
  dir.exists = fs::is_directory(path, ec);
  if (!dir.exists) {
    dir.why = "it does not exist yet";
    return dir;
  }
  for (const char* folder : {"plugin", "plugins"}) {
    for (fs::directory_iterator it(fs::path(path) / folder, ec), end; !ec && it != end; it.increment(ec)) {
      const fs::path& file = it->path();
      if ((file.extension() == ".js" || file.extension() == ".ts") && it->is_regular_file(ec)) {
        dir.plugins.push_back((fs::path(folder) / file.filename()).string());
      }
    }
    ec.clear();
  }
  std::sort(dir.plugins.begin(), dir.plugins.end());

  if (::access(path.c_str(), W_OK) != 0) {
    dir.installs_at_start = false;  // opencode leaves a directory it cannot write alone
    return dir;
  }
  if (!fs::is_directory(fs::path(path) / "node_modules", ec)) {
    dir.why = "it has no node_modules";
    return dir;
  }
  std::set<std::string> wanted = {std::string(kPluginPackage)};
  if (const auto package = read_json(fs::path(path) / "package.json")) wanted.merge(dependency_names(*package));
  const auto lock = read_json(fs::path(path) / "package-lock.json");
  std::set<std::string> locked;
  if (lock && lock->is_object()) {
    const auto packages = lock->find("packages");
    if (packages != lock->end() && packages->is_object()) {
      const auto root = packages->find("");
      if (root != packages->end()) locked = dependency_names(*root);
    }
  }
  for (const auto& name : wanted) {
    if (locked.count(name) == 0) {
      dir.why = lock ? "its package-lock.json does not name " + name : "it has no readable package-lock.json";
      return dir;
    }
  }
  dir.installs_at_start = false;
  return dir;
}

}  // namespace agentmetrics::learning
