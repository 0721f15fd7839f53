// The webhook receivers' parts that need no collector: the signature against GitHub's documented
// test vector, the forges' time formats, agents' Co-authored-by trailers, root causes named in
// an issue, `gh api --paginate` files, and the history that tells a rollback and a change's
// commit time, on SQLite and on a real postgresql-15.
#include <gtest/gtest.h>

#include <memory>

#include "collector/intake/webhooks/agent_coauthor.h"
#include "collector/intake/webhooks/forge_history.h"
#include "collector/intake/webhooks/forge_time.h"
#include "collector/intake/webhooks/issue_fact.h"
#include "collector/intake/webhooks/json_values.h"
#include "collector/intake/webhooks/webhook_settings.h"
#include "collector/intake/webhooks/webhook_signature.h"
#include "collector/store/store_factory.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace agentmetrics;
using namespace agentmetrics::intake;
using nlohmann::json;
using Fields = std::map<std::string, ipc::FieldValue, std::less<>>;

// docs.github.com, "Validating webhook deliveries", "Testing the webhook payload validation".
constexpr const char* kDocumentedSecret = "It's a Secret to Everybody";
constexpr const char* kDocumentedBody = "Hello, World!";
constexpr const char* kDocumentedSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

TEST(WebhookSignature, GitHubsDocumentedTestVector) {
  EXPECT_EQ(github_signature(kDocumentedSecret, kDocumentedBody), kDocumentedSignature);
  EXPECT_TRUE(github_signature_valid(kDocumentedSecret, kDocumentedBody, kDocumentedSignature));
  // Hex digits in either case; the header's surrounding blanks are not the signature's.
  std::string upper = kDocumentedSignature;
  for (std::size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[i])));
  EXPECT_TRUE(github_signature_valid(kDocumentedSecret, kDocumentedBody, " " + upper));
}

TEST(WebhookSignature, AnythingElseIsRefused) {
  EXPECT_FALSE(github_signature_valid(kDocumentedSecret, "Hello, World?", kDocumentedSignature));
  EXPECT_FALSE(github_signature_valid("It's a Secret to Everybody!", kDocumentedBody, kDocumentedSignature));
  EXPECT_FALSE(github_signature_valid(kDocumentedSecret, kDocumentedBody, ""));
  EXPECT_FALSE(github_signature_valid(kDocumentedSecret, kDocumentedBody, std::string(kDocumentedSignature).substr(7)));
  EXPECT_FALSE(github_signature_valid(kDocumentedSecret, kDocumentedBody, "sha1=757107ea0eb2509fc211221cce984b8a37570b6d"));
  EXPECT_FALSE(github_signature_valid("", kDocumentedBody, github_signature("", kDocumentedBody)));
  EXPECT_TRUE(gitlab_token_valid("a-gitlab-secret-token", "a-gitlab-secret-token"));
  EXPECT_FALSE(gitlab_token_valid("a-gitlab-secret-token", "a-gitlab-secret-toke"));
  EXPECT_FALSE(gitlab_token_valid("a-gitlab-secret-token", ""));
  EXPECT_FALSE(gitlab_token_valid("", ""));
}

TEST(ForgeTime, TheFormatsGitHubAndGitLabWrite) {
  const auto at = [](const char* text) { return forge_time(json{{"t", text}}, "t"); };
  EXPECT_EQ(at("2019-05-15T15:20:33Z"), 1557933633);
  EXPECT_EQ(at("2011-12-12T14:27:31+02:00"), 1323692851);
  EXPECT_EQ(at("2016-08-12 15:23:28 UTC"), 1471015408);
  EXPECT_EQ(at("2021-04-28 21:50:00 +0200"), 1619639400);
  EXPECT_NEAR(*at("2021-02-23T02:41:37.886Z"), 1614048097.886, 1e-3);
  EXPECT_FALSE(at("2016-08-12 15:23:28"));  // no zone
  EXPECT_FALSE(at("yesterday"));
  EXPECT_FALSE(forge_time(json{{"t", 1557933633}}, "t"));
  EXPECT_FALSE(forge_time(json{{"t", nullptr}}, "t"));
  EXPECT_FALSE(forge_time(json::array(), "t"));
}

TEST(AgentCoauthor, KnownAgentsTrailersMarkTheCommit) {
  const WebhookSettings settings;
  const auto agent = [&](const std::string& message) { return agent_coauthor(message, settings.agent_coauthors); };
  EXPECT_EQ(agent("Fix the login redirect\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"), "claude");
  EXPECT_EQ(agent("Add tests\n\nco-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>"), "copilot");
  EXPECT_EQ(agent("x\r\n\r\nCo-authored-by: Jane Doe <jane@example.com>\r\nCo-authored-by: aider (gpt-4o) <noreply@aider.chat>\r\n"),
            "aider");
  EXPECT_FALSE(agent("Fix\n\nCo-authored-by: Jane Doe <jane@example.com>"));
  EXPECT_FALSE(agent("Mention noreply@anthropic.com in the body, not in a trailer"));
  EXPECT_FALSE(agent_coauthor("Co-authored-by: Claude <noreply@anthropic.com>", {}));
}

TEST(IssueFact, ARootCauseNamesItsCommit) {
  EXPECT_EQ(root_cause_commit("Checkout fails.\n\nroot cause: 1a2b3c4d5e6f"), "1a2b3c4d5e6f");
  EXPECT_EQ(root_cause_commit("Root-Cause:  ABCDEF1 (the cache change)"), "abcdef1");
  EXPECT_EQ(root_cause_commit("root cause is unknown"), "");
  EXPECT_EQ(root_cause_commit("root cause: abc12"), "");           // too short for a hash
  EXPECT_EQ(root_cause_commit("root cause: 1a2b3c4d5e6fzz"), "");  // not a hash
  EXPECT_EQ(root_cause_commit("the root of it, then root cause 89abcdef"), "89abcdef");
}

TEST(JsonValues, PagesOneAfterAnother) {
  const auto values = parse_json_values("[{\"a\":1}][{\"a\":2},{\"a\":\"]\"}]\n{\"total_count\":0}\n");
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[1].size(), 2u);
  EXPECT_EQ(values[1][1]["a"], "]");
  EXPECT_TRUE(parse_json_values("  \n").empty());
  EXPECT_THROW(parse_json_values("[1,2"), std::invalid_argument);
  EXPECT_THROW(parse_json_values("42"), std::invalid_argument);
  EXPECT_THROW(parse_json_values("[1,}"), std::invalid_argument);
  EXPECT_THROW(parse_json_values(std::string(100, '[') + std::string(100, ']')), std::invalid_argument);
  EXPECT_EQ(parse_json_values(std::string(64, '[') + std::string(64, ']')).size(), 1u);
}

TEST(WebhookSettings, AllowListsAndBugLabels) {
  WebhookSettings s;
  EXPECT_TRUE(s.repository_allowed("acme/app"));
  EXPECT_TRUE(s.environment_allowed("staging"));
  EXPECT_TRUE(s.is_bug_label("Bug"));
  EXPECT_FALSE(s.is_bug_label("enhancement"));
  s.repositories = {"Acme/App"};
  s.environments = {"production"};
  EXPECT_TRUE(s.repository_allowed("acme/app"));
  EXPECT_FALSE(s.repository_allowed("acme/other"));
  EXPECT_FALSE(s.environment_allowed("staging"));
  s.bug_labels.clear();
  EXPECT_FALSE(s.is_bug_label("bug"));
}

// On each store: what the webhooks of a team's sidecars read is in PostgreSQL.
class ForgeHistoryTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    static int databases = 0;
    const std::string url = GetParam() == "postgresql"
                                ? agentmetrics::testing::shared_postgres_server().fresh_database("forge_" + std::to_string(++databases))
                                : "";
    store_ = store::open_event_store({url, dir_.path() + "/events.db"}, store::StoreAccess::kReadWrite);
  }
  void add(ipc::OutcomeKind kind, double time, Fields fields) {
    ipc::OutcomeEvent e;
    e.kind = kind;
    e.producer_id = 9;
    e.sequence = ++sequence_;
    e.time = time;
    e.fields = std::move(fields);
    ASSERT_EQ(ipc::check_event(e), "");
    ASSERT_EQ(store_->insert(std::vector{e}, time), 1u);
  }
  void commit(double time, const std::string& sha, const std::string& head) {
    add(ipc::OutcomeKind::kCommit, time, {{"sha", sha}, {"push_head", head}, {"repository", std::string("acme/app")}});
  }
  void deployed(double time, const std::string& sha) {
    add(ipc::OutcomeKind::kDeployment, time,
        {{"success", true}, {"sha", sha}, {"environment", std::string("production")}, {"repository", std::string("acme/app")}});
  }
  agentmetrics::testing::TempDir dir_;
  std::unique_ptr<store::EventStore> store_;
  std::uint64_t sequence_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Stores, ForgeHistoryTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& each) { return each.param; });

constexpr double kT = 1'800'000'000;

TEST_P(ForgeHistoryTest, AChangesCommitTimeIsItsPushsEarliestCommit) {
  commit(kT, "aaaaaaa1", "ccccccc3");
  commit(kT + 100, "bbbbbbb2", "ccccccc3");
  commit(kT + 200, "ccccccc3", "ccccccc3");
  commit(kT + 300, "ddddddd4", "ddddddd4");
  const ForgeHistory h(store_.get());
  EXPECT_EQ(h.change_commit_time("acme/app", "ccccccc3", kT + 1000), kT);
  EXPECT_EQ(h.change_commit_time("acme/app", "ddddddd4", kT + 1000), kT + 300);
  EXPECT_FALSE(h.change_commit_time("acme/other", "ccccccc3", kT + 1000));
  EXPECT_FALSE(h.change_commit_time("acme/app", "eeeeeee5", kT + 1000));
  EXPECT_EQ(h.commit_time("acme/app", "bbbbbbb", kT + 1000), kT + 100);  // a prefix of 7
  EXPECT_FALSE(h.commit_time("acme/app", "bbbb", kT + 1000));
  // A payload's text is compared, never read as SQL.
  EXPECT_FALSE(h.change_commit_time("acme/app' OR '1'='1", "ccccccc3", kT + 1000));
  EXPECT_FALSE(h.change_commit_time("acme/app", "x') OR ('1'='1", kT + 1000));
  EXPECT_FALSE(ForgeHistory(nullptr).change_commit_time("acme/app", "ccccccc3", kT + 1000));
}

TEST_P(ForgeHistoryTest, ADeploymentOfAnEarlierCommitIsARollback) {
  commit(kT, "aaaaaaa1", "aaaaaaa1");
  commit(kT + 100, "bbbbbbb2", "bbbbbbb2");
  commit(kT + 200, "ccccccc3", "ccccccc3");
  const ForgeHistory h(store_.get());
  EXPECT_FALSE(h.is_rollback("acme/app", "production", "aaaaaaa1", kT + 1000));  // nothing deployed yet
  deployed(kT + 1000, "aaaaaaa1");
  deployed(kT + 2000, "ccccccc3");
  EXPECT_FALSE(h.is_rollback("acme/app", "production", "ccccccc3", kT + 3000));  // the same again
  EXPECT_TRUE(h.is_rollback("acme/app", "production", "aaaaaaa1", kT + 3000));   // deployed before
  EXPECT_TRUE(h.is_rollback("acme/app", "production", "bbbbbbb2", kT + 3000));   // older than the current one
  EXPECT_FALSE(h.is_rollback("acme/app", "staging", "aaaaaaa1", kT + 3000));     // another environment
  EXPECT_FALSE(h.is_rollback("acme/app", "production", "aaaaaaa1", kT + 1500));  // before ccccccc3 was
}

}  // namespace
