// The fixture of the tests that run the real `cm` binary (cm_cli_test.cpp, cm_agents_test.cpp):
// a temporary store and HOME, cm run without the person's configuration, tasks and rules added
// the way the collector and a person add them.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "collector/store/sqlite_event_store.h"
#include "tests/support/temp_dir.h"

namespace agentmetrics::learning::cm_test {

using store::SqliteEventStore;
using json = nlohmann::ordered_json;
using testing::TempDir;

struct CmRun {
  int code = -1;
  std::string out, err;
  json parsed() const { return json::parse(out); }
};

inline std::string quote(const std::string& arg) {
  std::string q = "'";
  for (const char c : arg) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline double now_unix() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

// A shell command's standard output and exit status (-1 when it did not exit).
inline CmRun run_shell(const std::string& command) {
  CmRun r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed for: " + command);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  const int status = ::pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class CmTest : public ::testing::Test {
 protected:
  std::string store() const { return dir_.path() + "/events.db"; }

  // cm with --store, in an environment without the person's configuration.
  CmRun cm(const std::vector<std::string>& args, bool with_store = true, const std::optional<std::string>& input = std::nullopt) {
    std::string command = "env -u AGENTMETRICS_CONFIG -u AGENTMETRICS_STORE -u AGENTMETRICS_LEARNING_ACTIONS -u OPENCODE_CONFIG_DIR HOME=" +
                          quote(dir_.path()) + " XDG_CONFIG_HOME=" + quote(dir_.path() + "/config") + " " + quote(AM_CM_BINARY);
    if (with_store) command += " --store " + quote(store());
    for (const auto& a : args) command += " " + quote(a);
    if (input) {
      std::ofstream(dir_.path() + "/stdin", std::ios::binary | std::ios::trunc) << *input;
      command += " <" + quote(dir_.path() + "/stdin");
    }
    command += " 2>" + quote(dir_.path() + "/stderr");
    CmRun r = run_shell(command);
    std::ifstream err(dir_.path() + "/stderr");
    std::stringstream s;
    s << err.rdbuf();
    r.err = s.str();
    return r;
  }

  void insert_tasks() {
    auto s = SqliteEventStore::open(store(), SqliteEventStore::Mode::kReadWrite);
    std::vector<ipc::OutcomeEvent> events;
    const double now = now_unix();
    auto task = [&](std::uint64_t seq, double t, const std::string& title, bool success, const std::string& stage,
                    const std::string& failure_type) {
      ipc::OutcomeEvent e;
      e.kind = ipc::OutcomeKind::kTask;
      e.producer_id = 99;
      e.sequence = seq;
      e.time = t;
      e.fields = {{"agent_type", std::string("build")},
                  {"task_type", std::string("feature")},
                  {"stage", stage},
                  {"success", success},
                  {"duration_seconds", 2700.0},
                  {"title", title},
                  {"approach", std::string("test_driven_development")},
                  {"snippet", std::string("Started with unit tests, then implemented...")},
                  {"session_id", "ses-" + std::to_string(seq)}};
      if (!failure_type.empty()) e.fields["failure_type"] = failure_type;
      events.push_back(std::move(e));
    };
    task(1, now - 7200, "Implement OAuth2 login", true, "implement", "");
    for (std::uint64_t i = 0; i < 4; ++i)
      task(2 + i, now - 3600 + static_cast<double>(i), "Fix the flaky checkout tests", false, "test", "test_failure");
    s->insert(events, now);
  }

  std::string add(const std::string& content, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"playbook", "add", content, "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const CmRun r = cm(args);
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    return r.parsed()["data"]["id"];
  }

  TempDir dir_;
};

inline std::vector<std::string> keys(const json& j) {
  std::vector<std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it) out.push_back(it.key());
  return out;
}

}  // namespace agentmetrics::learning::cm_test
