#include "collector/intake/sessions/tool_kinds.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <initializer_list>
#include <string>
#include <utility>

namespace agentmetrics::intake {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Whether `word` occurs in `text` as a word of its own (not inside a longer name).
bool has_word(std::string_view text, std::string_view word) {
  const auto is_name = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; };
  for (std::size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    const bool starts = at == 0 || !is_name(text[at - 1]);
    const std::size_t end = at + word.size();
    const bool ends = end == text.size() || !is_name(text[end]);
    if (starts && ends) return true;
  }
  return false;
}

}  // namespace

ToolKind tool_kind(std::string_view tool) {
  static const std::array<std::pair<std::string_view, ToolKind>, 27> kKinds = {{
      {"edit", ToolKind::kEdit},          {"multiedit", ToolKind::kEdit},
      {"write", ToolKind::kEdit},         {"notebookedit", ToolKind::kEdit},
      {"apply_patch", ToolKind::kEdit},   {"patch", ToolKind::kEdit},
      {"bash", ToolKind::kShell},         {"exec_command", ToolKind::kShell},
      {"shell", ToolKind::kShell},        {"local_shell", ToolKind::kShell},
      {"unified_exec", ToolKind::kShell}, {"container.exec", ToolKind::kShell},
      {"read", ToolKind::kRead},          {"grep", ToolKind::kRead},
      {"glob", ToolKind::kRead},          {"ls", ToolKind::kRead},
      {"list", ToolKind::kRead},          {"view_image", ToolKind::kRead},
      {"notebookread", ToolKind::kRead},  {"webfetch", ToolKind::kWeb},
      {"websearch", ToolKind::kWeb},      {"web_search", ToolKind::kWeb},
      {"web_fetch", ToolKind::kWeb},      {"agent", ToolKind::kDelegate},
      {"task", ToolKind::kDelegate},      {"spawn_agent", ToolKind::kDelegate},
      {"todowrite", ToolKind::kOther},
  }};
  const std::string name = lower(tool);
  for (const auto& [known, kind] : kKinds) {
    if (name == known) return kind;
  }
  return ToolKind::kOther;
}

bool runs_tests(std::string_view command) {
  static constexpr std::array<std::string_view, 24> kRunners = {
      "pytest",    "py.test",     "go test",        "cargo test", "cargo nextest", "npm test",    "npm run test", "yarn test",
      "pnpm test", "bun test",    "jest",           "vitest",     "mocha",         "ctest",       "make test",    "make check",
      "mvn test",  "gradle test", "./gradlew test", "rspec",      "phpunit",       "dotnet test", "tox",          "unittest",
  };
  const std::string text = lower(command);
  return std::any_of(kRunners.begin(), kRunners.end(), [&](std::string_view runner) { return has_word(text, runner); });
}

std::string_view tool_stage(ToolKind kind, std::string_view command) {
  switch (kind) {
    case ToolKind::kEdit: return "edit";
    case ToolKind::kRead: return "read";
    case ToolKind::kWeb: return "web";
    case ToolKind::kDelegate: return "delegate";
    case ToolKind::kOther: return "other";
    case ToolKind::kShell: break;
  }
  if (runs_tests(command)) return "test";
  const std::string text = lower(command);
  const auto any = [&](std::initializer_list<std::string_view> words) {
    return std::any_of(words.begin(), words.end(), [&](std::string_view w) { return has_word(text, w); });
  };
  if (any({"eslint", "ruff", "flake8", "pylint", "mypy", "clippy", "golangci-lint", "shellcheck", "prettier --check", "npm run lint",
           "cargo fmt", "gofmt", "clang-tidy", "tsc --noemit"}))
    return "lint";
  if (any({"npm install", "npm ci", "pnpm install", "yarn install", "pip install", "pip3 install", "uv sync", "poetry install", "cargo add",
           "go get", "go mod", "apt-get install", "apt install", "bundle install", "composer install"}))
    return "install";
  if (any({"make", "cmake", "ninja", "cargo build", "go build", "npm run build", "tsc", "mvn package", "gradle build", "./gradlew build",
           "dotnet build", "gcc", "g++", "clang", "clang++", "javac", "docker build", "bazel build"}))
    return "build";
  if (any({"git", "gh"})) return "vcs";
  return "shell";
}

int output_exit_code(std::string_view output) {
  for (const std::string_view marker : {std::string_view("exited with code "), std::string_view("Exit code: ")}) {
    const std::size_t at = output.find(marker);
    if (at == std::string_view::npos) continue;
    int code = -1;
    const char* begin = output.data() + at + marker.size();
    std::from_chars(begin, output.data() + output.size(), code);
    return code;
  }
  return -1;
}

double count_lines(std::string_view text) {
  if (text.empty()) return 0;
  const auto newlines = static_cast<double>(std::count(text.begin(), text.end(), '\n'));
  return text.back() == '\n' ? newlines : newlines + 1;
}

}  // namespace agentmetrics::intake
