#include "collector/ingest/junit_report.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <map>

#include "collector/common/unix_time.h"
#include "collector/ingest/report_values.h"
#include "collector/ingest/xml_report.h"
#include "ipc/timestamp.h"

namespace agentmetrics::ingest {
namespace {

// Times this close to the epoch are GoogleTest's mark of a suite that never started.
constexpr double kUnsetTimestamp = 86400;
constexpr std::size_t kSuiteNameBytes = 256;

bool named(pugi::xml_node node, const char* name) { return std::strcmp(node.name(), name) == 0; }

bool is_suite(pugi::xml_node node) { return named(node, "testsuite") || named(node, "testsuites"); }

bool has_child(pugi::xml_node node, std::initializer_list<const char*> names) {
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    for (const char* name : names) {
      if (named(child, name)) return true;
    }
  }
  return false;
}

// What is known of one test (classname and name) over every time the report lists it.
struct TestHistory {
  bool failed = false;       // its last run failed
  bool ever_failed = false;  // some run failed
  bool flaky = false;        // a run failed and a later one passed
};

class JunitReader {
 public:
  explicit JunitReader(const std::string& path) : report_(path), root_(report_.root()) {
    if (!is_suite(root_)) {
      report_.fail(root_, std::string("the root element is <") + root_.name() + ">, not <testsuites> or <testsuite>");
    }
  }

  ipc::OutcomeEvent read() {
    walk_testcases();
    ipc::OutcomeEvent event;
    event.kind = ipc::OutcomeKind::kTestRun;
    event.time = report_time().value_or(unix_now());
    double failures = 0, flaky = 0;
    for (const auto& [id, test] : tests_) {
      failures += test.failed ? 1 : 0;
      flaky += test.flaky ? 1 : 0;
    }
    event.fields["tests"] = static_cast<double>(tests_.size());
    event.fields["failures"] = failures;
    event.fields["flaky"] = flaky;
    event.fields["duration_seconds"] = duration();
    if (std::string suite = suite_name(); !suite.empty()) event.fields["suite"] = std::move(suite);
    return event;
  }

 private:
  // Visits the testcases in document order, descending only into suites (never into a
  // test's own output), without recursion so that deep nesting cannot exhaust the stack.
  void walk_testcases() {
    pugi::xml_node node = root_.first_child();
    while (node) {
      if (named(node, "testcase")) add_testcase(node);
      if (is_suite(node) && node.first_child()) {
        node = node.first_child();
        continue;
      }
      while (node != root_ && !node.next_sibling()) node = node.parent();
      if (node == root_) break;
      node = node.next_sibling();
    }
  }

  void add_testcase(pugi::xml_node testcase) {
    if (const auto t = report_.number(testcase, "time")) testcase_seconds_ += *t;
    if (std::strcmp(testcase.attribute("status").as_string(), "notrun") == 0) return;
    if (has_child(testcase, {"skipped"})) return;
    const bool failed = has_child(testcase, {"failure", "error"});
    const bool rerun_passed = !failed && has_child(testcase, {"flakyFailure", "flakyError"});

    const std::string name = testcase.attribute("name").as_string();
    // A test without a name cannot be recognised when listed again: it is a test of its own.
    const std::string id =
        name.empty() ? "\n" + std::to_string(++unnamed_tests_) : testcase.attribute("classname").as_string() + std::string(1, '\0') + name;
    TestHistory& test = tests_[id];
    test.flaky = test.flaky || rerun_passed || (test.ever_failed && !failed);
    test.ever_failed = test.ever_failed || failed;
    test.failed = failed;
  }

  // The suites directly under a <testsuites> root, or the <testsuite> root itself.
  std::vector<pugi::xml_node> top_suites() const {
    if (named(root_, "testsuite")) return {root_};
    std::vector<pugi::xml_node> suites;
    for (pugi::xml_node s = root_.child("testsuite"); s; s = s.next_sibling("testsuite")) suites.push_back(s);
    return suites;
  }

  double duration() const {
    if (const auto t = report_.number(root_, "time")) return *t;
    bool any = false;
    double sum = 0;
    for (pugi::xml_node suite : top_suites()) {
      if (const auto t = report_.number(suite, "time")) {
        sum += *t;
        any = true;
      }
    }
    return any ? sum : testcase_seconds_;
  }

  std::optional<double> timestamp(pugi::xml_node node) const {
    const pugi::xml_attribute a = node.attribute("timestamp");
    if (!a) return std::nullopt;
    const auto time = ipc::parse_timestamp(a.value(), ipc::ZonelessTime::kLocal);
    if (!time) report_.fail(node, "timestamp=" + quoted_excerpt(a.value()) + " is not an ISO 8601 time");
    if (*time <= kUnsetTimestamp) return std::nullopt;
    return time;
  }

  std::optional<double> report_time() const {
    if (const auto t = timestamp(root_)) return t;
    std::optional<double> earliest;
    for (pugi::xml_node suite : top_suites()) {
      if (const auto t = timestamp(suite)) earliest = std::min(earliest.value_or(*t), *t);
    }
    return earliest;
  }

  std::string suite_name() const {
    pugi::xml_node named_by = root_;
    if (!*root_.attribute("name").as_string()) {
      const std::vector<pugi::xml_node> suites = top_suites();
      if (suites.size() == 1) named_by = suites.front();
    }
    const auto name = bounded_text(named_by.attribute("name").as_string(), kSuiteNameBytes);
    if (!name) report_.fail(named_by, "the suite's name is not valid UTF-8 text");
    return *name;
  }

  XmlReport report_;
  pugi::xml_node root_;
  std::map<std::string, TestHistory> tests_;
  std::size_t unnamed_tests_ = 0;
  double testcase_seconds_ = 0;
};

}  // namespace

std::vector<ipc::OutcomeEvent> ingest_junit(const std::string& path) {
  std::vector<ipc::OutcomeEvent> events{JunitReader(path).read()};
  require_valid_events(path, events);
  return events;
}

}  // namespace agentmetrics::ingest
