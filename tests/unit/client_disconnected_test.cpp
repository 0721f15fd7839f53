// With no usable segment directory the library keeps the process going: declarations work,
// events are counted as dropped, and the reason is reported.
#include <gtest/gtest.h>

#include <agentmetrics/agentmetrics.h>
#include <agentmetrics/agentmetrics.hpp>
#include <cstdlib>

TEST(ClientDisconnected, ReportsWhyAndCountsDrops) {
  agentmetrics::CounterFamily family("offline_total", "offline");
  const auto counter = family.with({});
  for (int i = 0; i < 5; ++i) counter.inc();
  { agentmetrics::Task task("a", "b"); }
  EXPECT_FALSE(agentmetrics::connected());
  EXPECT_NE(agentmetrics::last_error().find("/nonexistent/agentmetrics"), std::string::npos) << agentmetrics::last_error();
  // 5 increments, then the task's two records and its outcome event.
  EXPECT_EQ(agentmetrics::dropped_events(), 8u);
  EXPECT_EQ(am_connected(), 0);
  EXPECT_NE(std::string(am_last_error_message()).find("cannot open segment directory"), std::string::npos);
}

int main(int argc, char** argv) {
  ::setenv("AGENTMETRICS_SHM_DIR", "/nonexistent/agentmetrics", 1);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
