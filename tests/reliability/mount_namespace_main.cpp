// main() of the reliability tests that mount file systems: enters a private mount namespace
// while the process has one thread, then runs the tests (private_mounts.h).
#include <gtest/gtest.h>

#include <cstdio>

#include "tests/reliability/private_mounts.h"

int main(int argc, char** argv) {
  std::string why;
  if (!agentmetrics::testing::enter_private_mount_namespace(why)) {
    std::fprintf(stderr, "no private mount namespace (%s): the tests that mount file systems skip\n", why.c_str());
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
