// When the KPI thread recomputes after new events: soon on a small history, and on a large one
// late enough that refreshing stays a small share of its time.
#include <gtest/gtest.h>

#include "collector/kpi/kpi_service.h"

namespace agentmetrics::kpi {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(KpiPokeDelay, ASmallHistoryIsRefreshedASecondAfterNewEvents) {
  EXPECT_EQ(kpi_poke_delay(milliseconds(0)), seconds(1));
  EXPECT_EQ(kpi_poke_delay(milliseconds(5)), seconds(1));
  EXPECT_EQ(kpi_poke_delay(milliseconds(50)), seconds(1));
}

TEST(KpiPokeDelay, ALargeHistoryKeepsRefreshingToAtMostATwentiethOfTheTime) {
  for (const auto refresh : {milliseconds(100), milliseconds(300), milliseconds(2000)}) {
    const auto delay = kpi_poke_delay(refresh);
    // Under a steady stream of events the thread refreshes, waits `delay`, refreshes again.
    const double share = std::chrono::duration<double>(refresh) / std::chrono::duration<double>(refresh + delay);
    EXPECT_LE(share, 0.05 + 1e-9) << refresh.count();
    EXPECT_GE(share, 0.04) << refresh.count();  // and not needlessly later
  }
}

}  // namespace
}  // namespace agentmetrics::kpi
