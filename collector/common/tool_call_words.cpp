#include "collector/common/tool_call_words.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace agentmetrics {
namespace {

constexpr std::size_t kMaxCommandBytes = 4096;

constexpr std::array<std::string_view, 11> kStages = {"test", "build", "lint", "install",  "vcs",  "shell",
                                                      "edit", "read",  "web",  "delegate", "other"};

// Programs a rule may name. Those of the first list take a subcommand (or a script name after
// `run`/`exec`); the others are named alone.
constexpr std::array<std::string_view, 33> kProgramsWithSubcommands = {
    "npm",     "npx",  "pnpm",      "yarn",   "bun",     "deno",    "cargo",  "go",     "make",  "git",      "docker",
    "kubectl", "helm", "terraform", "mvn",    "gradle",  "gradlew", "dotnet", "bundle", "rake",  "composer", "poetry",
    "uv",      "pip",  "pip3",      "python", "python3", "swift",   "bazel",  "cmake",  "ninja", "meson",    "apt-get"};
constexpr std::array<std::string_view, 26> kPrograms = {
    "pytest", "tox",   "ruff",  "mypy", "black", "flake8", "pylint",  "jest",  "vitest", "mocha", "tsc",     "eslint", "prettier",
    "node",   "ctest", "rustc", "gcc",  "g++",   "clang",  "clang++", "javac", "java",   "rspec", "phpunit", "gofmt",  "shellcheck"};
constexpr std::array<std::string_view, 60> kSubcommands = {
    "test",  "tests",   "build",    "run",     "exec",    "install",  "ci",        "lint",  "check",       "fmt",      "format",  "clippy",
    "vet",   "tidy",    "compile",  "start",   "dev",     "serve",    "typecheck", "add",   "remove",      "update",   "upgrade", "sync",
    "lock",  "publish", "push",     "pull",    "commit",  "rebase",   "merge",     "fetch", "clone",       "checkout", "switch",  "status",
    "diff",  "log",     "apply",    "init",    "plan",    "validate", "deploy",    "up",    "down",        "package",  "verify",  "clean",
    "bench", "doc",     "generate", "migrate", "nextest", "coverage", "e2e",       "unit",  "integration", "pytest",   "compose", "all"};

bool in(std::string_view word, const auto& list) { return std::find(list.begin(), list.end(), word) != list.end(); }

std::vector<std::string_view> words_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = std::min(text.find(' ', at), text.size());
    if (end > at) out.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

bool is_assignment(std::string_view word) {
  const std::size_t eq = word.find('=');
  if (eq == 0 || eq == std::string_view::npos) return false;
  return std::all_of(word.begin(), word.begin() + static_cast<std::ptrdiff_t>(eq),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

}  // namespace

bool is_tool_stage(std::string_view stage) { return in(stage, kStages); }

std::string normalized_command(std::string_view command) {
  command = command.substr(0, kMaxCommandBytes);
  std::string text;
  bool space = false;
  for (const char c : command) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !text.empty();
      continue;
    }
    if (space) text += ' ';
    space = false;
    text += c;
  }
  for (bool changed = true; changed;) {
    changed = false;
    // A leading `cd DIR && `.
    if (text.starts_with("cd ")) {
      if (const std::size_t and_and = text.find(" && "); and_and != std::string::npos && text.find(' ', 3) == and_and) {
        text.erase(0, and_and + 4);
        changed = true;
      }
    }
    // A leading VAR=value.
    if (const std::size_t sp = text.find(' '); sp != std::string::npos && is_assignment(std::string_view(text).substr(0, sp))) {
      text.erase(0, sp + 1);
      changed = true;
    }
    // A trailing `| head ...` / `| tail ...` (the agent trimming the output) or `2>&1`.
    if (const std::size_t bar = text.rfind(" | "); bar != std::string::npos) {
      const std::string_view last = std::string_view(text).substr(bar + 3);
      if ((last.starts_with("head") || last.starts_with("tail")) && last.find_first_of("|;&") == std::string_view::npos) {
        text.erase(bar);
        changed = true;
      }
    }
    if (text.ends_with(" 2>&1")) {
      text.erase(text.size() - 5);
      changed = true;
    }
  }
  return text;
}

std::string command_words(std::string_view command) {
  std::string text = normalized_command(command);
  // The first simple command only.
  if (const std::size_t cut = text.find_first_of(";&|()<>`$\n"); cut != std::string::npos) text.erase(cut);
  std::vector<std::string_view> words = words_of(text);
  std::size_t i = 0;
  while (i < words.size() && (is_assignment(words[i]) || words[i] == "sudo" || words[i] == "time" || words[i] == "env")) ++i;
  if (i == words.size()) return {};
  std::string_view program = words[i];
  if (const std::size_t slash = program.rfind('/'); slash != std::string_view::npos) program.remove_prefix(slash + 1);
  if (in(program, kPrograms)) return std::string(program);
  if (!in(program, kProgramsWithSubcommands)) return {};
  std::string out(program);
  // The subcommand: the next word that is not an option (`python -m pytest` names its module).
  std::size_t j = i + 1;
  if ((program == "python" || program == "python3") && j < words.size() && words[j] == "-m") ++j;
  while (j < words.size() && words[j].starts_with('-') && program != "python" && program != "python3") ++j;
  if (j >= words.size() || !in(words[j], kSubcommands)) return out;
  out += ' ';
  out += words[j];
  if ((words[j] == "run" || words[j] == "exec") && j + 1 < words.size() && in(words[j + 1], kSubcommands)) {
    out += ' ';
    out += words[j + 1];
  }
  return out;
}

bool is_command_words(std::string_view words) { return !words.empty() && command_words(words) == words; }

std::string_view failure_reason(std::string_view result_text, bool rejected) {
  const std::string text = lower(result_text.substr(0, 2000));
  if (contains(text, "haven't granted") || contains(text, "permission") || contains(text, "not allowed") || contains(text, "sandbox") ||
      contains(text, "operation not permitted") || contains(text, "eacces") || contains(text, "needs approval") ||
      contains(text, "requires approval") || contains(text, "read-only file system"))
    return "permission_denied";
  if (rejected) return "user_rejected";
  if (contains(text, "string to replace not found") || contains(text, "oldstring not found") ||
      contains(text, "could not find oldstring") || contains(text, "old_string not found"))
    return "string_not_found";
  if (contains(text, "matches of the string to replace") || contains(text, "found multiple matches") || contains(text, "multiple times") ||
      contains(text, "more than one match"))
    return "not_unique";
  if (contains(text, "has not been read yet") || contains(text, "must read") || contains(text, "read it first")) return "file_not_read";
  if (contains(text, "modified since read") || contains(text, "has been modified since") || contains(text, "modified externally"))
    return "file_changed";
  if (contains(text, "verification failed") || contains(text, "failed to find expected lines") || contains(text, "patch failed") ||
      contains(text, "invalid patch") || contains(text, "failed to apply"))
    return "patch_failed";
  if (contains(text, "does not exist") || contains(text, "no such file") || contains(text, "enoent") || contains(text, "file not found"))
    return "file_not_found";
  if (contains(text, "timed out") || contains(text, "timeout")) return "timeout";
  if (contains(text, "exit code") || contains(text, "exited with") || contains(text, "process exited")) return "exit_code";
  return "other";
}

bool is_failure_reason(std::string_view reason) {
  static constexpr std::array<std::string_view, 11> kReasons = {
      "string_not_found",  "not_unique",    "file_not_read", "file_changed", "file_not_found", "patch_failed",
      "permission_denied", "user_rejected", "timeout",       "exit_code",    "other"};
  return in(reason, kReasons);
}

bool is_tool_name(std::string_view name) {
  return !name.empty() && name.size() <= 48 && std::isalpha(static_cast<unsigned char>(name.front())) &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; });
}

}  // namespace agentmetrics
