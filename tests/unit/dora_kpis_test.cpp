// The pieces DORA's keys are measured with: recovery from failed deployments, a pull request's
// state from its steps, medians and 75th percentiles, and the performance bands; then the
// engine over a store: change failure rate, recovery time and the quantiles, worked out by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <tuple>

#include "collector/kpi/deployment_recovery.h"
#include "collector/kpi/dora_band.h"
#include "collector/kpi/kpi_engine.h"
#include "collector/kpi/pull_request_states.h"
#include "collector/kpi/value_distribution.h"
#include "collector/store/sqlite_event_store.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_clock.h"

namespace {

using namespace agentmetrics;
using namespace agentmetrics::kpi;

using agentmetrics::testing::kHour;
using agentmetrics::testing::kNow;

TEST(ValueDistribution, MedianAndP75InterpolateBetweenRanks) {
  const auto d = distribution_of({10, 1, 3, 2});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->count, 4u);
  EXPECT_DOUBLE_EQ(d->mean, 4);
  EXPECT_DOUBLE_EQ(d->median, 2.5);
  EXPECT_DOUBLE_EQ(d->p75, 4.75);  // rank 2.25 between 3 and 10
  const auto one = distribution_of({7});
  ASSERT_TRUE(one);
  EXPECT_DOUBLE_EQ(one->median, 7);
  EXPECT_DOUBLE_EQ(one->p75, 7);
  EXPECT_FALSE(distribution_of({}));
  EXPECT_DOUBLE_EQ(quantile({1, 2, 3, 4, 5}, 0.75), 4);
}

TEST(DeploymentRecovery, AFailureRunEndsAtTheNextSuccessOfItsEnvironment) {
  // One environment: fail at 10, fail again at 11, success at 13 (one recovery of 3 h); a
  // success at 20 then a rollback at 22 (the deployment at 20 was the failure: 2 h).
  const std::vector<DeploymentRecord> d = {
      {10 * kHour, "acme/app", "production", false, false}, {11 * kHour, "acme/app", "production", false, false},
      {13 * kHour, "acme/app", "production", true, false},  {20 * kHour, "acme/app", "production", true, false},
      {22 * kHour, "acme/app", "production", true, true},   {5 * kHour, "acme/app", "staging", false, false},
      {30 * kHour, "acme/app", "staging", true, false},
  };
  // The records are ordered by repository, environment and time.
  std::vector<DeploymentRecord> ordered = d;
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    return std::tie(a.repository, a.environment, a.time) < std::tie(b.repository, b.environment, b.time);
  });
  const auto all = recovery_durations(ordered, 0, 100 * kHour);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_DOUBLE_EQ(all[0], 3 * kHour);   // production's failure run
  EXPECT_DOUBLE_EQ(all[1], 2 * kHour);   // production's rollback
  EXPECT_DOUBLE_EQ(all[2], 25 * kHour);  // staging, on its own
  // Recoveries ending in the window count, whenever their failure began.
  const auto late = recovery_durations(ordered, 12 * kHour, 25 * kHour);
  ASSERT_EQ(late.size(), 2u);
  EXPECT_DOUBLE_EQ(late[0], 3 * kHour);
  // A rollback that is the first deployment seen has nothing to recover from.
  const std::vector<DeploymentRecord> lone = {{1 * kHour, "", "", true, true}};
  EXPECT_TRUE(recovery_durations(lone, 0, 10 * kHour).empty());
}

TEST(PullRequestStates, EachFieldComesFromTheLatestStepThatHasIt) {
  const std::vector<PullRequestEvent> steps = {
      {"acme#1", 100, std::nullopt, std::nullopt, std::nullopt, 40},   // opened as a draft
      {"acme#1", 100, 400, std::nullopt, std::nullopt, 40},            // made ready
      {"acme#1", 100, std::nullopt, 700, std::nullopt, std::nullopt},  // reviewed (no size in the review)
      {"acme#1", 100, std::nullopt, 500, std::nullopt, std::nullopt},  // an earlier review arriving late
      {"acme#1", 100, std::nullopt, std::nullopt, 900, 55},            // merged, grown
      {std::nullopt, 50, std::nullopt, 60, std::nullopt, 10},          // no id: one of its own
  };
  const auto states = pull_request_states(steps);
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0].opened, 100);
  EXPECT_EQ(states[0].ready, 400);
  EXPECT_EQ(states[0].first_review, 500);
  EXPECT_EQ(states[0].merged, 900);
  EXPECT_EQ(states[0].lines, 55);
  EXPECT_EQ(states[0].review_requested(), 400);
  // Reviewed before it was made ready: the wait counts from its opening.
  EXPECT_EQ(states[1].review_requested(), 50);
}

TEST(DoraBand, TheFourKeysAgainstThe2023Clusters) {
  EXPECT_EQ(dora_band("deployment_frequency", 3), DoraBand::kElite);
  EXPECT_EQ(dora_band("deployment_frequency", 1), DoraBand::kElite);
  EXPECT_EQ(dora_band("deployment_frequency", 0.5), DoraBand::kHigh);
  EXPECT_EQ(dora_band("deployment_frequency", 1.0 / 7), DoraBand::kHigh);
  EXPECT_EQ(dora_band("deployment_frequency", 0.1), DoraBand::kMedium);
  EXPECT_EQ(dora_band("deployment_frequency", 0.01), DoraBand::kLow);
  EXPECT_EQ(dora_band("lead_time", 23.9), DoraBand::kElite);
  EXPECT_EQ(dora_band("lead_time", 24), DoraBand::kHigh);
  EXPECT_EQ(dora_band("lead_time", 24 * 7), DoraBand::kMedium);
  EXPECT_EQ(dora_band("lead_time", 24 * 31), DoraBand::kLow);
  EXPECT_EQ(dora_band("change_failure_rate", 5), DoraBand::kElite);
  EXPECT_EQ(dora_band("change_failure_rate", 10), DoraBand::kHigh);
  EXPECT_EQ(dora_band("change_failure_rate", 15), DoraBand::kMedium);
  EXPECT_EQ(dora_band("change_failure_rate", 15.1), DoraBand::kLow);
  EXPECT_EQ(dora_band("failed_deployment_recovery_time", 0.5), DoraBand::kElite);
  EXPECT_EQ(dora_band("failed_deployment_recovery_time", 1), DoraBand::kHigh);
  EXPECT_EQ(dora_band("failed_deployment_recovery_time", 30), DoraBand::kMedium);
  EXPECT_EQ(dora_band("failed_deployment_recovery_time", 24 * 7), DoraBand::kLow);
  EXPECT_FALSE(dora_band("code_coverage", 90));
  EXPECT_TRUE(dora_band_uses_median("lead_time"));
  EXPECT_FALSE(dora_band_uses_median("change_failure_rate"));
  EXPECT_EQ(to_string(DoraBand::kMedium), "medium");
}

class DoraEngine : public ::testing::Test {
 protected:
  void SetUp() override { store_ = store::SqliteEventStore::open(dir_.path() + "/events.db", store::SqliteEventStore::Mode::kReadWrite); }
  void deployment(double hours_ago, bool success, bool rollback, std::optional<double> committed_hours_ago, std::string environment) {
    ipc::OutcomeEvent e;
    e.kind = ipc::OutcomeKind::kDeployment;
    e.producer_id = 5;
    e.sequence = ++sequence_;
    e.time = kNow - hours_ago * kHour;
    e.fields = {{"success", success}, {"rollback", rollback}, {"environment", std::move(environment)}};
    if (committed_hours_ago) e.fields["commit_time"] = kNow - *committed_hours_ago * kHour;
    ASSERT_EQ(ipc::check_event(e), "");
    ASSERT_EQ(store_->insert(std::vector{e}, kNow), 1u);
  }
  KpiResult result(std::string_view id) {
    const KpiEngine engine(*store_, {});
    for (auto& r : engine.compute(std::chrono::hours(24 * 7), kNow)) {
      if (r.definition->id == id) return r;
    }
    throw std::runtime_error("no " + std::string(id));
  }
  agentmetrics::testing::TempDir dir_;
  std::unique_ptr<store::SqliteEventStore> store_;
  std::uint64_t sequence_ = 0;
};

TEST_F(DoraEngine, ChangeFailureRateRecoveryTimeAndLeadTimeQuantiles) {
  // Production: deployed (lead 10 h), failed, failed, recovered 3 h after the first failure
  // (lead 2 h), deployed (lead 30 h), rolled back 1 h later (lead 40 h). Staging: a failure
  // 250 h ago recovered 200 h ago (before the week: not counted), and one 170 h ago, before the
  // week, recovered 150 h ago, within it.
  deployment(100, true, false, 110, "production");
  deployment(90, false, false, std::nullopt, "production");
  deployment(89, false, false, std::nullopt, "production");
  deployment(87, true, false, 89, "production");
  deployment(20, true, false, 50, "production");
  deployment(19, true, true, 59, "production");
  deployment(250, false, false, std::nullopt, "staging");
  deployment(200, true, false, std::nullopt, "staging");
  deployment(170, false, false, std::nullopt, "staging");
  deployment(150, true, false, std::nullopt, "staging");
  // In the week: 7 deployments (100, 90, 89, 87, 20, 19 and 150 hours ago), of which 2 failed
  // and 1 was a rollback.
  const KpiResult cfr = result("change_failure_rate");
  ASSERT_TRUE(cfr.value);
  EXPECT_NEAR(*cfr.value, 100.0 * 3 / 7, 1e-9);
  EXPECT_EQ(cfr.samples, 7);
  EXPECT_EQ(cfr.dora_band, DoraBand::kLow);
  // Recoveries ending in the week: production 3 h and 1 h, staging 170 - 150 = 20 h.
  const KpiResult recovery = result("failed_deployment_recovery_time");
  ASSERT_TRUE(recovery.value);
  EXPECT_NEAR(*recovery.value, (3.0 + 1 + 20) / 3, 1e-9);
  EXPECT_NEAR(recovery.details.at("median"), 3, 1e-9);
  EXPECT_NEAR(recovery.details.at("p75"), 11.5, 1e-9);  // rank 1.5 between 3 and 20
  EXPECT_EQ(recovery.dora_band, DoraBand::kHigh);       // on the median: less than a day
  // Lead times of the successful ones with a commit time: 10, 2, 30, 40 h.
  const KpiResult lead = result("lead_time");
  ASSERT_TRUE(lead.value);
  EXPECT_NEAR(*lead.value, 20.5, 1e-9);
  EXPECT_NEAR(lead.details.at("median"), 20, 1e-9);
  EXPECT_NEAR(lead.details.at("p75"), 32.5, 1e-9);
  EXPECT_EQ(lead.dora_band, DoraBand::kElite);
  // 5 successful deployments in 7 days.
  const KpiResult frequency = result("deployment_frequency");
  ASSERT_TRUE(frequency.value);
  EXPECT_NEAR(*frequency.value, 5.0 / 7, 1e-9);
  EXPECT_EQ(frequency.dora_band, DoraBand::kHigh);
  EXPECT_FALSE(result("code_coverage").dora_band);
}

}  // namespace
