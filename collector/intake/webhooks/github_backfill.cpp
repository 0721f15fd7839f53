#include "collector/intake/webhooks/github_backfill.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "collector/intake/webhooks/forge_fact.h"
#include "collector/intake/webhooks/forge_history.h"
#include "collector/intake/webhooks/forge_time.h"
#include "collector/intake/webhooks/github_objects.h"
#include "collector/intake/webhooks/json_values.h"
#include "collector/intake/webhooks/payload_fields.h"
#include "collector/store/event_store.h"

namespace agentmetrics::intake {
namespace {

using json = nlohmann::json;

// A saved answer larger than this is refused rather than read into memory.
constexpr std::uintmax_t kMaxFileBytes = 1ULL << 30;

// "owner/name" of an API url ".../repos/owner/name[/...]".
std::string repository_of_url(const std::string& url) {
  const auto at = url.find("/repos/");
  if (at == std::string::npos) return {};
  const auto owner_end = url.find('/', at + 7);
  if (owner_end == std::string::npos) return {};
  const auto name_end = url.find('/', owner_end + 1);
  return url.substr(at + 7, (name_end == std::string::npos ? url.size() : name_end) - at - 7);
}

// What a REST object is, from its shape.
std::string kind_of(const json& o) {
  if (member(o, "workflow_id") && member(o, "run_number")) return "workflow_run";
  if (member(o, "head") && member(o, "base") && o.contains("merged_at")) return "pull_request";
  if (member(o, "deployment_url") && member(o, "state")) return "deployment_status";
  if (member(o, "statuses_url") && member(o, "sha") && member(o, "environment")) return "deployment";
  if (member(o, "number") && o.contains("labels") && member(o, "state") && !member(o, "head")) return "issue";
  return {};
}

}  // namespace

GithubBackfill::GithubBackfill(WebhookSettings settings) : settings_(std::move(settings)) {}

void GithubBackfill::read_file(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw std::invalid_argument(path + ": " + ec.message());
  if (size > kMaxFileBytes) throw std::invalid_argument(path + ": larger than 1 GiB; save the answer in several files");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path + ": cannot be read");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<json> values;
  try {
    values = parse_json_values(text);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path + ": " + e.what());
  }
  for (json& value : values) {
    // A page of workflow runs is {"total_count", "workflow_runs": [...]}; --slurp nests pages.
    if (value.is_object() && value.contains("workflow_runs")) value = std::move(value["workflow_runs"]);
    if (!value.is_array()) {
      take(std::move(value));
      continue;
    }
    for (json& item : value) {
      if (item.is_array()) {
        for (json& nested : item) take(std::move(nested));
      } else {
        take(std::move(item));
      }
    }
  }
}

void GithubBackfill::take(json object) {
  const std::string what = kind_of(object);
  if (what.empty()) {
    ++summary_.unrecognised;
    return;
  }
  ++summary_.objects[what];
  if (what == "deployment") {
    // The key first: json's assignment takes its operand by value, and C++17 evaluates the right
    // side of `=` first, so `deployments_[url of object] = std::move(object)` would key it "".
    std::string url = text_member(object, "url");
    deployments_[std::move(url)] = std::move(object);
    return;
  }
  Record r;
  r.what = what;
  if (what == "workflow_run") {
    r.repository = github_repository_name(object_member(object, "repository"));
    r.time = forge_time(object, "updated_at").value_or(0);
  } else if (what == "pull_request") {
    r.repository = github_repository_name(object_member(object_member(object, "base"), "repo"));
    r.time = forge_time(object, "created_at").value_or(0);
  } else {
    r.repository = repository_of_url(text_member(object, "repository_url"));
    r.time = forge_time(object, "created_at").value_or(0);
  }
  if (r.repository.empty() || !settings_.repository_allowed(r.repository)) {
    ++summary_.without_repository;
    return;
  }
  r.object = std::move(object);
  const std::string id = r.what + " " + r.repository + " " + id_member(r.object, "id");
  const auto [seen, added] = seen_.try_emplace(id, records_.size());
  if (added) {
    records_.push_back(std::move(r));
  } else if (r.object.size() > records_[seen->second].object.size()) {
    records_[seen->second] = std::move(r);  // the pull request on its own has the size the list leaves out
  }
}

BackfillSummary GithubBackfill::run(store::EventStore* store, bool dry_run, double received_time, double oldest) {
  std::stable_sort(records_.begin(), records_.end(), [](const Record& a, const Record& b) { return a.time < b.time; });
  const ForgeHistory history(store);
  const ForgeContext context{settings_, history};
  std::vector<ipc::OutcomeEvent> pending;  // not stored yet
  const auto flush = [&] {
    if (!dry_run && store && !pending.empty()) summary_.stored += store->insert(pending, received_time);
    pending.clear();
  };
  const auto keep = [&](ForgeFacts facts) {
    if (facts.facts.empty()) {
      summary_.ignored.push_back(facts.repository + ": " + facts.ignored);
      return;
    }
    std::vector<std::string> dropped;
    for (auto& e : keyed_events("github", std::move(facts.facts), dropped)) {
      if (e.time < oldest) {
        ++summary_.too_old;
        continue;
      }
      pending.push_back(e);
      summary_.events.push_back(std::move(e));
    }
    for (auto& why : dropped) summary_.ignored.push_back(std::move(why));
  };
  for (const Record& r : records_) {
    if (r.what == "pull_request") {
      keep(github_pull_request_opened(r.repository, r.object, false, context));
      if (member(r.object, "merged_at")) keep(github_pull_request_merged(r.repository, r.object, context));
    } else if (r.what == "workflow_run") {
      keep(github_workflow_run(r.repository, r.object, "", context));
    } else if (r.what == "deployment_status") {
      // Whether this is a rollback depends on every deployment before it being stored.
      flush();
      const auto deployment = deployments_.find(text_member(r.object, "deployment_url"));
      keep(github_deployment_status(r.repository, deployment == deployments_.end() ? json::object() : deployment->second, r.object,
                                    context));
      flush();
    } else if (r.what == "issue") {
      keep(github_issue(r.repository, r.object, "opened", context));
      if (text_member(r.object, "state") == "closed") keep(github_issue(r.repository, r.object, "closed", context));
    }
  }
  flush();
  std::stable_sort(summary_.events.begin(), summary_.events.end(),
                   [](const ipc::OutcomeEvent& a, const ipc::OutcomeEvent& b) { return a.time < b.time; });
  summary_.facts = summary_.events.size();
  return summary_;
}

}  // namespace agentmetrics::intake
