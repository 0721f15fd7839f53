// agentmetricsd's configuration: embedded defaults, then the YAML file (--config), then the
// environment variables the specification names, then flags. Every key is checked; a wrong
// one is reported by its dotted path.
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace agentmetrics::collector {

enum class WaitMode { kAuto, kIoUring, kPoll };

struct Config {
  // The specification's keys.
  struct Prometheus {
    bool enabled = true;  // serve /metrics
    int port = 9090;
    bool collect_default_metrics = true;  // process_* metrics
    bool open_metrics = true;             // answer OpenMetrics when a scraper asks for it
    // Histogram families (by name) whose native (exponential) buckets the collector keeps,
    // served in the protobuf format (docs/metrics.md).
    struct NativeHistogram {
      int schema = 3;                    // -4 to 8: buckets 2^(2^-schema) wide
      std::size_t max_buckets = 160;     // per sign; beyond, the schema is lowered
      double zero_threshold = 0x1p-128;  // values this close to 0 go to the zero bucket
      bool classic_buckets = true;       // keep the declared classic buckets too
    };
    std::map<std::string, NativeHistogram> native_histograms;
  } prometheus;
  struct CassMemory {
    bool enabled = true;
    int context_limit = 5;
    bool auto_inject = true;
    std::chrono::seconds reflection_interval{24 * 3600};
    std::size_t max_rules = 10000;  // active rules and anti-patterns (docs/learning.md, "How many rules")
    // Whether a hook keeps the words of the prompt its rules were given for, so that a success
    // teaches them those words (docs/learning.md, "Learning from feedback"). Off: prompt text is
    // stored only where the configuration says so.
    bool learn_from_prompts = false;
    // Failure patterns in the agents' sessions (docs/learning.md, "Learning from sessions").
    struct SessionPatterns {
      bool enabled = true;
      std::size_t min_tool_failures = 5, min_edit_failures = 3, min_retry_failures = 2, min_sessions = 2;
      double min_tool_failure_share = 0.3;
    } session_patterns;
  } cass_memory;
  struct Alerts {
    bool enabled = true;
    std::string webhook_url;
    std::chrono::seconds timeout{5};  // per attempt
    int max_attempts = 5;
    std::string external_url;                   // this collector's URL as Alertmanager should link to it
    std::map<std::string, std::string> labels;  // added to every alert
  } alerts;

  // The collector's own.
  struct Kpi {
    std::vector<std::string> windows = {"24h", "7d", "30d"};  // the first one is alerted on
    std::chrono::seconds refresh_interval{30};
    std::map<std::string, std::pair<std::optional<double>, std::optional<double>>> targets;  // id -> (target, alert)
  } kpi;
  struct Store {
    bool enabled = true;
    std::string path;  // $AGENTMETRICS_STORE overrides it; empty: store::store_path_for's default
    // A team store on PostgreSQL (postgresql://...); $AGENTMETRICS_STORE_URL overrides it.
    // Empty: the SQLite file at `path`. Never logged as it is (store/store_url.h: redacted()).
    std::string url;
    std::size_t spool_limit = 1000000;  // events kept on disk while the team store is unreachable
    std::chrono::seconds retention{90 * 24 * 3600};
  } store;
  std::string listen_address;  // empty: ":" + prometheus.port
  std::string ns = "default";
  std::string segment_dir = "/dev/shm";
  std::string metric_prefix = "opencode";
  std::size_t shards = 0;                       // 0: one per core
  std::size_t series_limit_per_family = 10000;  // beyond: folded into the family's overflow series
  std::size_t family_limit = 10000;             // beyond: new families refused
  // Segments attached at once, in all and of one owner (uid), and descriptors segments never
  // take (HTTP, the store, the event loop); beyond, a segment waits for room.
  std::size_t max_segments = 1024;
  std::size_t max_segments_per_owner = 512;
  std::size_t descriptor_reserve = 256;
  std::size_t series_limit = 100000;           // series in all; beyond: folded into overflow series
  std::size_t label_bytes_limit = 16u << 20;   // label text of all series; likewise
  std::chrono::seconds series_staleness{600};  // a series stays this long after its last producer went
  bool drain_realtime = true;                  // drain threads at real-time priority where permitted
  std::set<uid_t> allowed_uids;
  WaitMode wait_mode = WaitMode::kAuto;
  struct Http {
    int threads = 8;  // connections served at once
    std::chrono::milliseconds request_timeout{10000};
    std::size_t max_request_bytes = 16384;              // request line and headers
    std::chrono::milliseconds response_timeout{60000};  // a whole streamed response
    std::size_t max_connections_per_peer = 256;         // open at once from one address
  } http;
  // Who may use the learning API (docs/security.md).
  struct Security {
    std::vector<std::string> api_token_files;  // each holds one bearer token
    std::string api_token;                     // $AGENTMETRICS_API_TOKEN
    bool loopback_without_token = true;        // loopback peers may use the API without a token
    std::vector<std::string> allowed_hosts;    // Host names besides IP literals, localhost and the machine's
    std::vector<std::string> allowed_origins;  // web origins whose POSTs are accepted; none by default
    std::string web_config_file;               // TLS and basic auth, exporter-toolkit format (--web.config.file)
  } security;
  // The agents' own telemetry (docs/otlp.md).
  struct Otlp {
    std::string http_listen_address = "127.0.0.1:4318";  // empty: no OTLP/HTTP
    std::string grpc_listen_address = "127.0.0.1:4317";  // empty: no OTLP/gRPC
    std::size_t max_request_bytes = 8 << 20;             // a request, before and after gzip
    std::vector<std::string> label_attributes;           // attributes that may become labels
    std::chrono::seconds session_idle{600};              // a session quiet this long is stored as a task
    bool keep_session_ids = false;                       // store the agents' session ids (else a digest)
  } otlp;
  // What tokens cost where the agent reports no cost, over the shipped table (docs/otlp.md).
  struct Pricing {
    // USD per million tokens: input (not cached), output, cache read, cache creation.
    std::map<std::string, std::array<double, 4>> models;
    double daily_budget_usd = 0;  // exported for the DailyCostBudgetExceeded alert; 0: none
  } pricing;
  // The forges' webhooks (docs/webhooks.md): a receiver runs only once its secret is set.
  struct Webhooks {
    struct Forge {
      std::string secret;       // GitHub: the webhook's secret; GitLab: its secret token
      std::string secret_file;  // or a file holding it
    };
    Forge github;  // $AGENTMETRICS_GITHUB_WEBHOOK_SECRET overrides the secret
    Forge gitlab;  // $AGENTMETRICS_GITLAB_WEBHOOK_TOKEN likewise
    std::size_t max_body_bytes = 5 * 1024 * 1024;
    std::vector<std::string> repositories;  // kept (owner/name); empty: all
    std::vector<std::string> environments;  // deployments kept; empty: all
    std::vector<std::string> bug_labels = {"bug"};
    std::optional<std::map<std::string, std::string>> agent_coauthors;  // agent -> e-mail text; unset: the built-in list
    bool keep_authors = false;
  } webhooks;
  // The page at /ui (docs/ui.md): served with the learning API's access rule, read-only.
  struct Ui {
    bool enabled = true;
  } ui;
  struct Log {
    std::string level = "info";
    std::string format = "text";
  } log;
  // The agents' sessions on disk, imported and watched (docs/import.md). Off until sources are named.
  struct SessionImport {
    std::vector<std::string> sources;          // claude-code, codex, opencode
    std::map<std::string, std::string> paths;  // per source, instead of its default location
    std::size_t max_text_bytes = 300;          // of each session's first prompt and last answer; 0 (or none): no text
    bool keep_session_ids = false;             // store the agents' session ids as they are, not a digest
    std::chrono::seconds settle{1};            // quiet after a change before a file is read again
    std::chrono::seconds rescan{300};          // a full pass, for what inotify did not say
  } session_import;

  std::string effective_listen_address() const;
};

// A configuration problem: the dotted key (e.g. "prometheus.port") and what is wrong.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string key, const std::string& problem);
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// The environment variable that names the store; it overrides store.path.
inline constexpr const char* kStorePathEnv = "AGENTMETRICS_STORE";

// The configuration every program (agentmetricsd, agentmetrics, cm) runs with: the defaults,
// then the file at `path` (none when empty), then the environment (apply_environment), then
// `flags` (the program's own options), then validate(). Throws ConfigError naming the key.
Config load_configuration(const std::string& path, const std::function<void(Config&)>& flags = {});

// Reads the YAML file over `base`. Throws ConfigError (also for an unreadable or malformed
// file, with key "file").
Config load_config_file(const std::string& path, Config base = {});
// METRICS_PORT, ALERT_WEBHOOK_URL, AGENTMETRICS_STORE, and the webhook secrets.
void apply_environment(Config& config);
// Checks ranges and combinations; throws ConfigError.
void validate(const Config& config);

std::string to_string(WaitMode mode);
WaitMode parse_wait_mode(const std::string& text);  // throws std::invalid_argument

}  // namespace agentmetrics::collector
