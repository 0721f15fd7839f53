#include "collector/cli/agentmetrics/github_ingest.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "collector/cli/agentmetrics/commands.h"
#include "collector/common/duration.h"
#include "collector/config/config.h"
#include "collector/config/config_location.h"
#include "collector/config/webhook_settings.h"
#include "collector/intake/webhooks/github_backfill.h"
#include "collector/store/store_error.h"
#include "collector/store/store_factory.h"
#include "collector/store/store_location.h"
#include "ipc/timestamp.h"

namespace agentmetrics::cli {
namespace {

nlohmann::json event_json(const ipc::OutcomeEvent& e) {
  nlohmann::json fields = nlohmann::json::object();
  for (const auto& field : e.fields) std::visit([&](const auto& v) { fields[field.first] = v; }, field.second);
  return {{"event", ipc::find_kind(e.kind)->name}, {"time", ipc::format_timestamp(e.time)}, {"fields", fields}};
}

}  // namespace

int ingest_github(const GithubIngestOptions& options) {
  collector::Config config;
  try {
    config = collector::load_configuration(collector::find_configuration_file(options.config));
  } catch (const collector::ConfigError& e) {
    std::fprintf(stderr, "agentmetrics ingest github: %s\n", e.what());
    return kExitBadInput;
  }
  intake::GithubBackfill backfill(collector::webhook_settings(config));
  try {
    for (const auto& path : options.paths) backfill.read_file(path);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "agentmetrics ingest github: %s (nothing was recorded)\n", e.what());
    return kExitBadInput;
  }
  intake::BackfillSummary summary;
  std::string path, store_name;
  try {
    path = options.store.empty() ? store::store_path_for(config.store.path) : options.store;
    // --store names a file: a team store (store.url, $AGENTMETRICS_STORE_URL) only without it.
    const store::StoreAddress address{options.store.empty() ? config.store.url : "", path};
    store_name = store::store_name(address);
    std::unique_ptr<store::EventStore> store;
    // A dry run reads what is stored already, if there is a store, and writes nothing.
    if (!options.dry_run) {
      if (address.url.empty()) store::ensure_store_directory(path);
      store = store::open_event_store(address, store::StoreAccess::kReadWrite);
    } else if (!address.url.empty() || std::filesystem::exists(path)) {
      store = store::open_event_store(address, store::StoreAccess::kReadOnly);
    }
    const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    summary = backfill.run(store.get(), options.dry_run, now, now - std::chrono::duration<double>(config.store.retention).count());
  } catch (const store::StoreError& e) {
    std::fprintf(stderr, "agentmetrics ingest github: %s\n", e.what());
    return kExitFailed;
  }
  if (options.json) {
    nlohmann::json out = {{"format", "github"},
                          {"paths", options.paths},
                          {"store", options.dry_run ? nlohmann::json(nullptr) : nlohmann::json(store_name)},
                          {"objects", summary.objects},
                          {"unrecognised", summary.unrecognised},
                          {"not_kept", summary.without_repository},
                          {"facts", summary.facts},
                          {"too_old", summary.too_old},
                          {"stored", summary.stored},
                          {"ignored", summary.ignored},
                          {"events", nlohmann::json::array()}};
    for (const auto& e : summary.events) out["events"].push_back(event_json(e));
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    for (const auto& e : summary.events) std::printf("%s\n", event_json(e).dump().c_str());
  }
  std::string objects;
  for (const auto& [what, count] : summary.objects) objects += (objects.empty() ? "" : ", ") + std::to_string(count) + " " + what;
  std::fprintf(stderr, "agentmetrics ingest github: read %s; %zu of no known shape, %zu of no kept repository\n",
               objects.empty() ? "nothing" : objects.c_str(), summary.unrecognised, summary.without_repository);
  if (summary.too_old > 0) {
    std::fprintf(stderr, "agentmetrics ingest github: %zu facts are older than store.retention (%s) and were left out\n", summary.too_old,
                 format_duration(config.store.retention).c_str());
  }
  if (options.dry_run) {
    std::fprintf(stderr, "agentmetrics ingest github: %zu facts (dry run: nothing stored)\n", summary.facts);
  } else {
    std::fprintf(stderr, "agentmetrics ingest github: %zu facts, %zu new in %s (the others were stored already)\n", summary.facts,
                 summary.stored, store_name.c_str());
  }
  return 0;
}

}  // namespace agentmetrics::cli
