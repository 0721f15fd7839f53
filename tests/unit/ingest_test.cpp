// The report parsers against real tool outputs: reports written at test time by a GoogleTest
// program, gcov, lcov, gcovr, flawfinder and git (the optional tools skip only their own live
// part when missing), committed samples of the same tools, and malformed files of every format.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "collector/common/child_process.h"
#include "collector/ingest/cobertura_report.h"
#include "collector/ingest/git_history.h"
#include "collector/ingest/ingest.h"
#include "collector/ingest/ingest_error.h"
#include "collector/ingest/junit_report.h"
#include "collector/ingest/lcov_report.h"
#include "collector/ingest/sarif_report.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace agentmetrics::ingest {
namespace {

using ipc::OutcomeEvent;
using ipc::OutcomeKind;

std::string data_file(const std::string& name) { return std::string(AM_INGEST_DATA_DIR) + "/" + name; }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  ASSERT_TRUE(out.good()) << path;
}

// The full path of `name` in PATH, empty when it is not installed.
std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::string candidate = dir + "/" + name;
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

// This process's environment without the variables whose name starts with one of `drop`,
// with `set` added.
std::vector<std::string> environment(const std::vector<std::string>& drop = {}, const std::map<std::string, std::string>& set = {}) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool keep = !set.contains(name);
    for (const std::string& prefix : drop) keep = keep && !name.starts_with(prefix);
    if (keep) env.push_back(entry);
  }
  for (const auto& [name, value] : set) env.push_back(name + "=" + value);
  return env;
}

ProcessOutput run(const std::vector<std::string>& argv, const std::vector<std::string>& env = environment({"LC_"}, {{"LC_ALL", "C"}})) {
  return run_process(argv, env);
}

double field(const OutcomeEvent& event, const char* name) {
  const auto value = event.number(name);
  EXPECT_TRUE(value.has_value()) << name;
  return value.value_or(NAN);
}

// Whole seconds of the clock the ingesters read (system_clock). Not time(): on a busy virtual
// machine its coarse clock lagged system_clock by more than a second.
double seconds_now() { return std::floor(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count()); }

// Runs `ingest`, which must throw an IngestError: then it returns nothing, not even the
// events it read before the error.
IngestError ingest_error(const std::function<std::vector<OutcomeEvent>()>& ingest) {
  try {
    const std::vector<OutcomeEvent> events = ingest();
    ADD_FAILURE() << "no IngestError but " << events.size() << " events";
  } catch (const IngestError& e) {
    return e;
  }
  return IngestError("", 0, "");
}

void expect_error(const IngestError& e, const std::string& file, std::size_t line, const std::string& part_of_message) {
  EXPECT_EQ(e.file, file);
  EXPECT_EQ(e.line, line) << e.what();
  EXPECT_NE(e.message.find(part_of_message), std::string::npos) << e.what();
  const std::string where = line > 0 ? file + ":" + std::to_string(line) : file;
  EXPECT_EQ(std::string(e.what()), where + ": " + e.message);
}

// Sets an environment variable for one test. TZ matters: reports without a zone in their
// times are read as local time.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
    ::tzset();
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
    ::tzset();
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// ---- JUnit XML ----------------------------------------------------------------------------

TEST(JunitReport, ReadsTheReportOfAGoogleTestRunNow) {
  testing::TempDir dir;
  const std::string report = dir.path() + "/report.xml";
  const double before = seconds_now();
  const ProcessOutput sample = run({AM_INGEST_SAMPLE_TESTS, "--gtest_output=xml:" + report}, environment({"GTEST_"}));
  const double after = seconds_now();
  ASSERT_EQ(sample.exit_code, 1) << "two of its tests fail on purpose: " << sample.err;

  // The program's known results, as GoogleTest itself counts them: tests="7" counts the
  // disabled test and the skipped one, which test_run's `tests` leaves out.
  const std::string xml = read_file(report);
  std::smatch root;
  ASSERT_TRUE(
      std::regex_search(xml, root, std::regex(R"re(<testsuites tests="7" failures="2" disabled="1" errors="0" time="([0-9.]+)")re")))
      << xml;

  const std::vector<OutcomeEvent> events = ingest_junit(report);
  ASSERT_EQ(events.size(), 1u);
  const OutcomeEvent& e = events[0];
  EXPECT_EQ(ipc::check_event(e), "");
  EXPECT_EQ(e.kind, OutcomeKind::kTestRun);
  EXPECT_EQ(e.producer_id, 0u);
  EXPECT_EQ(e.sequence, 0u);
  EXPECT_EQ(field(e, "tests"), 5);
  EXPECT_EQ(field(e, "failures"), 2);
  EXPECT_EQ(field(e, "flaky"), 0);
  EXPECT_EQ(field(e, "duration_seconds"), std::stod(root[1]));
  EXPECT_GE(field(e, "duration_seconds"), 0.03);  // one test sleeps that long
  ASSERT_NE(e.text("suite"), nullptr);
  EXPECT_EQ(*e.text("suite"), "AllTests");
  // The report's timestamp: when the run started, to the millisecond.
  EXPECT_GE(e.time, before);
  EXPECT_LE(e.time, after + 1);
}

TEST(JunitReport, ReadsACommittedGoogleTestReport) {
  const ScopedEnv utc("TZ", "UTC");
  const auto events = ingest_junit(data_file("googletest_sample.xml"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(field(events[0], "tests"), 5);
  EXPECT_EQ(field(events[0], "failures"), 2);
  EXPECT_EQ(field(events[0], "flaky"), 0);
  EXPECT_EQ(field(events[0], "duration_seconds"), 0.03);
  EXPECT_EQ(*events[0].text("suite"), "AllTests");
  EXPECT_NEAR(events[0].time, 1795516136.606, 1e-6);  // 2026-11-24T10:28:56.606
}

TEST(JunitReport, ReadsTimestampsWithoutAZoneAsLocalTime) {
  const ScopedEnv eastern("TZ", "EST5");
  const auto events = ingest_junit(data_file("googletest_sample.xml"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NEAR(events[0].time, 1795516136.606 + 5 * 3600, 1e-6);
}

TEST(JunitReport, CountsSurefireRerunsThatPassedAsFlaky) {
  const double before = seconds_now();
  const auto events = ingest_junit(data_file("surefire_flaky.xml"));
  ASSERT_EQ(events.size(), 1u);
  const OutcomeEvent& e = events[0];
  EXPECT_EQ(ipc::check_event(e), "");
  // 6 testcases, 1 skipped; dividesByZero and parsesLocale passed on a rerun; subtracts and
  // connects failed every rerun.
  EXPECT_EQ(field(e, "tests"), 5);
  EXPECT_EQ(field(e, "failures"), 2);
  EXPECT_EQ(field(e, "flaky"), 2);
  EXPECT_EQ(field(e, "duration_seconds"), 1.234);
  EXPECT_EQ(*e.text("suite"), "com.example.CalculatorTest");
  // Surefire writes no timestamp: the event is dated when it was read.
  EXPECT_GE(e.time, before);
  EXPECT_LE(e.time, seconds_now() + 1);
}

TEST(JunitReport, ReadsAPytestReport) {
  const ScopedEnv utc("TZ", "UTC");
  const auto events = ingest_junit(data_file("pytest_sample.xml"));
  ASSERT_EQ(events.size(), 1u);
  // 2 passed, 1 failed, 1 error (failed too), 1 skipped.
  EXPECT_EQ(field(events[0], "tests"), 4);
  EXPECT_EQ(field(events[0], "failures"), 2);
  EXPECT_EQ(field(events[0], "flaky"), 0);
  EXPECT_EQ(field(events[0], "duration_seconds"), 0.051);
  // The root <testsuites> has no name; its only suite does.
  EXPECT_EQ(*events[0].text("suite"), "pytest");
  EXPECT_NEAR(events[0].time, 1795516076.142382, 1e-6);  // 2026-11-24T10:27:56.142382
}

TEST(JunitReport, CountsATestListedAgainThatFailedThenPassedAsFlaky) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/rerun.xml";
  write_file(path, R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="first" time="1.5" timestamp="2026-01-02T03:04:05Z">
    <testcase classname="c" name="recovers"><failure message="boom"/></testcase>
    <testcase classname="c" name="breaks"/>
    <testcase classname="c" name="always_fails"><error message="boom"/></testcase>
    <testcase classname="c" name="passes"/>
    <testcase classname="c" name=""/>
  </testsuite>
  <testsuite name="second" time="2.25" timestamp="2026-01-02T03:00:00+01:00">
    <testcase classname="c" name="recovers"/>
    <testcase classname="c" name="breaks"><failure message="boom"/></testcase>
    <testcase classname="c" name="always_fails"><failure message="boom"/></testcase>
    <testcase classname="c" name=""/>
  </testsuite>
</testsuites>
)");
  const auto events = ingest_junit(path);
  ASSERT_EQ(events.size(), 1u);
  const OutcomeEvent& e = events[0];
  // recovers, breaks, always_fails, passes and two tests without a name.
  EXPECT_EQ(field(e, "tests"), 6);
  EXPECT_EQ(field(e, "failures"), 2);  // breaks and always_fails: their last run failed
  EXPECT_EQ(field(e, "flaky"), 1);     // recovers
  EXPECT_EQ(field(e, "duration_seconds"), 3.75);
  EXPECT_EQ(e.text("suite"), nullptr);  // two suites and no root name
  EXPECT_EQ(e.time, 1767319200);        // the earlier suite: 2026-01-02T02:00:00Z
}

TEST(JunitReport, SumsTestTimesWhenNoSuiteHasOne) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/bare.xml";
  write_file(path, R"(<testsuite name="bare">
  <testcase classname="c" name="a" time="0.25"/>
  <testcase classname="c" name="b" time="0.5"><skipped/></testcase>
  <testcase classname="c" name="c" time="1" status="notrun"/>
</testsuite>)");
  const auto events = ingest_junit(path);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(field(events[0], "tests"), 1);
  EXPECT_EQ(field(events[0], "failures"), 0);
  EXPECT_EQ(field(events[0], "duration_seconds"), 1.75);
  EXPECT_EQ(*events[0].text("suite"), "bare");
}

TEST(JunitReport, RejectsATruncatedReportNamingItsLastLine) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/truncated.xml";
  // The first 5 lines of googletest_sample.xml: the file stops inside <testsuites>.
  std::istringstream sample(read_file(data_file("googletest_sample.xml")));
  std::string truncated, line;
  for (int i = 0; i < 5 && std::getline(sample, line); ++i) truncated += line + "\n";
  write_file(path, truncated);
  expect_error(ingest_error([&] { return ingest_junit(path); }), path, 5, "malformed XML");
}

TEST(JunitReport, RejectsMalformedValuesNamingTheirLine) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/bad.xml";
  write_file(path, "<testsuites>\n  <testsuite name=\"s\">\n    <testcase name=\"a\" time=\"fast\"/>\n  </testsuite>\n</testsuites>\n");
  expect_error(ingest_error([&] { return ingest_junit(path); }), path, 3, "time=\"fast\" is not a number");

  write_file(path, "<testsuites name=\"all\"\n  timestamp=\"yesterday\">\n</testsuites>\n");
  expect_error(ingest_error([&] { return ingest_junit(path); }), path, 1, "timestamp=\"yesterday\" is not an ISO 8601 time");

  write_file(path, "<?xml version=\"1.0\"?>\n<coverage line-rate=\"1\"/>\n");
  expect_error(ingest_error([&] { return ingest_junit(path); }), path, 2, "the root element is <coverage>");

  // Times that add up past the largest double give no infinite duration.
  write_file(path, "<testsuites>\n<testsuite time=\"1e308\"/>\n<testsuite time=\"1e308\"/>\n</testsuites>\n");
  expect_error(ingest_error([&] { return ingest_junit(path); }), path, 0, "duration_seconds must be finite");

  write_file(path, "<testsuites name=\"\xff\"/>");
  expect_error(ingest_error([&] { return ingest_junit(path); }), path, 1, "not valid UTF-8");
}

TEST(JunitReport, RejectsAMissingFileAndADirectory) {
  testing::TempDir dir;
  const std::string missing = dir.path() + "/missing.xml";
  const IngestError e = ingest_error([&] { return ingest_junit(missing); });
  expect_error(e, missing, 0, "cannot read the file");
  EXPECT_EQ(std::string(e.what()), missing + ": cannot read the file: No such file or directory");
  expect_error(ingest_error([&] { return ingest_junit(dir.path()); }), dir.path(), 0, "not a regular file");
}

// ---- lcov ---------------------------------------------------------------------------------

void expect_coverage(const OutcomeEvent& e, double covered, double total) {
  EXPECT_EQ(ipc::check_event(e), "");
  EXPECT_EQ(e.kind, OutcomeKind::kCoverage);
  EXPECT_EQ(field(e, "lines_covered"), covered);
  EXPECT_EQ(field(e, "lines_total"), total);
  EXPECT_DOUBLE_EQ(field(e, "percent"), 100.0 * covered / total);
}

// "(9 of 14 lines)" from lcov --summary, as lcov itself counts a tracefile.
std::optional<std::pair<double, double>> lcov_summary(const std::string& lcov, const std::string& tracefile) {
  const ProcessOutput summary = run({lcov, "--summary", tracefile});
  std::smatch m;
  const std::string text = summary.out + summary.err;
  if (!std::regex_search(text, m, std::regex(R"(lines\.+: [0-9.]+% \(([0-9]+) of ([0-9]+) lines\))"))) {
    ADD_FAILURE() << "no line summary from lcov: " << text;
    return std::nullopt;
  }
  return std::pair(std::stod(m[1]), std::stod(m[2]));
}

TEST(LcovReport, ReadsCommittedTracefilesAsLcovSummaryCountsThem) {
  // geninfo's output (DA lines only), lcov -a's (with LF and LH), and two captures of the same
  // file concatenated: one run executes 9 of 14 lines, the other all 14.
  const std::vector<std::tuple<std::string, double, double>> samples = {
      {"coverage_sample.info", 9, 14}, {"coverage_sample_summary.info", 9, 14}, {"coverage_two_tests.info", 14, 14}};
  const std::string lcov = find_program("lcov");
  for (const auto& [name, covered, total] : samples) {
    SCOPED_TRACE(name);
    const double before = seconds_now();
    const auto events = ingest_lcov(data_file(name));
    ASSERT_EQ(events.size(), 1u);
    expect_coverage(events[0], covered, total);
    EXPECT_GE(events[0].time, before);
    if (!lcov.empty()) {
      EXPECT_EQ(lcov_summary(lcov, data_file(name)), std::pair(covered, total));
    }
  }
}

TEST(LcovReport, CountsLfAndLhOfARecordWithoutLines) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/summary.info";
  write_file(
      path,
      "TN:\r\nSF:/src/a.c\r\nLF:10\r\nLH:4\r\nend_of_record\r\n\r\nSF:/src/b.c\r\nDA:1,0\r\nDA:2,5,abc\r\nDA:3,-1\r\nend_of_record\r\n");
  const auto events = ingest_lcov(path);
  ASSERT_EQ(events.size(), 1u);
  expect_coverage(events[0], 5, 13);
}

TEST(LcovReport, RejectsMalformedTracefilesNamingTheLine) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/bad.info";
  const auto expect_bad = [&](const std::string& content, std::size_t line, const std::string& message) {
    SCOPED_TRACE(content);
    write_file(path, content);
    expect_error(ingest_error([&] { return ingest_lcov(path); }), path, line, message);
  };
  expect_bad("TN:\nSF:/a.c\nDA:1,1\nXYZ:3\nend_of_record\n", 4, "unknown lcov record \"XYZ\"");
  expect_bad("SF:/a.c\nDA:1,1\nDA:2,many\nend_of_record\n", 3, "DA is not <line>,<count>: \"2,many\"");
  expect_bad("SF:/a.c\nDA:1\nend_of_record\n", 2, "DA is not <line>,<count>");
  expect_bad("SF:/a.c\nDA:1,1\nLF:one\nend_of_record\n", 3, "LF is not a whole number");
  expect_bad("SF:/a.c\nDA:1,1\nDA:2,0\n", 3, "end_of_record is missing");
  expect_bad("SF:/a.c\nDA:1,1\nSF:/b.c\nend_of_record\n", 3, "end_of_record is missing");
  expect_bad("DA:1,1\n", 1, "outside a record");
  expect_bad("SF:/a.c\nend_of_record\nend_of_record\n", 3, "end_of_record without a record");
  expect_bad("SF:/a.c\nLF:2\nLH:3\nend_of_record\n", 4, "LH (3) is more than LF (2)");
  expect_bad("just text\n", 1, "not an lcov record");
  expect_bad("", 0, "no instrumented lines");
  expect_bad(std::string("\x7f"
                         "ELF\x02\x01\x01\0\0\0",
                         10),
             1, "not an lcov record");
}

// A build of coverage_sample.c with --coverage, run once, as the live coverage tests use it.
class CoverageRun : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"gcc", "gcov"}) {
      if (find_program(tool).empty()) GTEST_SKIP() << tool << " is not installed";
    }
    source_ = dir_.path() + "/coverage_sample.c";
    std::filesystem::copy_file(data_file("coverage_sample.c"), source_);
    const std::string object = dir_.path() + "/coverage_sample.o";
    const std::string program = dir_.path() + "/coverage_sample";
    const std::string gcc = find_program("gcc");
    ASSERT_EQ(run({gcc, "--coverage", "-O0", "-c", source_, "-o", object}).exit_code, 0);
    ASSERT_EQ(run({gcc, "--coverage", object, "-o", program}).exit_code, 0);
    ASSERT_EQ(run({program}).exit_code, 0);
    // gcov's own count: "Lines executed:64.29% of 14"
    const ProcessOutput gcov = run({find_program("gcov"), "-n", "-o", dir_.path(), source_});
    std::smatch m;
    ASSERT_TRUE(std::regex_search(gcov.out, m, std::regex(R"(Lines executed:([0-9.]+)% of ([0-9]+))"))) << gcov.out << gcov.err;
    gcov_percent_ = m[1];
    gcov_lines_ = std::stod(m[2]);
    ASSERT_EQ(gcov_lines_, 14);
    ASSERT_EQ(gcov_percent_, "64.29");
  }

  // Checks an event against gcov's numbers, which give percent to two decimals.
  void expect_gcov_numbers(const OutcomeEvent& e) const {
    expect_coverage(e, 9, gcov_lines_);
    char percent[16];
    std::snprintf(percent, sizeof percent, "%.2f", field(e, "percent"));
    EXPECT_EQ(percent, gcov_percent_);
  }

  testing::TempDir dir_;
  std::string source_;
  std::string gcov_percent_;
  double gcov_lines_ = 0;
};

TEST_F(CoverageRun, LcovCaptureOfARealRun) {
  const std::string lcov = find_program("lcov");
  if (lcov.empty()) GTEST_SKIP() << "lcov is not installed";
  const std::string tracefile = dir_.path() + "/coverage.info";
  const ProcessOutput capture = run({lcov, "--capture", "--directory", dir_.path(), "--output-file", tracefile});
  ASSERT_EQ(capture.exit_code, 0) << capture.err;
  const auto events = ingest_lcov(tracefile);
  ASSERT_EQ(events.size(), 1u);
  expect_gcov_numbers(events[0]);
  EXPECT_EQ(lcov_summary(lcov, tracefile), std::pair(9.0, 14.0));
}

TEST_F(CoverageRun, GcovrCoberturaXmlOfARealRun) {
  const std::string gcovr = find_program("gcovr");
  if (gcovr.empty()) GTEST_SKIP() << "gcovr is not installed";
  const std::string report = dir_.path() + "/coverage.xml";
  const double before = seconds_now();
  const ProcessOutput xml = run({gcovr, "--xml", "--root", dir_.path(), "--output", report, dir_.path()},
                                environment({"LC_", "SOURCE_DATE_EPOCH"}, {{"LC_ALL", "C"}}));
  ASSERT_EQ(xml.exit_code, 0) << xml.err;
  const auto events = ingest_cobertura(report);
  ASSERT_EQ(events.size(), 1u);
  expect_gcov_numbers(events[0]);
  // gcovr's timestamp, in seconds: when it wrote the report.
  EXPECT_GE(events[0].time, before - 1);
  EXPECT_LE(events[0].time, seconds_now() + 1);
}

// ---- Cobertura XML ------------------------------------------------------------------------

TEST(CoberturaReport, ReadsACommittedGcovrReport) {
  const auto events = ingest_cobertura(data_file("coverage_sample.cobertura.xml"));
  ASSERT_EQ(events.size(), 1u);
  expect_coverage(events[0], 9, 14);
  EXPECT_EQ(events[0].time, 1795516057);
}

TEST(CoberturaReport, FallsBackToLineRateAndReadsMillisecondTimestamps) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/old.xml";
  write_file(path, R"(<?xml version="1.0"?>
<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-03.dtd">
<coverage line-rate="0.25" branch-rate="0.5" version="1.9" timestamp="1700000000123"><packages/></coverage>
)");
  const auto events = ingest_cobertura(path);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(ipc::check_event(events[0]), "");
  EXPECT_EQ(field(events[0], "percent"), 25);
  EXPECT_FALSE(events[0].fields.contains("lines_covered"));
  EXPECT_FALSE(events[0].fields.contains("lines_total"));
  EXPECT_DOUBLE_EQ(events[0].time, 1700000000.123);
}

TEST(CoberturaReport, RejectsMalformedReportsNamingTheLine) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/bad.xml";
  const auto expect_bad = [&](const std::string& content, std::size_t line, const std::string& message) {
    SCOPED_TRACE(content);
    write_file(path, content);
    expect_error(ingest_error([&] { return ingest_cobertura(path); }), path, line, message);
  };
  // The committed report cut inside its <coverage> element, on line 3.
  const std::string sample = read_file(data_file("coverage_sample.cobertura.xml"));
  expect_bad(sample.substr(0, sample.find("<packages>")), 3, "malformed XML");
  expect_bad("<?xml version=\"1.0\"?>\n<testsuites/>\n", 2, "the root element is <testsuites>, not <coverage>");
  expect_bad("<?xml version=\"1.0\"?>\n\n<coverage lines-covered=\"15\" lines-valid=\"14\"/>\n", 3,
             "lines-covered is more than lines-valid");
  expect_bad("<coverage\n lines-covered=\"-1\" lines-valid=\"14\"/>\n", 1, "lines-covered=\"-1\" is not a whole number");
  expect_bad("<coverage lines-covered=\"0\" lines-valid=\"0\" line-rate=\"0\"/>\n", 1, "no instrumented lines");
  expect_bad("<coverage lines-valid=\"3\"/>\n", 1, "only one of lines-covered and lines-valid");
  expect_bad("<coverage line-rate=\"1.5\"/>\n", 1, "line-rate is more than 1");
  expect_bad("<coverage/>\n", 1, "neither lines-valid nor line-rate");
  expect_bad("", 1, "malformed XML");
}

// ---- SARIF --------------------------------------------------------------------------------

void expect_lint(const OutcomeEvent& e, double errors, double warnings, double infos) {
  EXPECT_EQ(ipc::check_event(e), "");
  EXPECT_EQ(e.kind, OutcomeKind::kLint);
  EXPECT_EQ(field(e, "errors"), errors);
  EXPECT_EQ(field(e, "warnings"), warnings);
  EXPECT_EQ(field(e, "infos"), infos);
}

TEST(SarifReport, ReadsACommittedFlawfinderLog) {
  const double before = seconds_now();
  const auto events = ingest_sarif(data_file("flawfinder_sample.sarif"));
  ASSERT_EQ(events.size(), 1u);
  expect_lint(events[0], 3, 1, 3);
  ASSERT_NE(events[0].text("tool"), nullptr);
  EXPECT_EQ(*events[0].text("tool"), "Flawfinder");
  EXPECT_GE(events[0].time, before);  // flawfinder writes no invocation times
}

TEST(SarifReport, ReadsTheLogOfAFlawfinderRunNow) {
  const std::string flawfinder = find_program("flawfinder");
  if (flawfinder.empty()) GTEST_SKIP() << "flawfinder is not installed";
  testing::TempDir dir;
  const ProcessOutput scan = run({flawfinder, "--sarif", data_file("flawfinder_sample.c")});
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  const std::string path = dir.path() + "/scan.sarif";
  write_file(path, scan.out);
  const auto events = ingest_sarif(path);
  ASSERT_EQ(events.size(), 1u);
  expect_lint(events[0], 3, 1, 3);
  EXPECT_EQ(*events[0].text("tool"), "Flawfinder");
}

TEST(SarifReport, FollowsTheSpecForLevelsKindsAndSuppressions) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/levels.sarif";
  write_file(path, R"({
  "version": "2.1.0",
  "runs": [
    {
      "tool": {"driver": {"name": "checker", "rules": [
        {"id": "R0", "defaultConfiguration": {"level": "error"}},
        {"id": "R1", "defaultConfiguration": {"level": "note"}},
        {"id": "R2"}
      ]}},
      "invocations": [{"executionSuccessful": true, "startTimeUtc": "2026-01-02T03:04:05.500Z", "endTimeUtc": "2026-01-02T03:05:00Z"}],
      "results": [
        {"ruleIndex": 0, "message": {"text": "error by its rule's default"}},
        {"ruleId": "R1", "message": {"text": "note by its rule's default"}},
        {"rule": {"id": "R0"}, "message": {"text": "error by a rule reference"}},
        {"ruleId": "R2", "message": {"text": "warning: the rule has no default"}},
        {"message": {"text": "warning: no rule, no level"}},
        {"level": "error", "ruleIndex": 1, "message": {"text": "its own level wins"}},
        {"level": "none", "message": {"text": "not counted"}},
        {"kind": "pass", "ruleIndex": 0, "message": {"text": "a pass is level none"}},
        {"kind": "fail", "ruleIndex": 0, "message": {"text": "error"}},
        {"level": "error", "suppressions": [{"kind": "inSource"}], "message": {"text": "suppressed"}},
        {"level": "error", "suppressions": [{"kind": "external", "status": "accepted"}], "message": {"text": "suppressed"}},
        {"level": "error", "suppressions": [{"kind": "external", "status": "rejected"}], "message": {"text": "counted"}},
        {"level": "error", "baselineState": "absent", "message": {"text": "gone since the baseline"}},
        {"level": "note", "baselineState": "new", "message": {"text": "note"}}
      ]
    },
    {
      "tool": {"driver": {"name": "second tool"}},
      "results": [{"level": "warning", "message": {"text": "a second run counts too"}}]
    },
    {"tool": {"driver": {"name": "did not finish"}}, "results": null}
  ]
})");
  const auto events = ingest_sarif(path);
  ASSERT_EQ(events.size(), 1u);
  expect_lint(events[0], 5, 3, 2);
  EXPECT_EQ(*events[0].text("tool"), "checker");
  EXPECT_DOUBLE_EQ(events[0].time, 1767323045.5);  // startTimeUtc
}

TEST(SarifReport, RejectsBrokenJsonNamingTheLine) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/bad.sarif";
  const auto expect_bad = [&](const std::string& content, std::size_t line, const std::string& message) {
    SCOPED_TRACE(content);
    write_file(path, content);
    expect_error(ingest_error([&] { return ingest_sarif(path); }), path, line, message);
  };
  expect_bad("{\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\"results\": [}\n  ]\n}\n", 4, "malformed JSON: syntax error");
  // The committed log cut in the middle of its line 20.
  const std::string sample = read_file(data_file("flawfinder_sample.sarif"));
  std::size_t cut = 0;
  for (int line = 1; line < 20; ++line) cut = sample.find('\n', cut) + 1;
  expect_bad(sample.substr(0, cut + 10), 20, "malformed JSON");
  expect_bad("", 1, "malformed JSON");
  expect_bad("{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {\"name\": \"\\u0000\"}}}]}", 0,
             "runs[0].tool.driver.name is not valid UTF-8 text");
  expect_bad("{\"version\": \"2.1.0\", \"runs\": [{\"results\": [{\"level\": \"error\"}, {\"level\": \"fatal\"}]}]}", 0,
             "runs[0].results[1] has the level \"fatal\", not error, warning, note or none");
  expect_bad("{\"version\": \"2.1.0\", \"runs\": [{\"results\": {}}]}", 0, "runs[0].results is not an array");
  expect_bad("{\"version\": \"1.0.0\", \"runs\": []}", 0, "not a SARIF 2.1.0 log");
  expect_bad("{\"version\": \"2.1.0\"}", 0, "\"runs\" is not an array");
  expect_bad("[1, 2]", 0, "not a JSON object");
  expect_bad("{\"version\": \"2.1.0\", \"runs\": [{\"invocations\": [{\"startTimeUtc\": \"noon\"}]}]}", 0,
             "runs[0].invocations[0].startTimeUtc is not an ISO 8601 time");
}

// ---- git history --------------------------------------------------------------------------

// A repository made at test time, with commits at known times and of known sizes.
class GitRepository {
 public:
  GitRepository() : git_(find_program("git")), path_(dir_.path() + "/repo") {
    std::filesystem::create_directory(path_);
    run_git({"init", "--quiet", "--initial-branch=main"}, 0);
  }

  const std::string& path() const { return path_; }

  void write(const std::string& name, const std::string& content) const { write_file(path_ + "/" + name, content); }

  ProcessOutput run_git(std::vector<std::string> args, long long time) const {
    args.insert(args.begin(), {git_, "-C", path_});
    const std::string date = "@" + std::to_string(time) + " +0000";
    // Neither the system's nor the user's git configuration (a signing key...) applies.
    ProcessOutput out = run(args, environment({"GIT_"}, {{"GIT_CONFIG_NOSYSTEM", "1"},
                                                         {"GIT_CONFIG_GLOBAL", "/dev/null"},
                                                         {"GIT_AUTHOR_NAME", "Test Author"},
                                                         {"GIT_AUTHOR_EMAIL", "author@example.com"},
                                                         {"GIT_COMMITTER_NAME", "Test Committer"},
                                                         {"GIT_COMMITTER_EMAIL", "committer@example.com"},
                                                         {"GIT_AUTHOR_DATE", date},
                                                         {"GIT_COMMITTER_DATE", date}}));
    EXPECT_EQ(out.exit_code, 0) << out.err;
    return out;
  }

  void commit_all(const std::string& message, long long time) const {
    run_git({"add", "--all"}, time);
    run_git({"commit", "--quiet", "-m", message}, time);
  }

  std::vector<std::string> shas_oldest_first() const {
    std::vector<std::string> shas;
    std::istringstream lines(run_git({"rev-list", "--reverse", "HEAD"}, 1).out);
    for (std::string sha; std::getline(lines, sha);) shas.push_back(sha);
    return shas;
  }

 private:
  testing::TempDir dir_;
  std::string git_;
  std::string path_;
};

constexpr long long kFirstCommit = 1700000000;  // 2023-11-14T22:13:20Z

// Five commits, 100 seconds apart: three on main, one on a branch, and the merge of the branch.
void make_history(const GitRepository& repo) {
  repo.write("a.txt", "one\ntwo\nthree\n");
  repo.write("logo.bin", std::string("\x89PNG\0\0\0\x01", 8));
  repo.commit_all("first: 3 lines and a binary file", kFirstCommit);
  repo.write("a.txt", "one\n2\nthree\nfour\n");
  repo.write("c.txt", "x\ny\n");
  repo.commit_all("second: 4 lines added, 1 deleted", kFirstCommit + 100);
  repo.run_git({"checkout", "--quiet", "-b", "side"}, kFirstCommit + 150);
  std::filesystem::remove(repo.path() + "/c.txt");
  repo.commit_all("third, on a branch: 2 lines deleted", kFirstCommit + 200);
  repo.run_git({"checkout", "--quiet", "main"}, kFirstCommit + 250);
  repo.write("a.txt", "one\n2\nthree\nfour\nfive\n");
  repo.commit_all("fourth: 1 line added", kFirstCommit + 300);
  repo.run_git({"merge", "--quiet", "--no-ff", "-m", "merge side", "side"}, kFirstCommit + 400);
}

struct ExpectedCommit {
  double added, deleted;
  long long time;
};

void expect_commits(const std::vector<OutcomeEvent>& events, const std::vector<std::string>& shas,
                    const std::vector<ExpectedCommit>& expected) {
  ASSERT_EQ(events.size(), expected.size());
  ASSERT_EQ(shas.size(), expected.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    SCOPED_TRACE("commit " + std::to_string(i));
    EXPECT_EQ(ipc::check_event(events[i]), "");
    EXPECT_EQ(events[i].kind, OutcomeKind::kCommit);
    ASSERT_NE(events[i].text("sha"), nullptr);
    EXPECT_EQ(*events[i].text("sha"), shas[i]);
    EXPECT_EQ(field(events[i], "lines_added"), expected[i].added);
    EXPECT_EQ(field(events[i], "lines_deleted"), expected[i].deleted);
    EXPECT_EQ(events[i].time, static_cast<double>(expected[i].time));
  }
}

TEST(GitHistory, GivesEveryCommitOldestFirstWithItsLineCounts) {
  const GitRepository repo;
  make_history(repo);
  const std::vector<std::string> shas = repo.shas_oldest_first();
  expect_commits(ingest_git_history(repo.path()), shas,
                 {{3, 0, kFirstCommit},
                  {4, 1, kFirstCommit + 100},
                  {0, 2, kFirstCommit + 200},
                  {1, 0, kFirstCommit + 300},
                  {0, 0, kFirstCommit + 400}});  // the merge: its changes are the branch's
}

TEST(GitHistory, LimitsByDateAndCount) {
  const GitRepository repo;
  make_history(repo);
  const std::vector<std::string> shas = repo.shas_oldest_first();
  GitHistoryOptions newest;
  newest.max_count = 2;
  expect_commits(ingest_git_history(repo.path(), newest), {shas[3], shas[4]}, {{1, 0, kFirstCommit + 300}, {0, 0, kFirstCommit + 400}});
  GitHistoryOptions between;
  between.since = "2023-11-14 22:14:00 +0000";  // after the first commit (22:13:20)
  between.until = "2023-11-14 22:17:00 +0000";  // before the fourth (22:18:20)
  expect_commits(ingest_git_history(repo.path(), between), {shas[1], shas[2]}, {{4, 1, kFirstCommit + 100}, {0, 2, kFirstCommit + 200}});
}

TEST(GitHistory, IgnoresAGitDirInTheEnvironment) {
  const GitRepository repo;
  make_history(repo);
  const std::vector<std::string> shas = repo.shas_oldest_first();
  const ScopedEnv git_dir("GIT_DIR", "/nonexistent/.git");  // as in a hook of another repository
  const auto events = ingest("git", repo.path());
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(*events[4].text("sha"), shas[4]);
}

TEST(GitHistory, ARepositoryWithoutCommitsHasNoEvents) {
  const GitRepository repo;
  EXPECT_TRUE(ingest_git_history(repo.path()).empty());
}

TEST(GitHistory, RejectsADirectoryThatIsNotARepository) {
  testing::TempDir dir;
  expect_error(ingest_error([&] { return ingest_git_history(dir.path()); }), dir.path(), 0,
               "not a git repository (git says \"fatal: not a git repository");
  const std::string missing = dir.path() + "/missing";
  expect_error(ingest_error([&] { return ingest_git_history(missing); }), missing, 0, "no such directory");
}

// ---- the dispatcher and hostile input -----------------------------------------------------

TEST(Ingest, DispatchesByFormatName) {
  const ScopedEnv utc("TZ", "UTC");
  EXPECT_EQ(field(ingest("junit", data_file("googletest_sample.xml")).at(0), "tests"), 5);
  EXPECT_EQ(field(ingest("lcov", data_file("coverage_sample.info")).at(0), "lines_total"), 14);
  EXPECT_EQ(field(ingest("cobertura", data_file("coverage_sample.cobertura.xml")).at(0), "lines_covered"), 9);
  EXPECT_EQ(field(ingest("sarif", data_file("flawfinder_sample.sarif")).at(0), "errors"), 3);
  const std::vector<std::string_view> formats(ingest_formats().begin(), ingest_formats().end());
  EXPECT_EQ(formats, (std::vector<std::string_view>{"junit", "lcov", "cobertura", "sarif", "git"}));
  try {
    ingest("xunit", data_file("googletest_sample.xml"));
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "unknown report format \"xunit\" (known: junit, lcov, cobertura, sarif, git)");
  }
}

TEST(Ingest, HostileInputFailsCleanly) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/hostile";
  const std::size_t depth = 200000;
  std::string nested_xml;
  for (std::size_t i = 0; i < depth; ++i) nested_xml += "<testsuite>";
  std::string nested_json = "{\"version\": \"2.1.0\", \"runs\": ";
  nested_json += std::string(depth, '[');
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919) % 256);

  for (const std::string_view format : {"junit", "lcov", "cobertura", "sarif"}) {
    for (const std::string* content : {&nested_xml, &nested_json, &garbage}) {
      SCOPED_TRACE(std::string(format) + " " + content->substr(0, 20));
      write_file(path, *content);
      EXPECT_THROW(ingest(format, path), IngestError);
    }
  }
  // Deep nesting that is well-formed is walked without recursion.
  nested_xml.clear();
  for (std::size_t i = 0; i < depth; ++i) nested_xml += "<testsuite>";
  nested_xml += "<testcase name=\"deep\"/>";
  for (std::size_t i = 0; i < depth; ++i) nested_xml += "</testsuite>";
  write_file(path, nested_xml);
  EXPECT_EQ(field(ingest_junit(path).at(0), "tests"), 1);
}

}  // namespace
}  // namespace agentmetrics::ingest
