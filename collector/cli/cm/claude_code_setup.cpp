#include "collector/cli/cm/claude_code_setup.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "collector/learning/learning_error.h"

namespace agentmetrics::learning {
namespace {

using json = nlohmann::ordered_json;

constexpr std::string_view kOurs = " hook claude-code";
constexpr int kTimeoutSeconds = 10;

LearningError invalid(const std::string& what) {
  return LearningError(ErrorCategory::kConfig, "SETTINGS_INVALID", what + "; nothing was changed",
                       {"fix the file, or move it aside and run cm install claude-code again"});
}

bool is_ours(const json& hook) {
  return hook.is_object() && hook.contains("command") && hook["command"].is_string() &&
         hook["command"].get<std::string>().find(kOurs) != std::string::npos;
}

json our_hook(const std::string& command) { return {{"type", "command"}, {"command", command}, {"timeout", kTimeoutSeconds}}; }

std::string group_matcher(const json& group) {
  return group.contains("matcher") && group["matcher"].is_string() ? group["matcher"].get<std::string>() : "";
}

}  // namespace

std::string shell_quoted(const std::string& word) {
  if (!word.empty() &&
      word.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./=:+,@") == std::string::npos)
    return word;
  std::string quoted = "'";
  for (const char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

json merge_claude_code_hooks(json settings, const std::string& command, std::vector<SettingsChange>& changes) {
  if (settings.is_null()) settings = json::object();
  if (!settings.is_object()) throw invalid("the settings are not a JSON object");
  if (!settings.contains("hooks")) settings["hooks"] = json::object();
  json& hooks = settings["hooks"];
  if (!hooks.is_object()) throw invalid("\"hooks\" is not an object");
  for (const auto& [event, matcher] : kClaudeCodeHooks) {
    if (!hooks.contains(event)) hooks[event] = json::array();
    json& groups = hooks[event];
    if (!groups.is_array()) throw invalid(std::string("\"hooks\".") + event + " is not an array");
    // Where ours is: the first hook that runs `hook claude-code` in a group of our matcher.
    bool found = false, changed = false;
    for (auto group = groups.begin(); group != groups.end();) {
      if (!group->is_object() || !group->contains("hooks") || !(*group)["hooks"].is_array()) {
        ++group;
        continue;
      }
      json& list = (*group)["hooks"];
      for (auto hook = list.begin(); hook != list.end();) {
        if (!is_ours(*hook)) {
          ++hook;
          continue;
        }
        if (!found && group_matcher(*group) == matcher) {
          found = true;
          if (*hook != our_hook(command)) {
            *hook = our_hook(command);
            changed = true;
          }
          ++hook;
        } else {  // a second one, or under another matcher: it would run cm twice
          hook = list.erase(hook);
          changed = true;
        }
      }
      if (list.empty()) {
        group = groups.erase(group);
      } else {
        ++group;
      }
    }
    if (!found) {
      json group = json::object();
      if (*matcher) group["matcher"] = matcher;
      group["hooks"] = json::array({our_hook(command)});
      groups.push_back(std::move(group));
    }
    changes.push_back({event, !found ? "added" : changed ? "updated" : "unchanged"});
  }
  return settings;
}

ClaudeCodeInstall install_claude_code_hooks(const std::string& settings_path, const std::string& command) {
  namespace fs = std::filesystem;
  ClaudeCodeInstall result;
  result.settings_path = settings_path;
  result.command = command;
  json settings = json::object();
  std::error_code ec;
  if (fs::exists(settings_path, ec)) {
    std::ifstream in(settings_path, std::ios::binary);
    if (!in)
      throw LearningError(ErrorCategory::kFilesystem, "SETTINGS_UNREADABLE", "cannot read " + settings_path, {"check its permissions"});
    std::stringstream text;
    text << in.rdbuf();
    const std::string body = text.str();
    if (body.find_first_not_of(" \t\r\n") != std::string::npos) {
      settings = json::parse(body, nullptr, false);
      if (settings.is_discarded()) throw invalid(settings_path + " is not valid JSON");
    }
  } else {
    result.created = true;
  }
  const json before = settings;
  settings = merge_claude_code_hooks(std::move(settings), command, result.changes);
  if (settings == before && !result.created) return result;

  const fs::path path(settings_path);
  const fs::path temporary = path.string() + ".cm-install.tmp";
  try {
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      out << settings.dump(2) << "\n";
      out.close();
      if (!out) throw std::runtime_error("cannot write " + temporary.string());
    }
    fs::rename(temporary, path);
  } catch (const std::exception& e) {
    fs::remove(temporary, ec);
    throw LearningError(ErrorCategory::kFilesystem, "SETTINGS_UNWRITABLE", std::string("cannot write the settings: ") + e.what(),
                        {"check that the directory exists and is writable"});
  }
  result.written = true;
  return result;
}

json to_json(const ClaudeCodeInstall& result) {
  json changes = json::array();
  for (const auto& c : result.changes) changes.push_back({{"event", c.event}, {"action", c.action}});
  return {{"settings", result.settings_path},
          {"created", result.created},
          {"written", result.written},
          {"command", result.command},
          {"changes", changes}};
}

}  // namespace agentmetrics::learning
