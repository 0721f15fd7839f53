// The log's budgets: a burst of lines per message, then one a second; what is left out is
// counted, reported on the message's next line or by report_suppressed_logs(), and never lost.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "collector/common/log.h"
#include "tests/support/temp_dir.h"

using namespace agentmetrics;

namespace {

// Whatever the code under test writes to stderr, while it lives.
class CapturedStderr {
 public:
  CapturedStderr() : path_(dir_.path() + "/stderr") {
    std::fflush(stderr);
    saved_ = ::dup(STDERR_FILENO);
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  ~CapturedStderr() {
    std::fflush(stderr);
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
  }
  std::string text() const {
    std::fflush(stderr);
    std::ifstream in(path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  agentmetrics::testing::TempDir dir_;
  std::string path_;
  int saved_ = -1;
};

std::size_t lines_with(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) n += line.find(what) != std::string::npos;
  return n;
}

}  // namespace

TEST(LogBudget, AStormOfOneMessageWritesABurstAndCountsTheRest) {
  configure_logging(LogLevel::kInfo, false);
  CapturedStderr captured;
  const std::uint64_t before = log_lines_suppressed();
  for (int i = 0; i < 1000; ++i) log(LogLevel::kWarn, "unit storm", {{"i", i}});
  log(LogLevel::kWarn, "unit other message");  // another message has a budget of its own
  EXPECT_EQ(lines_with(captured.text(), "unit storm"), static_cast<std::size_t>(kLogBurst));
  EXPECT_EQ(lines_with(captured.text(), "unit other message"), 1u);
  EXPECT_EQ(log_lines_suppressed() - before, 1000 - static_cast<std::uint64_t>(kLogBurst));

  // Once the budget refills, the next line says how many were left out before it.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  log(LogLevel::kWarn, "unit storm", {{"i", 1000}});
  const std::regex reported("unit storm i=1000 suppressed=([0-9]+)");
  std::smatch m;
  const std::string text = captured.text();
  ASSERT_TRUE(std::regex_search(text, m, reported)) << text;
  EXPECT_EQ(std::stoul(m[1]), 1000 - static_cast<std::size_t>(kLogBurst));
}

TEST(LogBudget, LeftOutLinesOfAStormThatStoppedAreReportedByTheSummary) {
  configure_logging(LogLevel::kInfo, true);
  CapturedStderr captured;
  for (int i = 0; i < 50; ++i) log(LogLevel::kInfo, "unit quiet storm");
  report_suppressed_logs();
  EXPECT_EQ(lines_with(captured.text(), "log lines suppressed"), 0u) << "no budget left yet: nothing reported early";
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  report_suppressed_logs();
  report_suppressed_logs();  // reported once
  const std::string text = captured.text();
  EXPECT_EQ(lines_with(text, "log lines suppressed"), 1u) << text;
  EXPECT_EQ(lines_with(text, R"("count":30,"level":"warn","message":"unit quiet storm","msg":"log lines suppressed")"), 1u) << text;
  configure_logging(LogLevel::kInfo, false);
}

TEST(LogBudget, LinesBelowTheLevelSpendNothing) {
  configure_logging(LogLevel::kWarn, false);
  CapturedStderr captured;
  for (int i = 0; i < 100; ++i) log(LogLevel::kDebug, "unit below the level");
  configure_logging(LogLevel::kDebug, false);
  log(LogLevel::kDebug, "unit below the level");
  const std::string text = captured.text();
  EXPECT_EQ(lines_with(text, "unit below the level"), 1u);
  EXPECT_EQ(text.find("suppressed="), std::string::npos) << text;
  configure_logging(LogLevel::kInfo, false);
}
