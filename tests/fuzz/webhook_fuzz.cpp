// Fuzzes the forge webhook receiver: the input's first byte picks the forge and the event, the
// rest is the body, sent correctly signed (or with the right token) so that it reaches the JSON
// parser and the mapping of every event; and the same body read as a saved REST answer by the
// GitHub backfill (dry run).
// Oracles: no crash, hang or sanitizer report; the receiver answers with one of its documented
// statuses and never throws; the backfill refuses a file only with std::invalid_argument and
// every event it makes passes check_event.
#include <array>
#include <memory>
#include <string>

#include "collector/common/log.h"
#include "collector/intake/durable_intake.h"
#include "collector/intake/webhooks/github_backfill.h"
#include "collector/intake/webhooks/webhook_receiver.h"
#include "collector/intake/webhooks/webhook_signature.h"
#include "collector/store/sqlite_event_store.h"
#include "tests/fuzz/fuzz_support.h"

using namespace agentmetrics;

namespace {

constexpr const char* kSecret = "fuzz-secret-0123456789";
constexpr std::array<const char*, 8> kGithubEvents = {
    "pull_request", "pull_request_review", "workflow_run", "check_suite", "deployment_status", "issues", "push", "ping"};
constexpr std::array<const char*, 5> kGitlabEvents = {"Merge Request Hook", "Pipeline Hook", "Deployment Hook", "Issue Hook", "Push Hook"};

struct Receivers {
  Receivers() {
    // Each refused delivery is logged: at this rate the log, not the receiver, would be fuzzed.
    configure_logging(LogLevel::kError, false);
    // An empty store for the history lookups; no store thread (deliveries end in 503).
    store::SqliteEventStore::open(fuzz::scratch_dir() + "/events.db", store::SqliteEventStore::Mode::kReadWrite);
    for (const auto forge : {intake::Forge::kGitHub, intake::Forge::kGitLab}) {
      intake::WebhookReceiverOptions options;
      options.forge = forge;
      options.secret = kSecret;
      options.store_path = fuzz::scratch_dir() + "/events.db";
      options.store_wait = std::chrono::milliseconds(0);
      receivers.push_back(std::make_unique<intake::WebhookReceiver>(options, intake_, metrics_));
    }
  }
  prometheus::Registry registry_;
  intake::WebhookMetrics metrics_{registry_};
  intake::DurableIntake intake_{nullptr, 1};
  std::vector<std::unique_ptr<intake::WebhookReceiver>> receivers;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Receivers r;
  if (size == 0) return 0;
  const bool github = (data[0] & 0x80) == 0;
  collector::HttpRequest request;
  request.method = "POST";
  request.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  request.headers["content-type"] = "application/json";
  if (github) {
    request.path = "/webhooks/github";
    request.headers["x-github-event"] = kGithubEvents[data[0] % kGithubEvents.size()];
    request.headers["x-hub-signature-256"] = intake::github_signature(kSecret, request.body);
  } else {
    request.path = "/webhooks/gitlab";
    request.headers["x-gitlab-event"] = kGitlabEvents[data[0] % kGitlabEvents.size()];
    request.headers["x-gitlab-token"] = kSecret;
  }
  const collector::HttpResponse response = r.receivers[github ? 0 : 1]->handle(request);
  if (response.status != 200 && response.status != 202 && response.status != 400 && response.status != 503) {
    fuzz::fail("an undocumented status", std::to_string(response.status) + " " + response.body);
  }

  const std::string path = fuzz::input_file(data + 1, size - 1, "answers.json");
  intake::GithubBackfill backfill({});
  try {
    backfill.read_file(path);
  } catch (const std::invalid_argument&) {
    return 0;  // a file that is not JSON: refused, as it should be
  }
  for (const auto& event : backfill.run(nullptr, true, 1'800'000'000, 0).events) {
    if (const std::string why = ipc::check_event(event); !why.empty()) fuzz::fail("the backfill made an invalid event", why);
  }
  return 0;
}
