// The learning routes under /api/ (http_routes.h), called as the HTTP listener calls them, on a
// real store: the fields they accept and the answers they give.
#include <gtest/gtest.h>

#include <regex>

#include "collector/learning/api/http_routes.h"
#include "tests/support/temp_dir.h"

namespace agentmetrics::collector {
namespace {

using json = nlohmann::ordered_json;
using testing::TempDir;

class LearningHttpTest : public ::testing::Test {
 protected:
  struct Answer {
    int status;
    json body;
  };

  Answer get(const std::string& path, const std::string& query = {}) { return call("GET", path, query, {}); }
  Answer post(const std::string& path, const json& body) { return call("POST", path, {}, body.dump()); }

  std::string add(const json& bullet) {
    const Answer a = post("/api/playbook", bullet);
    EXPECT_EQ(a.status, 200) << a.body.dump();
    return a.body["data"]["id"];
  }

  TempDir dir_;
  LearningApi api_{{"", dir_.path() + "/events.db", {}}, nullptr};
  std::map<std::string, HttpRoute> routes_ = api_.routes();

 private:
  Answer call(const std::string& method, const std::string& path, const std::string& query, const std::string& body) {
    HttpRequest request;
    request.method = method;
    request.path = path;
    request.query = query;
    request.body = body;
    request.principal = "ci-token";  // as the listener sets it for a request with that token
    const HttpResponse response = routes_.at(path).handler(request);
    return {response.status, json::parse(response.body)};
  }
};

TEST_F(LearningHttpTest, MarkTakesTheSessionAndTheFeedbackAsEveryFrontEndSpellsThem) {
  const std::string rule = add({{"content", "Run the failing tests locally before pushing"}});
  // session_id, as cm_mark and the history snippets spell it: the second mark of a session is skipped.
  Answer a = post("/api/mark", {{"id", rule}, {"kind", "helpful"}, {"session_id", "ses-1"}});
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.body["data"]["skipped"], false);
  a = post("/api/mark", {{"id", rule}, {"kind", "helpful"}, {"session_id", "ses-1"}});
  EXPECT_EQ(a.body["data"]["skipped"], true) << a.body.dump();
  // "session", the older spelling, names the same session.
  a = post("/api/mark", {{"id", rule}, {"kind", "helpful"}, {"session", "ses-1"}});
  EXPECT_EQ(a.body["data"]["skipped"], true) << a.body.dump();
  // "feedback", as cm_mark spells the kind.
  a = post("/api/mark", {{"id", rule}, {"feedback", "harmful"}, {"session_id", "ses-2"}});
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.body["data"]["feedback"], "harmful");
  a = post("/api/mark", {{"id", rule}, {"feedback", "useful"}});
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body["error"]["code"], "INVALID_ARGUMENT");
  // "task": what the rule helped with; it learns the task's words (learned_words.h).
  a = post("/api/mark", {{"id", rule}, {"feedback", "helpful"}, {"task", "the zorblax deploy went red"}});
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(get("/api/context", "task=zorblax").body["data"]["relevantBullets"][0]["id"], rule);
  a = post("/api/mark", {{"id", rule}, {"feedback", "helpful"}, {"task", 42}});
  EXPECT_EQ(a.status, 400);
}

TEST_F(LearningHttpTest, OutcomeCountsATaskOncePerSession) {
  const std::string rule = add({{"content", "Run the failing tests locally before pushing"}});
  Answer a = post("/api/outcome", {{"status", "success"}, {"rules", rule}, {"session_id", "ses-1"}});
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.body["data"]["applied"][0]["skipped"], false);
  a = post("/api/outcome", {{"outcome", "success"}, {"rules", json::array({rule})}, {"session_id", "ses-1"}});
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.body["data"]["applied"][0]["skipped"], true);
}

TEST_F(LearningHttpTest, ContextRefusesALimitThatIsNotAWholeNumber) {
  add({{"content", "Always write unit tests before implementing authentication logic"}});
  Answer a = get("/api/context", "task=implementing%20authentication&limit=1");
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.body["data"]["relevantBullets"].size(), 1u);
  a = get("/api/context", "task=implementing%20authentication&limit=1x");
  EXPECT_EQ(a.status, 400) << a.body.dump();
  EXPECT_EQ(a.body["error"]["code"], "INVALID_ARGUMENT");
  a = get("/api/context", "task=implementing%20authentication&limit=99999999999");
  EXPECT_EQ(a.status, 400) << a.body.dump();
  EXPECT_EQ(a.body["error"]["code"], "INVALID_LIMIT");
}

TEST_F(LearningHttpTest, PlaybookAddAndListTakeTheFieldsCmTakes) {
  // The kind's aliases and the confidence, as cm playbook add takes them; the source is manual
  // over the API whatever the body says (docs/security.md).
  const Answer added = post("/api/playbook", {{"content", "Never store passwords in plain text"},
                                              {"kind", "anti_pattern"},
                                              {"source", "import"},
                                              {"confidence", 0.9},
                                              {"tags", "security,auth"}});
  ASSERT_EQ(added.status, 200) << added.body.dump();
  EXPECT_EQ(added.body["data"]["bullet"]["kind"], "anti-pattern");
  EXPECT_EQ(added.body["data"]["bullet"]["source"], "manual");
  EXPECT_EQ(added.body["data"]["bullet"]["confidence"], 0.9);
  EXPECT_EQ(added.body["data"]["bullet"]["tags"], json::array({"security", "auth"}));
  EXPECT_EQ(post("/api/playbook", {{"content", "Learned by hand"}, {"source", "learning"}}).body["error"]["code"], "INVALID_SOURCE");
  const std::string rule = add({{"content", "Keep pull requests small"}});
  ASSERT_EQ(post("/api/playbook/remove", {{"id", rule}}).status, 200);

  // The filters of cm playbook list and cm_playbook_list, from the query.
  EXPECT_EQ(get("/api/playbook").body["data"]["count"], 1);
  EXPECT_EQ(get("/api/playbook", "include_retired=true").body["data"]["count"], 2);
  EXPECT_EQ(get("/api/playbook", "include_retired=true&kind=rule").body["data"]["count"], 1);
  EXPECT_EQ(get("/api/playbook", "source=import").body["data"]["count"], 0);
  EXPECT_EQ(get("/api/playbook", "source=manual").body["data"]["count"], 1);
  EXPECT_EQ(get("/api/playbook", "include_retired=maybe").status, 400);
}

// A rule added over the API is manual whatever the body says, and names the credential that
// added it; the context handed to agents says where each rule came from.
TEST_F(LearningHttpTest, ARuleAddedOverTheApiIsManualAndNamesItsCredential) {
  const std::string rule = add({{"content", "Rebase on main before opening the pull request"}, {"source", "import"}});
  const Answer list = get("/api/playbook", "source=manual");
  ASSERT_EQ(list.status, 200) << list.body.dump();
  ASSERT_EQ(list.body["data"]["bullets"].size(), 1u);
  EXPECT_EQ(list.body["data"]["bullets"][0]["id"], rule);
  EXPECT_EQ(list.body["data"]["bullets"][0]["added_by"], "api:ci-token");
  const Answer context = get("/api/context", "task=open%20a%20pull%20request%20after%20the%20rebase");
  ASSERT_EQ(context.status, 200) << context.body.dump();
  const json& bullet = context.body["data"]["relevantBullets"][0];
  EXPECT_EQ(bullet["id"], rule);
  EXPECT_EQ(bullet["source"], "manual");
  EXPECT_EQ(bullet["added_by"], "api:ci-token");
  EXPECT_TRUE(std::regex_match(bullet["created"].get<std::string>(), std::regex(R"(20\d\d-\d\d-\d\dT[0-9:.]+Z)"))) << bullet.dump();
  // A rule is a sentence or two, not an essay.
  EXPECT_EQ(post("/api/playbook", {{"content", std::string(1001, 'a')}}).status, 400);
}

// Text that is not UTF-8 is refused at the door (it broke every later read of the playbook),
// and control characters never reach a rule.
TEST_F(LearningHttpTest, TextThatIsNotUtf8IsRefusedAndControlCharactersAreDropped) {
  const Answer bad_task = get("/api/context", "task=%FF");
  EXPECT_EQ(bad_task.status, 400) << bad_task.body.dump();
  EXPECT_EQ(bad_task.body["error"]["code"], "INVALID_ARGUMENT");
  const Answer bad_source = get("/api/playbook", "kind=rule&source=%C0%AF");
  EXPECT_EQ(bad_source.status, 400) << bad_source.body.dump();
  const std::string rule = add({{"content", "Run the linter\u001b[2J before\ncommitting"}});
  const Answer list = get("/api/playbook");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body["data"]["bullets"][0]["id"], rule);
  EXPECT_EQ(list.body["data"]["bullets"][0]["content"], "Run the linter[2J before committing");
}

}  // namespace
}  // namespace agentmetrics::collector
