// GitHub's and GitLab's webhooks into a real agentmetricsd. GitHub's payloads are the
// community's recordings (@octokit/webhooks-examples) and are signed by GitHub's own library
// (@octokit/webhooks), both from the npm registry (tests/webhooks); GitLab's are the examples
// of its documentation (tests/data/webhooks/gitlab). Every recorded payload of the events used
// is sent and what it stored is compared with what the payload says; a redelivery is stored
// once; deliveries with a wrong secret, a cut body, a body signed for another payload or a
// 20 MB body are refused and store nothing; the KPIs over a sequence of deliveries equal the
// figures worked out here by hand; and the backfill makes the same rows as the webhooks.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/connection>
#include <pqxx/nontransaction>

#include "ipc/timestamp.h"
#include "tests/support/collector_process.h"
#include "tests/support/metrics_text.h"
#include "tests/support/postgres_server.h"
#include "tests/support/process.h"
#include "tests/support/raw_http.h"
#include "tests/support/scrape_formats.h"
#include "tests/support/stored_events.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace {

using namespace agentmetrics::testing;
using json = nlohmann::json;

constexpr const char* kGithubSecret = "a-github-webhook-secret-0123456789";
constexpr const char* kGitlabToken = "a-gitlab-secret-token-0123456789";
constexpr const char* kPackages = AM_WEBHOOK_PACKAGES_DIR;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << text;
}

struct Ran {
  int code = -1;
  std::string output;
};

Ran run(const std::vector<std::string>& argv, std::chrono::seconds timeout = std::chrono::seconds(240)) {
  Process p(argv);
  const auto status = p.wait(timeout);
  return {status ? exit_code(*status) : -1, p.output()};
}

// Installs the npm packages once per build tree (the script installs again only when the lock
// file changed); empty when installed, else why not.
std::optional<std::string> install_packages() {
  static const Ran installed = run({AM_WEBHOOK_TESTS_DIR "/install.sh", kPackages});
  if (installed.code == 0) return std::nullopt;
  return installed.output;
}

// GitHub's recorded deliveries: {"name": event, "examples": [payload...]} per event.
const json& github_examples() {
  static const json examples =
      json::parse(read_text(std::string(kPackages) + "/node_modules/@octokit/webhooks-examples/api.github.com/index.json"));
  return examples;
}

std::vector<json> examples_of(const std::string& event) {
  for (const auto& e : github_examples()) {
    if (e["name"] == event) return e["examples"].get<std::vector<json>>();
  }
  throw std::runtime_error("no recorded " + event + " deliveries");
}

// X-Hub-Signature-256 of each body under its secret, made by @octokit/webhooks.
std::vector<std::string> sign_all(const std::vector<std::pair<std::string, std::string>>& secret_and_body) {
  TempDir dir;
  json in = json::array();
  for (const auto& [secret, body] : secret_and_body) in.push_back({{"secret", secret}, {"body", body}});
  write_text(dir.path() + "/in.json", in.dump());
  const Ran signed_ = run({"/usr/bin/env", "node", std::string(kPackages) + "/sign.mjs", dir.path() + "/in.json", dir.path() + "/out.json"},
                          std::chrono::seconds(60));
  if (signed_.code != 0) throw std::runtime_error("sign.mjs failed: " + signed_.output);
  return json::parse(read_text(dir.path() + "/out.json")).get<std::vector<std::string>>();
}

std::string sign(const std::string& body, const std::string& secret = kGithubSecret) { return sign_all({{secret, body}}).front(); }

double at(const json& object, const char* key) { return *agentmetrics::ipc::parse_timestamp(object.at(key).get<std::string>()); }

struct Delivery {
  std::string event;
  std::string body;
  std::string signature;
  std::string id;
};

class Webhooks : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const auto why = install_packages()) GTEST_SKIP() << "the npm packages are not available: " << *why;
    start();
  }
  // The recorded payloads happened years ago: a long store.retention keeps the backfill from
  // leaving them out, for the collector and for the commands the tests run.
  void start(std::vector<std::string> args = {}) {
    write_text(config_, "store:\n  retention: 10000w\n");
    args.push_back("--config=" + config_);
    collector_ =
        std::make_unique<CollectorProcess>(unique_namespace("webhooks"), std::move(args),
                                           std::map<std::string, std::string>{{"AGENTMETRICS_GITHUB_WEBHOOK_SECRET", kGithubSecret},
                                                                              {"AGENTMETRICS_GITLAB_WEBHOOK_TOKEN", kGitlabToken}});
  }
  // To the fixture's collector, or to `to`.
  RawResponse post(const std::string& path, const std::string& headers, const std::string& body, const CollectorProcess* to = nullptr) {
    return raw_http((to ? to : collector_.get())->port(),
                    "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + headers +
                        "Connection: close\r\n\r\n" + body);
  }
  RawResponse github(const Delivery& d, const std::string& content_type = "application/json", const CollectorProcess* to = nullptr) {
    std::string headers = "Content-Type: " + content_type + "\r\nUser-Agent: GitHub-Hookshot/test\r\nX-GitHub-Event: " + d.event +
                          "\r\nX-GitHub-Delivery: " + d.id + "\r\n";
    if (!d.signature.empty()) headers += "X-Hub-Signature-256: " + d.signature + "\r\n";
    return post("/webhooks/github", headers, d.body, to);
  }
  // Signs and sends each payload as a GitHub delivery; the answers' statuses, in order.
  std::vector<int> github_all(const std::vector<std::pair<std::string, json>>& deliveries) {
    std::vector<std::pair<std::string, std::string>> to_sign;
    for (const auto& [event, payload] : deliveries) to_sign.emplace_back(kGithubSecret, payload.dump());
    const auto signatures = sign_all(to_sign);
    std::vector<int> statuses;
    for (std::size_t i = 0; i < deliveries.size(); ++i) {
      const RawResponse r = github({deliveries[i].first, to_sign[i].second, signatures[i], "delivery-" + std::to_string(++deliveries_)});
      statuses.push_back(r.status);
      EXPECT_TRUE(r.status == 200 || r.status == 202) << deliveries[i].first << ": " << r.status << " " << r.body;
    }
    return statuses;
  }
  RawResponse gitlab(const std::string& event, const json& payload, const std::string& token = kGitlabToken) {
    return post("/webhooks/gitlab",
                "Content-Type: application/json\r\nUser-Agent: GitLab/18.0.0\r\nX-Gitlab-Event: " + event + "\r\nX-Gitlab-Token: " + token +
                    "\r\nX-Gitlab-Event-UUID: uuid-" + std::to_string(++deliveries_) + "\r\n",
                payload.dump());
  }
  std::vector<StoredEvent> stored() const { return stored_events(collector_->store_path()); }
  // agentmetrics_webhook_deliveries_total{forge, result} summed over the events.
  double delivered(const std::string& forge, const std::string& result) const {
    double total = 0;
    for (const auto& [key, value] : collector_->samples()) {
      if (key.starts_with("agentmetrics_webhook_deliveries_total{") && key.find("forge=\"" + forge + "\"") != std::string::npos &&
          key.find("result=\"" + result + "\"") != std::string::npos) {
        total += value;
      }
    }
    return total;
  }

  std::unique_ptr<CollectorProcess> collector_;
  TempDir dir_;
  const std::string config_ = dir_.path() + "/agentmetrics.yaml";
  int deliveries_ = 0;
};

// What a stored event must hold: its kind, time and the fields named.
struct Expected {
  std::string kind;
  double time = 0;
  json fields;
};

bool matches(const StoredEvent& e, const Expected& x) {
  if (e.kind != x.kind || std::fabs(e.time - x.time) > 1e-3) return false;
  for (const auto& [name, value] : x.fields.items()) {
    if (!e.fields.contains(name)) return false;
    const json& got = e.fields[name];
    if (value.is_number() ? !got.is_number() || std::fabs(got.get<double>() - value.get<double>()) > 1e-3 : got != value) return false;
  }
  return true;
}

bool has_bug_label(const json& issue) {
  for (const auto& l : issue.value("labels", json::array())) {
    if (l.value("name", "") == "bug") return true;
  }
  return false;
}

// What each recorded delivery must become, worked out from the payload by the rules of
// docs/webhooks.md: the answer, and the events stored.
std::pair<int, std::vector<Expected>> expectation(const std::string& event, const json& p) {
  const std::string action = p.value("action", "");
  const std::string repo = p.contains("repository") ? p["repository"].value("full_name", "") : "";
  if (event == "ping") return {200, {}};
  if (event == "pull_request") {
    const json& pr = p["pull_request"];
    const json base = {{"id", repo + "#" + std::to_string(pr["number"].get<int>())},
                       {"repository", repo},
                       {"opened", at(pr, "created_at")},
                       {"lines_changed", pr["additions"].get<double>() + pr["deletions"].get<double>()}};
    if (action == "opened") {
      json f = base;
      if (!pr["draft"].get<bool>()) f["ready"] = at(pr, "created_at");
      return {200, {{"pull_request", at(pr, "created_at"), f}}};
    }
    if (action == "ready_for_review") {
      json f = base;
      f["ready"] = at(pr, "updated_at");
      return {200, {{"pull_request", at(pr, "updated_at"), f}}};
    }
    if (action == "closed" && pr["merged"].get<bool>()) {
      json f = base;
      f["merged"] = at(pr, "merged_at");
      return {200, {{"pull_request", at(pr, "merged_at"), f}}};
    }
    return {202, {}};
  }
  if (event == "pull_request_review") {
    const bool own = p["review"]["user"]["login"] == p["pull_request"]["user"]["login"];
    if (action != "submitted" || own) return {202, {}};
    return {200, {{"pull_request", at(p["review"], "submitted_at"), {{"first_review", at(p["review"], "submitted_at")}}}}};
  }
  if (event == "workflow_run") {
    const json& run = p["workflow_run"];
    if (action != "completed" || run["status"] != "completed" || run["conclusion"] != "success") return {202, {}};
    const std::string name =
        run["name"].get<std::string>().empty() ? p["workflow"]["name"].get<std::string>() : run["name"].get<std::string>();
    return {200,
            {{"pipeline",
              at(run, "updated_at"),
              {{"stage", name},
               {"success", true},
               {"repository", repo},
               {"duration_seconds", at(run, "updated_at") - at(run, "run_started_at")}}}}};
  }
  if (event == "check_suite") {
    const json& suite = p["check_suite"];
    if (action != "completed" || suite["app"].value("slug", "") == "github-actions" || suite["conclusion"] != "success") return {202, {}};
    return {
        200,
        {{"pipeline",
          at(suite, "updated_at"),
          {{"stage", suite["app"]["name"]}, {"success", true}, {"duration_seconds", at(suite, "updated_at") - at(suite, "created_at")}}}}};
  }
  if (event == "deployment_status") {
    const json& status = p["deployment_status"];
    if (status["state"] != "success") return {202, {}};
    return {200,
            {{"deployment",
              at(status, "created_at"),
              {{"success", true},
               {"rollback", false},
               {"environment", status["environment"]},
               {"sha", p["deployment"]["sha"]},
               {"repository", repo}}}}};
  }
  if (event == "issues") {
    const json& issue = p["issue"];
    const bool detected = action == "opened" || action == "labeled" || action == "reopened" || action == "transferred";
    if (!detected || issue.contains("pull_request") || !has_bug_label(issue)) return {202, {}};
    const double t = action == "reopened" ? at(issue, "updated_at") : at(issue, "created_at");
    return {200, {{"bug", t, {{"id", repo + "#" + std::to_string(issue["number"].get<int>())}, {"detected", at(issue, "created_at")}}}}};
  }
  if (event == "push") {
    if (!p["ref"].get<std::string>().starts_with("refs/heads/") || p["deleted"].get<bool>() || p["commits"].empty()) return {202, {}};
    std::vector<Expected> commits;
    for (const auto& c : p["commits"]) {
      commits.push_back(
          {"commit", at(c, "timestamp"), {{"sha", c["id"]}, {"push_head", p["after"]}, {"branch", "master"}, {"repository", repo}}});
    }
    return {200, commits};
  }
  return {202, {}};
}

TEST_F(Webhooks, EveryRecordedPayloadOfTheEventsUsedIsAcceptedAndMapsToItsOutcome) {
  const std::vector<std::string> events = {
      "pull_request", "pull_request_review", "workflow_run", "check_suite", "deployment_status", "issues", "push", "ping"};
  std::vector<std::pair<std::string, json>> deliveries;
  for (const auto& event : events) {
    for (const auto& payload : examples_of(event)) deliveries.emplace_back(event, payload);
  }
  ASSERT_GE(deliveries.size(), 80u);
  const std::vector<int> statuses = github_all(deliveries);
  std::vector<Expected> expected;
  std::map<std::string, int> stored_by_event, ignored_by_event;
  for (std::size_t i = 0; i < deliveries.size(); ++i) {
    const auto& [event, payload] = deliveries[i];
    const auto [status, outcomes] = expectation(event, payload);
    EXPECT_EQ(statuses[i], status) << event << " " << payload.value("action", "") << " (example " << i << ")";
    (status == 200 ? stored_by_event : ignored_by_event)[event]++;
    expected.insert(expected.end(), outcomes.begin(), outcomes.end());
  }
  const auto rows = stored();
  for (const Expected& x : expected) {
    EXPECT_TRUE(std::any_of(rows.begin(), rows.end(), [&](const StoredEvent& e) { return matches(e, x); }))
        << "no stored " << x.kind << " at " << x.time << " with " << x.fields.dump();
  }
  // Nothing else: each stored row is one the payloads call for (the recordings repeat facts,
  // which are kept once).
  for (const auto& e : rows) {
    EXPECT_TRUE(std::any_of(expected.begin(), expected.end(), [&](const Expected& x) { return matches(e, x); }))
        << "unexpected " << e.kind << " " << e.fields.dump();
  }
  std::cout << "[ figures ] " << deliveries.size() << " recorded deliveries, " << rows.size() << " distinct outcomes stored;";
  for (const auto& [event, n] : stored_by_event) std::cout << " " << event << " " << n << " stored";
  for (const auto& [event, n] : ignored_by_event) std::cout << ", " << event << " " << n << " ignored";
  std::cout << "\n";
  // Every delivery is counted, by what became of it.
  double stored_count = 0, ignored_count = 0;
  for (const auto& [event, n] : stored_by_event) stored_count += n;
  for (const auto& [event, n] : ignored_by_event) ignored_count += n;
  EXPECT_EQ(delivered("github", "stored"), stored_count - stored_by_event["ping"]);
  EXPECT_EQ(delivered("github", "ignored"), ignored_count + stored_by_event["ping"]);
}

TEST_F(Webhooks, ARedeliveryIsStoredOnce) {
  const json opened = examples_of("pull_request").front();
  ASSERT_EQ(opened["action"], "opened");
  const std::string body = opened.dump();
  const Delivery first{"pull_request", body, sign(body), "72d3162e-cc78-11e3-81ab-4c9367dc0958"};
  ASSERT_EQ(github(first).status, 200);
  ASSERT_EQ(stored().size(), 1u);
  // GitHub's "Redeliver" sends the same delivery again; a second hook of the same repository
  // sends the same payload under another delivery id.
  EXPECT_EQ(github(first).status, 200);
  Delivery second = first;
  second.id = "9e2e4cf4-cc78-11e3-81ab-4c9367dc0958";
  EXPECT_EQ(github(second).status, 200);
  EXPECT_EQ(stored().size(), 1u);
  EXPECT_EQ(delivered("github", "stored"), 3);
}

TEST_F(Webhooks, RefusedDeliveriesStoreNothing) {
  const json opened = examples_of("pull_request").front();
  const json other = examples_of("issues").front();
  const std::string body = opened.dump();
  const std::string cut = body.substr(0, body.size() / 2);
  const std::string huge = json{{"pad", std::string(20 * 1024 * 1024, 'x')}}.dump();
  const auto signatures = sign_all({{"not-the-webhooks-secret-0123456789", body},
                                    {kGithubSecret, cut},
                                    {kGithubSecret, other.dump()},
                                    {kGithubSecret, huge},
                                    {kGithubSecret, body}});
  struct Case {
    const char* what;
    Delivery delivery;
    std::string content_type;
    int status;
  };
  const std::vector<Case> cases = {
      {"a wrong secret", {"pull_request", body, signatures[0], "d1"}, "application/json", 401},
      {"no signature", {"pull_request", body, "", "d2"}, "application/json", 401},
      {"a body cut short, signed whole", {"pull_request", cut, sign(body), "d3"}, "application/json", 401},
      {"a body cut short, signed as cut", {"pull_request", cut, signatures[1], "d4"}, "application/json", 400},
      {"a body signed for another payload", {"pull_request", body, signatures[2], "d5"}, "application/json", 401},
      {"a 20 MB body", {"push", huge, signatures[3], "d6"}, "application/json", 413},
      {"a form-encoded body", {"pull_request", body, signatures[4], "d7"}, "application/x-www-form-urlencoded", 415},
  };
  for (const Case& c : cases) {
    const RawResponse r = github(c.delivery, c.content_type);
    EXPECT_EQ(r.status, c.status) << c.what << ": " << r.body;
  }
  // A browser's POST carries an Origin: refused before the body is read.
  const RawResponse page = post("/webhooks/github",
                                "Content-Type: application/json\r\nOrigin: https://evil.example\r\nX-GitHub-Event: pull_request\r\n"
                                "X-Hub-Signature-256: " +
                                    signatures[4] + "\r\n",
                                body);
  EXPECT_EQ(page.status, 403) << page.body;
  // Only POST; and GitLab's token is not GitHub's.
  EXPECT_EQ(raw_http(collector_->port(), get_request("/webhooks/github")).status, 405);
  EXPECT_EQ(gitlab("Push Hook", json::parse(read_text(AM_WEBHOOK_DATA_DIR "/gitlab/push.json")), kGithubSecret).status, 401);
  EXPECT_TRUE(stored().empty());
  EXPECT_EQ(delivered("github", "unauthorized"), 4);
  EXPECT_EQ(delivered("github", "malformed"), 2);
  EXPECT_EQ(delivered("gitlab", "unauthorized"), 1);
  // The refusal is logged with the peer.
  EXPECT_NE(collector_->process().output().find("webhook delivery refused"), std::string::npos);
}

json gitlab_example(const std::string& name) {
  return json::parse(read_text(std::string(AM_WEBHOOK_DATA_DIR) + "/gitlab/" + name + ".json"));
}

TEST_F(Webhooks, GitLabsDocumentedPayloads) {
  // As documented.
  EXPECT_EQ(gitlab("Push Hook", gitlab_example("push")).status, 200);
  EXPECT_EQ(gitlab("Merge Request Hook", gitlab_example("merge_request")).status, 200);
  EXPECT_EQ(gitlab("Pipeline Hook", gitlab_example("pipeline")).status, 200);
  EXPECT_EQ(gitlab("Deployment Hook", gitlab_example("deployment")).status, 200);
  EXPECT_EQ(gitlab("Issue Hook", gitlab_example("issue")).status, 202);  // labelled API, not a bug
  // The cases the page's single examples do not show, each a copy with one thing changed.
  json bug = gitlab_example("issue");
  bug["object_attributes"]["labels"][0]["title"] = "bug";
  EXPECT_EQ(gitlab("Issue Hook", bug).status, 200);
  json failed = gitlab_example("pipeline");
  failed["object_attributes"]["status"] = "failed";
  EXPECT_EQ(gitlab("Pipeline Hook", failed).status, 200);
  json merged = gitlab_example("merge_request");
  merged["object_attributes"]["action"] = "merge";
  merged["object_attributes"]["updated_at"] = "2013-12-04T09:23:34Z";
  EXPECT_EQ(gitlab("Merge Request Hook", merged).status, 200);
  json ready = gitlab_example("merge_request");
  ready["object_attributes"]["action"] = "update";
  ready["object_attributes"]["updated_at"] = "2013-12-03T18:23:34Z";
  EXPECT_EQ(gitlab("Merge Request Hook", ready).status, 200);  // its changes say draft: true -> false
  EXPECT_EQ(gitlab("Tag Push Hook", json{{"object_kind", "tag_push"}, {"project", {{"path_with_namespace", "a/b"}}}}).status, 202);

  const auto rows = stored();
  const std::vector<Expected> expected = {
      {"commit", 1323692851, {{"sha", "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327"}, {"repository", "mike/diaspora"}, {"branch", "master"}}},
      {"commit",
       1325626589,
       {{"sha", "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"}, {"push_head", "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"}}},
      {"pull_request", 1386091414, {{"id", "gitlabhq/gitlab-test!1"}, {"opened", 1386091414}, {"ready", 1386091414}}},
      {"pull_request", 1386149014, {{"id", "gitlabhq/gitlab-test!1"}, {"merged", 1386149014}}},
      {"pull_request", 1386095014, {{"id", "gitlabhq/gitlab-test!1"}, {"ready", 1386095014}}},
      {"pipeline",
       1471015589,
       {{"stage", "Pipeline for branch: master"}, {"success", true}, {"duration_seconds", 63}, {"repository", "gitlab-org/gitlab-test"}}},
      {"pipeline", 1471015589, {{"stage", "test"}, {"success", false}, {"failure_type", "script_failure"}}},
      {"deployment", 1619639400, {{"environment", "staging"}, {"success", true}, {"sha", "279484c09fbe69ededfced8c1bb6e6d24616b468"}}},
      {"bug", 1386090943, {{"id", "gitlabhq/gitlab-test#23"}, {"detected", 1386090943}}},
  };
  for (const Expected& x : expected) {
    EXPECT_TRUE(std::any_of(rows.begin(), rows.end(), [&](const StoredEvent& e) { return matches(e, x); }))
        << "no stored " << x.kind << " at " << x.time << " with " << x.fields.dump();
  }
  EXPECT_EQ(rows.size(), expected.size());
  // No line count in a merge request's payload: none is made up.
  for (const auto& e : rows) EXPECT_FALSE(e.fields.contains("lines_changed")) << e.fields.dump();
  EXPECT_EQ(delivered("gitlab", "stored"), 8);
  EXPECT_EQ(delivered("gitlab", "ignored"), 2);
}

// A receiver without a secret would store anyone's deliveries: there is none (its path is 404)
// and the log says why. A secret file that cannot be read stops the collector at start.
TEST(WebhookReceivers, AreOffWithoutASecretAndAnUnreadableSecretFileStopsTheStart) {
  CollectorProcess plain(unique_namespace("webhooks-off"));
  const std::string body = "{}";
  const RawResponse r = raw_http(plain.port(),
                                 "POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                 "Content-Length: 2\r\nConnection: close\r\n\r\n" +
                                     body);
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(plain.process().output().find("webhook receiver off: no secret is configured"), std::string::npos) << plain.process().output();

  TempDir dir;
  write_text(dir.path() + "/config.yaml", "webhooks:\n  github:\n    secretFile: " + dir.path() + "/missing-secret\n");
  Process daemon({kCollectorBinary, "--config", dir.path() + "/config.yaml", "--web.listen-address=127.0.0.1:0",
                  "--namespace=" + unique_namespace("webhooks-bad"), "--store=" + dir.path() + "/events.db"});
  const auto status = daemon.wait(std::chrono::seconds(30));
  ASSERT_TRUE(status) << "the collector started without its webhook secret";
  EXPECT_EQ(exit_code(*status), 1);
  EXPECT_NE(daemon.output().find("cannot read the github webhook secret file " + dir.path() + "/missing-secret"), std::string::npos)
      << daemon.output();
}

// ---------------------------------------------------------------------------------------------
// The KPIs over a sequence of deliveries, each a recorded payload with its times, ids and
// states changed to tell a week of one repository's history.

std::string iso(double t) { return agentmetrics::ipc::format_timestamp(t); }

class History {
 public:
  explicit History(double now) : now_(now) {}
  double ago(double hours) const { return std::floor(now_ - hours * 3600); }

  void push(const std::string& head, const std::vector<std::pair<std::string, double>>& commits, const std::string& trailer = "") {
    json p = examples_of("push")[4];  // refs/heads/master, one commit
    p["repository"]["full_name"] = kRepo;
    p["after"] = head;
    p["created"] = false;
    json list = json::array();
    for (const auto& [sha, hours] : commits) {
      json c = p["commits"][0];
      c["id"] = sha;
      c["timestamp"] = iso(ago(hours));
      c["message"] = "A change\n\n" + trailer;
      list.push_back(c);
    }
    p["commits"] = list;
    add("push", p);
  }
  void deployment(int status_id, const std::string& sha, const std::string& state, double hours) {
    json p = examples_of("deployment_status")[0];
    p["repository"]["full_name"] = kRepo;
    p["deployment"]["sha"] = sha;
    p["deployment"]["id"] = 1000 + status_id;
    p["deployment_status"]["id"] = status_id;
    p["deployment_status"]["state"] = state;
    p["deployment_status"]["environment"] = "production";
    p["deployment_status"]["created_at"] = iso(ago(hours));
    add("deployment_status", p);
  }
  // A pull request opened (a draft or not), maybe made ready, reviewed by someone else, merged.
  void pull_request(int number, double opened, bool draft, std::optional<double> ready, double reviewed, double merged, int additions,
                    int deletions) {
    const auto pr_at = [&](const char* action, std::optional<double> updated) {
      json p;
      for (const auto& e : examples_of("pull_request")) {
        if (e["action"] == action) p = e;
      }
      p["repository"]["full_name"] = kRepo;
      p["number"] = number;
      json& pr = p["pull_request"];
      pr["number"] = number;
      pr["created_at"] = iso(ago(opened));
      pr["draft"] = draft && !updated;
      pr["additions"] = additions;
      pr["deletions"] = deletions;
      if (updated) pr["updated_at"] = iso(ago(*updated));
      return p;
    };
    add("pull_request", pr_at("opened", std::nullopt));
    if (ready) add("pull_request", pr_at("ready_for_review", ready));
    json review = examples_of("pull_request_review")[0];
    review["repository"]["full_name"] = kRepo;
    review["pull_request"]["number"] = number;
    review["pull_request"]["created_at"] = iso(ago(opened));
    review["review"]["id"] = 5000 + number;
    review["review"]["user"]["login"] = "a-reviewer";
    review["review"]["submitted_at"] = iso(ago(reviewed));
    add("pull_request_review", review);
    json closed = pr_at("closed", merged);
    closed["pull_request"]["merged"] = true;
    closed["pull_request"]["merged_at"] = iso(ago(merged));
    add("pull_request", closed);
  }
  void workflow_run(int id, const std::string& conclusion, double hours, double seconds) {
    json p = examples_of("workflow_run")[1];
    p["repository"]["full_name"] = kRepo;
    p["workflow_run"]["id"] = id;
    p["workflow_run"]["conclusion"] = conclusion;
    p["workflow_run"]["run_started_at"] = iso(ago(hours) - seconds);
    p["workflow_run"]["updated_at"] = iso(ago(hours));
    add("workflow_run", p);
  }
  void bug(int number, double opened, double closed, const std::string& body) {
    json p;
    for (const auto& e : examples_of("issues")) {
      if (e["action"] == "opened" && p.is_null()) p = e;
    }
    p["repository"]["full_name"] = kRepo;
    p["issue"]["number"] = number;
    p["issue"]["created_at"] = iso(ago(opened));
    p["issue"]["body"] = body;
    add("issues", p);
    p["action"] = "closed";
    p["issue"]["state"] = "closed";
    p["issue"]["state_reason"] = "completed";
    p["issue"]["closed_at"] = iso(ago(closed));
    add("issues", p);
  }
  const std::vector<std::pair<std::string, json>>& deliveries() const { return deliveries_; }

  static constexpr const char* kRepo = "acme/widgets";

 private:
  void add(const std::string& event, json payload) { deliveries_.emplace_back(event, std::move(payload)); }
  double now_;
  std::vector<std::pair<std::string, json>> deliveries_;
};

const json* kpi(const json& report, const std::string& id) {
  for (const auto& k : report["kpis"]) {
    if (k["id"] == id) return &k;
  }
  return nullptr;
}

// A week of acme/widgets, whose KPIs are worked out by hand below.
History week_of_history() {
  const double now = std::floor(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  History h(now);
  const std::string s1 = "1111111111111111111111111111111111111111", s2 = "2222222222222222222222222222222222222222",
                    s3 = "3333333333333333333333333333333333333333";
  const std::string c1 = "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1";
  // Three pushes to master; the second's commit was written with Claude Code.
  h.push(s1, {{c1, 50}, {s1, 40}});
  h.push(s2, {{s2, 20}}, "Co-Authored-By: Claude <noreply@anthropic.com>");
  h.push(s3, {{s3, 10}});
  // Deployments to production: s1 (lead 50-30 = 20 h), s2 (20-12 = 8 h), s3 fails, s1 again (a
  // rollback, 1 h after the failure it recovers from; lead 50-5 = 45 h), s3 (10-2 = 8 h).
  h.deployment(1, s1, "success", 30);
  h.deployment(2, s2, "success", 12);
  h.deployment(3, s3, "failure", 6);
  h.deployment(4, s1, "success", 5);
  h.deployment(5, s3, "success", 2);
  // Pull requests: cycle 10, 12, 6 h; size 150, 500, 50 lines; review waits 2 h (from opening),
  // 1 h (from being made ready), 4 h.
  h.pull_request(10, 30, false, std::nullopt, 28, 20, 120, 30);
  h.pull_request(11, 26, true, 24, 23, 14, 400, 100);
  h.pull_request(12, 10, false, std::nullopt, 6, 4, 40, 10);
  // Workflow runs: 3 of 4 pass.
  h.workflow_run(1, "success", 40, 300);
  h.workflow_run(2, "success", 30, 200);
  h.workflow_run(3, "failure", 20, 100);
  h.workflow_run(4, "success", 10, 400);
  // Bugs: resolved in 10 h and 8 h; the first names its cause, committed 10 h before it was filed.
  h.bug(5, 40, 30, "The widget page is blank.\n\nroot cause: " + c1.substr(0, 8));
  h.bug(6, 20, 12, "Totals are off by one.");
  return h;
}

// The KPIs of week_of_history() as `agentmetrics kpi --json` reports them, each as worked out by
// hand.
void expect_the_weeks_figures(const json& report) {
  const auto expect_kpi = [&](const std::string& id, double value, std::optional<double> median = {}, std::optional<double> p75 = {},
                              const char* band = nullptr) {
    const json* k = kpi(report, id);
    ASSERT_NE(k, nullptr) << id;
    ASSERT_TRUE((*k)["value"].is_number()) << id << ": " << k->dump();
    EXPECT_NEAR((*k)["value"].get<double>(), value, 1e-6) << id;
    if (median) {
      EXPECT_NEAR((*k)["details"]["median"].get<double>(), *median, 1e-6) << id;
    }
    if (p75) {
      EXPECT_NEAR((*k)["details"]["p75"].get<double>(), *p75, 1e-6) << id;
    }
    if (band) {
      EXPECT_EQ((*k)["dora_band"], band) << id;
    }
    std::cout << "[ figures ] " << id << " = " << (*k)["value"].get<double>();
    if (median) std::cout << ", median " << *median << ", p75 " << *p75;
    if (band) std::cout << ", DORA " << band;
    std::cout << "\n";
  };
  // Lead times 20, 8, 45, 8 h: mean 20.25, median 14, p75 26.25 (rank 2.25 of 8, 8, 20, 45).
  expect_kpi("lead_time", 20.25, 14, 26.25, "elite");
  expect_kpi("deployment_frequency", 4.0 / 7, std::nullopt, std::nullopt, "high");  // 4 successes in 7 days
  expect_kpi("change_failure_rate", 40, std::nullopt, std::nullopt, "low");         // 1 failure + 1 rollback of 5
  expect_kpi("failed_deployment_recovery_time", 1, 1, 1, "high");                   // failed at -6 h, rolled back at -5 h
  expect_kpi("rollback_frequency", 1);                                              // one a week
  expect_kpi("cycle_time", 28.0 / 3, 10, 11);                                       // 10, 12, 6 h
  expect_kpi("average_pr_size", 700.0 / 3, 150, 325);                               // 150, 500, 50 lines
  expect_kpi("review_turnaround_time", 7.0 / 3, 2, 3);                              // 2, 1, 4 h
  expect_kpi("pipeline_success_rate", 75);
  expect_kpi("mean_time_to_resolution", 9);  // 10 h and 8 h
  expect_kpi("mean_time_to_detection", 10);  // filed at -40 h, its cause committed at -50 h
}

TEST_F(Webhooks, KpisOverASequenceOfDeliveriesEqualTheFiguresWorkedOutByHand) {
  const History h = week_of_history();
  const std::vector<int> statuses = github_all(h.deliveries());
  for (std::size_t i = 0; i < statuses.size(); ++i) EXPECT_EQ(statuses[i], 200) << h.deliveries()[i].first << " #" << i;

  // The rollback was recognised, and the agent's commit marked.
  const auto rows = stored();
  int rollbacks = 0, by_claude = 0;
  for (const auto& e : rows) {
    if (e.kind == "deployment" && e.fields.value("rollback", false)) ++rollbacks;
    if (e.kind == "commit" && e.fields.value("ai_agent", "") == "claude") ++by_claude;
  }
  EXPECT_EQ(rollbacks, 1);
  EXPECT_EQ(by_claude, 1);

  const Ran report_run =
      run({kAgentmetricsCliBinary, "kpi", "--json", "--window", "7d", "--store", collector_->store_path(), "--config", config_});
  ASSERT_EQ(report_run.code, 0) << report_run.output;
  expect_the_weeks_figures(json::parse(report_run.output));
  // The text form shows the same bands.
  const Ran table = run({kAgentmetricsCliBinary, "kpi", "--window", "7d", "--store", collector_->store_path(), "--config", config_});
  ASSERT_EQ(table.code, 0) << table.output;
  EXPECT_NE(table.output.find("Change Failure Rate"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("DORA KEY"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("14.0 h (median)"), std::string::npos) << table.output;

  // And the collector's gauges, once it has recomputed them.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string scrape;
  while (std::chrono::steady_clock::now() < deadline) {
    scrape = collector_->scrape();
    if (scrape.find("opencode_kpi_dora_band{band=\"low\",kpi=\"change_failure_rate\",window=\"7d\"} 1") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_NE(scrape.find("opencode_kpi_dora_band{band=\"low\",kpi=\"change_failure_rate\",window=\"7d\"} 1"), std::string::npos);
  EXPECT_NE(scrape.find("opencode_kpi_dora_band{band=\"elite\",kpi=\"lead_time\",window=\"7d\"} 4"), std::string::npos);
  EXPECT_NE(scrape.find("opencode_kpi_quantile{kpi=\"lead_time\",quantile=\"0.5\",window=\"7d\"} 14"), std::string::npos);
  EXPECT_NE(scrape.find("opencode_kpi_value{group=\"workflow\",kpi=\"change_failure_rate\",window=\"7d\"} 40"), std::string::npos);
  // The same gauges and the deliveries' counters in every format /metrics serves.
  const Samples formats = expect_same_in_every_format(collector_->url("/metrics"), {"opencode_kpi_", "agentmetrics_webhook_"});
  EXPECT_EQ(sample(formats, "opencode_kpi_dora_band{band=\"elite\",kpi=\"lead_time\",window=\"7d\"}"), 4);
  double deliveries = 0;
  for (const auto& [key, value] : formats) {
    if (key.starts_with("agentmetrics_webhook_deliveries_total{")) deliveries += value;
  }
  EXPECT_GT(deliveries, 0);
}

// Two sidecars of a team sharing one PostgreSQL: each delivery of the week goes to one of them and
// is delivered again to the other. The history one sidecar stored is what the other reads for a
// lead time or a rollback, every redelivery is kept once, and the team's KPIs are the week's.
TEST_F(Webhooks, TwoSidecarsOfATeamStoreMakeOneHistoryOfTheirDeliveries) {
  const std::string url = shared_postgres_server().fresh_database("team_webhooks");
  const std::map<std::string, std::string> env{{"AGENTMETRICS_GITHUB_WEBHOOK_SECRET", kGithubSecret},
                                               {"AGENTMETRICS_GITLAB_WEBHOOK_TOKEN", kGitlabToken},
                                               {"AGENTMETRICS_STORE_URL", url}};
  std::vector<std::unique_ptr<CollectorProcess>> sidecars;
  for (int i = 0; i < 2; ++i) {
    sidecars.push_back(std::make_unique<CollectorProcess>(
        unique_namespace("teamhooks"),
        std::vector<std::string>{"--config=" + config_, "--store=" + dir_.path() + "/sidecar" + std::to_string(i) + ".db"}, env));
  }
  const History h = week_of_history();
  std::vector<std::pair<std::string, std::string>> to_sign;
  for (const auto& [event, payload] : h.deliveries()) to_sign.emplace_back(kGithubSecret, payload.dump());
  const auto signatures = sign_all(to_sign);
  for (std::size_t i = 0; i < to_sign.size(); ++i) {
    const Delivery d{h.deliveries()[i].first, to_sign[i].second, signatures[i], "team-delivery-" + std::to_string(i)};
    const RawResponse first = github(d, "application/json", sidecars[i % 2].get());
    EXPECT_EQ(first.status, 200) << d.event << " #" << i << ": " << first.body;
    const RawResponse again = github(d, "application/json", sidecars[(i + 1) % 2].get());
    EXPECT_EQ(again.status, 200) << d.event << " #" << i << " redelivered: " << again.body;
  }
  const auto count = [&](const std::string& sql) {
    pqxx::connection c(url);
    pqxx::nontransaction tx(c);
    return tx.exec1(sql)[0].as<long>();
  };
  EXPECT_EQ(count("SELECT count(*) FROM events WHERE kind = 'deployment'"), 5);
  EXPECT_EQ(count("SELECT count(*) FROM events WHERE kind = 'deployment' AND am_num(fields, 'rollback') = 1"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM events WHERE kind = 'commit' AND fields->>'ai_agent' = 'claude'"), 1);

  Process kpi_run({kAgentmetricsCliBinary, "kpi", "--json", "--window", "7d", "--config", config_}, {{"AGENTMETRICS_STORE_URL", url}});
  const auto status = kpi_run.wait(std::chrono::seconds(60));
  ASSERT_TRUE(status);
  ASSERT_EQ(exit_code(*status), 0) << kpi_run.output();
  expect_the_weeks_figures(json::parse(kpi_run.output()));
  for (auto& s : sidecars) EXPECT_EQ(s->stop(), 0);
}

// ---------------------------------------------------------------------------------------------
// The backfill: GitHub's REST answers, and the same facts as the webhooks make.

std::string rest(const std::string& name) { return std::string(AM_WEBHOOK_DATA_DIR) + "/github-rest/" + name + ".json"; }

TEST_F(Webhooks, TheBackfillReadsSavedRestAnswersAndKeysFactsAsTheWebhooksDo) {
  const std::string store = collector_->store_path();
  // With the default retention the examples, years old, are older than the history the store
  // keeps: they are left out, and the command says so.
  write_text(dir_.path() + "/default.yaml", "store:\n  retention: 90d\n");
  const Ran old = run(
      {kAgentmetricsCliBinary, "ingest", "github", rest("pull"), "--dry-run", "--store", store, "--config", dir_.path() + "/default.yaml"});
  ASSERT_EQ(old.code, 0) << old.output;
  EXPECT_NE(old.output.find("2 facts are older than store.retention (90d) and were left out"), std::string::npos) << old.output;

  const Ran backfill = run({kAgentmetricsCliBinary, "ingest", "github", rest("pulls"), rest("pull"), rest("runs"), rest("deployments"),
                            rest("deployment-statuses"), rest("issues"), "--store", store, "--config", config_, "--json"});
  ASSERT_EQ(backfill.code, 0) << backfill.output;
  // stdout's JSON, among stderr's summary lines (which hold no braces).
  const std::size_t open = backfill.output.find('{');
  ASSERT_NE(open, std::string::npos) << backfill.output;
  const json summary = json::parse(backfill.output.substr(open, backfill.output.rfind('}') + 1 - open));
  // The pull request (listed, and on its own with its size) opened and merged; the status of a
  // successful deployment; the workflow run is still queued and the issue is a pull request's.
  EXPECT_EQ(summary["facts"], 3) << summary.dump();
  EXPECT_EQ(summary["stored"], 3);
  EXPECT_EQ(summary["objects"]["pull_request"], 2);
  const auto rows = stored();
  ASSERT_EQ(rows.size(), 3u);
  const std::vector<Expected> expected = {
      {"pull_request", 1296068472, {{"id", "octocat/Hello-World#1347"}, {"lines_changed", 103}, {"opened", 1296068472}}},
      {"pull_request", 1296068472, {{"id", "octocat/Hello-World#1347"}, {"merged", 1296068472}}},
      {"deployment", 1342747153, {{"environment", "production"}, {"success", true}, {"repository", "octocat/example"}}},
  };
  for (const Expected& x : expected) {
    EXPECT_TRUE(std::any_of(rows.begin(), rows.end(), [&](const StoredEvent& e) { return matches(e, x); })) << x.fields.dump();
  }
  // Again: nothing new.
  const Ran again =
      run({kAgentmetricsCliBinary, "ingest", "github", rest("pull"), rest("deployment-statuses"), "--store", store, "--config", config_});
  ASSERT_EQ(again.code, 0) << again.output;
  EXPECT_NE(again.output.find("0 new"), std::string::npos) << again.output;

  // The webhooks of the same facts: the deployment status (id 1 of octocat/example) and the
  // merge of pull request 1347 add no row.
  json status = examples_of("deployment_status")[0];
  status["repository"]["full_name"] = "octocat/example";
  status["deployment_status"]["id"] = 1;
  json merge;
  for (const auto& e : examples_of("pull_request")) {
    if (e["action"] == "closed" && merge.is_null()) merge = e;
  }
  merge["repository"]["full_name"] = "octocat/Hello-World";
  merge["pull_request"]["number"] = 1347;
  merge["pull_request"]["merged"] = true;
  merge["pull_request"]["merged_at"] = "2011-01-26T19:01:12Z";
  merge["pull_request"]["created_at"] = "2011-01-26T19:01:12Z";
  const auto statuses = github_all({{"deployment_status", status}, {"pull_request", merge}});
  EXPECT_EQ(statuses, (std::vector<int>{200, 200}));
  EXPECT_EQ(stored().size(), 3u);
}

TEST_F(Webhooks, ABackfilledHistoryGivesTheSameDoraFiguresAsItsWebhooks) {
  // Deployments and their statuses as the REST API lists them (copies of its examples): s1, s2,
  // a failure of s3, s1 again (a rollback), s3; the statuses file holds a page per deployment.
  const double now = std::floor(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  const json deployment_template = json::parse(read_text(rest("deployments")))[0];
  const json status_template = json::parse(read_text(rest("deployment-statuses")))[0];
  json deployments = json::array();
  std::string statuses;
  const std::vector<std::tuple<int, std::string, std::string, double>> history = {
      {1, "s1", "success", 30}, {2, "s2", "success", 12}, {3, "s3", "failure", 6}, {4, "s1", "success", 5}, {5, "s3", "success", 2}};
  for (const auto& [id, sha, state, hours] : history) {
    json d = deployment_template;
    d["id"] = id;
    d["url"] = "https://api.github.com/repos/acme/widgets/deployments/" + std::to_string(id);
    d["repository_url"] = "https://api.github.com/repos/acme/widgets";
    d["sha"] = std::string(40, sha[1]);
    d["created_at"] = iso(now - hours * 3600 - 60);
    deployments.push_back(d);
    json s = status_template;
    s["id"] = 100 + id;
    s["state"] = state;
    s["deployment_url"] = d["url"];
    s["repository_url"] = d["repository_url"];
    s["created_at"] = iso(now - hours * 3600);
    statuses += json::array({s}).dump() + "\n";  // as `gh api --paginate` prints pages
  }
  TempDir dir;
  write_text(dir.path() + "/deployments.json", deployments.dump());
  write_text(dir.path() + "/statuses.json", statuses);
  const Ran backfill = run({kAgentmetricsCliBinary, "ingest", "github", dir.path() + "/deployments.json", dir.path() + "/statuses.json",
                            "--store", collector_->store_path(), "--config", config_});
  ASSERT_EQ(backfill.code, 0) << backfill.output;
  const Ran report_run =
      run({kAgentmetricsCliBinary, "kpi", "--json", "--window", "7d", "--store", collector_->store_path(), "--config", config_});
  ASSERT_EQ(report_run.code, 0) << report_run.output;
  const json report = json::parse(report_run.output);
  EXPECT_NEAR((*kpi(report, "change_failure_rate"))["value"].get<double>(), 40, 1e-9);
  EXPECT_NEAR((*kpi(report, "failed_deployment_recovery_time"))["value"].get<double>(), 1, 1e-9);
  EXPECT_NEAR((*kpi(report, "deployment_frequency"))["value"].get<double>(), 4.0 / 7, 1e-9);
  EXPECT_NEAR((*kpi(report, "rollback_frequency"))["value"].get<double>(), 1, 1e-9);
  // No push was backfilled: the commits' times, and so the lead time, are unknown.
  EXPECT_TRUE((*kpi(report, "lead_time"))["value"].is_null());
}

}  // namespace
