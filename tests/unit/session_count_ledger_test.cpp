// Who counts a session's spend into the agent families: the first to claim it, never both; a
// whole agent claimed by the OTLP receiver for a while; bounded memory.
#include "collector/intake/session_count_ledger.h"

#include <gtest/gtest.h>

namespace agentmetrics::intake {
namespace {

using Counter = SessionCountLedger::Counter;

TEST(SessionCountLedger, TheFirstToClaimASessionCountsIt) {
  SessionCountLedger ledger;
  EXPECT_TRUE(ledger.claim("claude_code", "s1", Counter::kOtlp));
  EXPECT_TRUE(ledger.claim("claude_code", "s1", Counter::kOtlp));
  EXPECT_FALSE(ledger.claim("claude_code", "s1", Counter::kImport));
  EXPECT_TRUE(ledger.claim("claude_code", "s2", Counter::kImport));
  EXPECT_FALSE(ledger.claim("claude_code", "s2", Counter::kOtlp));
  // The same id of another agent is another session.
  EXPECT_TRUE(ledger.claim("codex", "s1", Counter::kImport));
}

TEST(SessionCountLedger, AnAgentCountedWithoutSessionIdsIsTheReceiversForAWhile) {
  SessionCountLedger ledger(100, std::chrono::seconds(60));
  const auto t0 = SessionCountLedger::Clock::now();
  ledger.claim_agent("codex", Counter::kOtlp, t0);
  EXPECT_FALSE(ledger.claim("codex", "thread-1", Counter::kImport, t0 + std::chrono::seconds(30)));
  EXPECT_TRUE(ledger.claim("claude_code", "s1", Counter::kImport, t0 + std::chrono::seconds(30)));
  EXPECT_TRUE(ledger.claim("codex", "thread-2", Counter::kImport, t0 + std::chrono::seconds(61)));
}

TEST(SessionCountLedger, AtMostCapacitySessionsAreRemembered) {
  SessionCountLedger ledger(2);
  EXPECT_TRUE(ledger.claim("codex", "a", Counter::kOtlp));
  EXPECT_TRUE(ledger.claim("codex", "b", Counter::kOtlp));
  EXPECT_TRUE(ledger.claim("codex", "c", Counter::kOtlp));
  // "a" was forgotten first: claimed anew.
  EXPECT_TRUE(ledger.claim("codex", "a", Counter::kImport));
  EXPECT_FALSE(ledger.claim("codex", "c", Counter::kImport));
}

}  // namespace
}  // namespace agentmetrics::intake
