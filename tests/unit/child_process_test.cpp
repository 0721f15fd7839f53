// The one child-process runner, on real programs: exit codes and signals come back the same way
// from both, a program that does not exist is a system_error with ENOENT, and a SIGTERM sent to
// this process while an attached child runs reaches the child.
#include <gtest/gtest.h>

#include <cerrno>
#include <system_error>

#include "collector/common/child_process.h"

namespace agentmetrics {
namespace {

TEST(ChildProcess, CollectsOutputAndTheExitCode) {
  const ProcessOutput done = run_process({"sh", "-c", "echo out; echo err >&2; exit 3"}, {"PATH=/usr/bin:/bin"});
  EXPECT_EQ(done.out, "out\n");
  EXPECT_EQ(done.err, "err\n");
  EXPECT_EQ(done.exit_code, 3);
}

TEST(ChildProcess, BothRunnersReportASignalAsItsNegative) {
  EXPECT_EQ(run_process({"sh", "-c", "kill -KILL $$"}, {"PATH=/usr/bin:/bin"}).exit_code, -9);
  EXPECT_EQ(run_attached({"sh", "-c", "kill -KILL $$"}), -9);
  EXPECT_EQ(run_attached({"sh", "-c", "exit 7"}), 7);
}

TEST(ChildProcess, AProgramThatDoesNotExistIsENOENT) {
  for (const bool attached : {false, true}) {
    try {
      if (attached) {
        run_attached({"/nonexistent/tool"});
      } else {
        run_process({"/nonexistent/tool"}, {});
      }
      ADD_FAILURE() << "a missing program ran";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code().value(), ENOENT) << e.what();
    }
  }
}

// The child signals its parent (this test); the runner passes the signal on, and the child's
// trap turns it into exit 42. Without the forwarding the child would sleep out and exit 0.
TEST(ChildProcess, ASigtermToTheParentReachesAnAttachedChild) {
  EXPECT_EQ(run_attached({"sh", "-c", "trap 'exit 42' TERM; kill -TERM $PPID; sleep 5 & wait; exit 0"}), 42);
}

}  // namespace
}  // namespace agentmetrics
