// JUnit XML test reports (GoogleTest --gtest_output=xml, Maven Surefire, pytest --junitxml)
// to one test_run event.
#pragma once

#include <string>
#include <vector>

#include "ipc/outcome_event.h"

namespace agentmetrics::ingest {

// One test_run event from the report at `path` (root <testsuites> or <testsuite>):
//   tests     testcases that passed or failed; skipped ones (a <skipped> child) and ones
//             GoogleTest did not run (status="notrun", its DISABLED_ tests) are not counted
//   failures  tests with a <failure> or <error> child
//   flaky     tests with a <flakyFailure> or <flakyError> child (Surefire's rerun that passed),
//             or a test (classname and name) listed again that failed, then passed later
//   duration_seconds  the root's time, else the sum of its suites' times, else of its tests'
//   suite     the root's name, else the name of its only suite
// The event's time is the report's timestamp (the root's, else its earliest suite's), or now.
// Throws IngestError naming the file and line when the file is not such a report.
std::vector<ipc::OutcomeEvent> ingest_junit(const std::string& path);

}  // namespace agentmetrics::ingest
