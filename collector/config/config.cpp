#include "collector/config/config.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <map>

#include "collector/common/duration.h"
#include "collector/http/listen_address.h"
#include "collector/store/store_url.h"
#include "collector/config/kpi_settings.h"
#include "ipc/names.h"
#include "ipc/segment_name.h"

namespace agentmetrics::collector {
namespace {

template <typename T>
T scalar(const YAML::Node& node, const std::string& key, const char* expected) {
  if (!node.IsScalar()) throw ConfigError(key, std::string("expected ") + expected);
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    throw ConfigError(key, std::string("expected ") + expected + ", got '" + node.Scalar() + "'");
  }
}

bool boolean(const YAML::Node& n, const std::string& key) { return scalar<bool>(n, key, "true or false"); }
int integer(const YAML::Node& n, const std::string& key) { return scalar<int>(n, key, "an integer"); }
std::string text(const YAML::Node& n, const std::string& key) { return scalar<std::string>(n, key, "a string"); }

// A count or a size: a whole number of at least `min`; `why` is the error when it is less.
std::size_t at_least(const YAML::Node& n, const std::string& key, int min, const char* why) {
  const int value = integer(n, key);
  if (value < min) throw ConfigError(key, why);
  return static_cast<std::size_t>(value);
}

std::chrono::seconds duration(const YAML::Node& n, const std::string& key) {
  try {
    return parse_duration(text(n, key));
  } catch (const std::invalid_argument& e) {
    throw ConfigError(key, e.what());
  }
}

using Handler = std::function<void(const YAML::Node&, const std::string& key)>;

// Applies `handlers` to the keys of a mapping; an unknown key is an error.
void section(const YAML::Node& node, const std::string& path, const std::map<std::string, Handler>& handlers) {
  const std::string where = path.empty() ? "file" : path;
  if (node.IsNull()) return;
  if (!node.IsMap()) throw ConfigError(where, "expected a mapping");
  for (const auto& item : node) {
    if (!item.first.IsScalar()) throw ConfigError(where, "a key must be a plain name");
    const std::string name = item.first.Scalar();
    const std::string key = path.empty() ? name : path + "." + name;
    auto it = handlers.find(name);
    if (it == handlers.end()) {
      std::string known;
      for (const auto& [k, h] : handlers) known += (known.empty() ? "" : ", ") + k;
      throw ConfigError(key, "unknown key (known here: " + known + ")");
    }
    it->second(item.second, key);
  }
}

}  // namespace

ConfigError::ConfigError(std::string key, const std::string& problem) : std::runtime_error(key + ": " + problem), key_(std::move(key)) {}

std::string Config::effective_listen_address() const {
  return listen_address.empty() ? ":" + std::to_string(prometheus.port) : listen_address;
}

std::string to_string(WaitMode mode) {
  switch (mode) {
    case WaitMode::kAuto: return "auto";
    case WaitMode::kIoUring: return "io_uring";
    case WaitMode::kPoll: return "poll";
  }
  return "auto";
}

WaitMode parse_wait_mode(const std::string& t) {
  if (t == "auto") return WaitMode::kAuto;
  if (t == "io_uring") return WaitMode::kIoUring;
  if (t == "poll") return WaitMode::kPoll;
  throw std::invalid_argument("'" + t + "' is not one of auto, io_uring, poll");
}

namespace {

// The file's text parsed as YAML. Read here rather than by YAML::LoadFile, which lets a read
// error (a directory opens, then fails to read) escape as std::ios_base::failure and leaks its
// buffer when it does.
YAML::Node read_yaml_file(const std::string& path) {
  std::string content;
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError("file", "cannot read " + path + ": " + std::strerror(errno));
    content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::ios_base::failure& e) {
    throw ConfigError("file", "cannot read " + path + ": " + e.code().message());
  }
  YAML::Node root;
  try {
    root = YAML::Load(content);
  } catch (const YAML::ParserException& e) {
    throw ConfigError("file", path + " is not valid YAML: line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return root;
}

void read_prometheus(const YAML::Node& n, const std::string& p, Config& c) {
  section(n, p,
          {
              {"enabled", [&](const YAML::Node& v, const std::string& k) { c.prometheus.enabled = boolean(v, k); }},
              {"port", [&](const YAML::Node& v, const std::string& k) { c.prometheus.port = integer(v, k); }},
              {"collectDefaultMetrics",
               [&](const YAML::Node& v, const std::string& k) { c.prometheus.collect_default_metrics = boolean(v, k); }},
              {"openMetrics", [&](const YAML::Node& v, const std::string& k) { c.prometheus.open_metrics = boolean(v, k); }},
              {"nativeHistograms",
               [&](const YAML::Node& v, const std::string& k) {
                 if (!v.IsMap())
                   throw ConfigError(k, "expected a mapping of histogram names to {schema, maxBuckets, zeroThreshold, classicBuckets}");
                 for (const auto& item : v) {
                   const std::string name = text(item.first, k);
                   auto& h = c.prometheus.native_histograms[name];
                   section(item.second, k + "." + name,
                           {
                               {"schema", [&](const YAML::Node& x, const std::string& xk) { h.schema = integer(x, xk); }},
                               {"maxBuckets", [&](const YAML::Node& x,
                                                  const std::string& xk) { h.max_buckets = at_least(x, xk, 1, "must be at least 1"); }},
                               {"zeroThreshold",
                                [&](const YAML::Node& x, const std::string& xk) { h.zero_threshold = scalar<double>(x, xk, "a number"); }},
                               {"classicBuckets", [&](const YAML::Node& x, const std::string& xk) { h.classic_buckets = boolean(x, xk); }},
                           });
                 }
               }},
          });
}

void read_cass_memory(const YAML::Node& n, const std::string& p, Config& c) {
  section(
      n, p,
      {
          {"enabled", [&](const YAML::Node& v, const std::string& k) { c.cass_memory.enabled = boolean(v, k); }},
          {"contextLimit", [&](const YAML::Node& v, const std::string& k) { c.cass_memory.context_limit = integer(v, k); }},
          {"autoInject", [&](const YAML::Node& v, const std::string& k) { c.cass_memory.auto_inject = boolean(v, k); }},
          {"learnFromPrompts", [&](const YAML::Node& v, const std::string& k) { c.cass_memory.learn_from_prompts = boolean(v, k); }},
          {"reflectionInterval", [&](const YAML::Node& v, const std::string& k) { c.cass_memory.reflection_interval = duration(v, k); }},
          {"maxRules",
           [&](const YAML::Node& v, const std::string& k) { c.cass_memory.max_rules = at_least(v, k, 10, "must be at least 10"); }},
          {"sessionPatterns",
           [&](const YAML::Node& v, const std::string& k) {
             auto& sp = c.cass_memory.session_patterns;
             const auto count = [](const YAML::Node& x, const std::string& xk) { return at_least(x, xk, 1, "must be at least 1"); };
             section(v, k,
                     {
                         {"enabled", [&](const YAML::Node& x, const std::string& xk) { sp.enabled = boolean(x, xk); }},
                         {"minToolFailures", [&](const YAML::Node& x, const std::string& xk) { sp.min_tool_failures = count(x, xk); }},
                         {"minToolFailureShare",
                          [&](const YAML::Node& x, const std::string& xk) {
                            const double share = scalar<double>(x, xk, "a number");
                            if (!(share >= 0 && share <= 1)) throw ConfigError(xk, "must be a share from 0 to 1");
                            sp.min_tool_failure_share = share;
                          }},
                         {"minEditFailures", [&](const YAML::Node& x, const std::string& xk) { sp.min_edit_failures = count(x, xk); }},
                         {"minRetryFailures", [&](const YAML::Node& x, const std::string& xk) { sp.min_retry_failures = count(x, xk); }},
                         {"minSessions", [&](const YAML::Node& x, const std::string& xk) { sp.min_sessions = count(x, xk); }},
                     });
           }},
      });
}

void read_ui(const YAML::Node& n, const std::string& p, Config& c) {
  section(n, p, {{"enabled", [&](const YAML::Node& v, const std::string& k) { c.ui.enabled = boolean(v, k); }}});
}

void read_alerts(const YAML::Node& n, const std::string& p, Config& c) {
  section(n, p,
          {
              {"enabled", [&](const YAML::Node& v, const std::string& k) { c.alerts.enabled = boolean(v, k); }},
              {"webhookUrl", [&](const YAML::Node& v, const std::string& k) { c.alerts.webhook_url = v.IsNull() ? "" : text(v, k); }},
              {"timeout", [&](const YAML::Node& v, const std::string& k) { c.alerts.timeout = duration(v, k); }},
              {"maxAttempts", [&](const YAML::Node& v, const std::string& k) { c.alerts.max_attempts = integer(v, k); }},
              {"externalUrl", [&](const YAML::Node& v, const std::string& k) { c.alerts.external_url = text(v, k); }},
              {"labels",
               [&](const YAML::Node& v, const std::string& k) {
                 if (!v.IsMap()) throw ConfigError(k, "expected a mapping of label names to values");
                 for (const auto& item : v) {
                   const std::string name = text(item.first, k);
                   c.alerts.labels[name] = text(item.second, k + "." + name);
                 }
               }},
          });
}

void read_kpi(const YAML::Node& n, const std::string& p, Config& c) {
  section(n, p,
          {
              {"windows",
               [&](const YAML::Node& v, const std::string& k) {
                 if (!v.IsSequence() || v.size() == 0) throw ConfigError(k, "expected a list of windows such as [24h, 7d, 30d]");
                 c.kpi.windows.clear();
                 for (std::size_t i = 0; i < v.size(); ++i) c.kpi.windows.push_back(text(v[i], k + "[" + std::to_string(i) + "]"));
               }},
              {"refreshInterval", [&](const YAML::Node& v, const std::string& k) { c.kpi.refresh_interval = duration(v, k); }},
              {"targets",
               [&](const YAML::Node& v, const std::string& k) {
                 if (!v.IsMap()) throw ConfigError(k, "expected a mapping of KPI ids to {target, alert}");
                 for (const auto& item : v) {
                   const std::string id = text(item.first, k);
                   // (target, alert); not a structured binding, which clang 14 cannot capture in a lambda
                   auto& thresholds = c.kpi.targets[id];
                   section(item.second, k + "." + id,
                           {
                               {"target",
                                [&](const YAML::Node& t, const std::string& tk) { thresholds.first = scalar<double>(t, tk, "a number"); }},
                               {"alert",
                                [&](const YAML::Node& a, const std::string& ak) { thresholds.second = scalar<double>(a, ak, "a number"); }},
                           });
                 }
               }},
          });
}

void read_store(const YAML::Node& n, const std::string& p, Config& c) {
  section(n, p,
          {
              {"enabled", [&](const YAML::Node& v, const std::string& k) { c.store.enabled = boolean(v, k); }},
              {"path", [&](const YAML::Node& v, const std::string& k) { c.store.path = text(v, k); }},
              {"url", [&](const YAML::Node& v, const std::string& k) { c.store.url = text(v, k); }},
              {"spoolLimit",
               [&](const YAML::Node& v, const std::string& k) { c.store.spool_limit = at_least(v, k, 1000, "must be at least 1000"); }},
              {"retention", [&](const YAML::Node& v, const std::string& k) { c.store.retention = duration(v, k); }},
          });
}

void read_collector(const YAML::Node& n, const std::string& p, Config& c) {
  section(
      n, p,
      {
          {"listenAddress", [&](const YAML::Node& v, const std::string& k) { c.listen_address = text(v, k); }},
          {"namespace", [&](const YAML::Node& v, const std::string& k) { c.ns = text(v, k); }},
          {"segmentDir", [&](const YAML::Node& v, const std::string& k) { c.segment_dir = text(v, k); }},
          {"metricPrefix", [&](const YAML::Node& v, const std::string& k) { c.metric_prefix = text(v, k); }},
          {"shards", [&](const YAML::Node& v, const std::string& k) { c.shards = at_least(v, k, 0, "must be 0 (one per core) or more"); }},
          {"seriesLimitPerFamily",
           [&](const YAML::Node& v, const std::string& k) { c.series_limit_per_family = at_least(v, k, 1, "must be at least 1"); }},
          {"familyLimit",
           [&](const YAML::Node& v, const std::string& k) {
             c.family_limit = at_least(v, k, 100, "must be at least 100 (the catalogue alone has 8 families)");
           }},
          {"maxSegments", [&](const YAML::Node& v, const std::string& k) { c.max_segments = at_least(v, k, 1, "must be at least 1"); }},
          {"maxSegmentsPerOwner",
           [&](const YAML::Node& v, const std::string& k) { c.max_segments_per_owner = at_least(v, k, 1, "must be at least 1"); }},
          {"descriptorReserve",
           [&](const YAML::Node& v, const std::string& k) {
             c.descriptor_reserve = at_least(v, k, 64, "must be at least 64 (the store and HTTP need descriptors of their own)");
           }},
          {"seriesLimit", [&](const YAML::Node& v, const std::string& k) { c.series_limit = at_least(v, k, 1, "must be at least 1"); }},
          {"labelBytesLimit",
           [&](const YAML::Node& v, const std::string& k) { c.label_bytes_limit = at_least(v, k, 1024, "must be at least 1024"); }},
          {"seriesStaleness", [&](const YAML::Node& v, const std::string& k) { c.series_staleness = duration(v, k); }},
          {"drainPriority",
           [&](const YAML::Node& v, const std::string& k) {
             const std::string priority = text(v, k);
             if (priority != "auto" && priority != "normal") throw ConfigError(k, "must be auto (real-time where permitted) or normal");
             c.drain_realtime = priority == "auto";
           }},
          {"allowUids",
           [&](const YAML::Node& v, const std::string& k) {
             if (!v.IsSequence()) throw ConfigError(k, "expected a list of uids");
             for (std::size_t i = 0; i < v.size(); ++i) {
               const int uid = integer(v[i], k + "[" + std::to_string(i) + "]");
               if (uid < 0) throw ConfigError(k + "[" + std::to_string(i) + "]", "a uid cannot be negative");
               c.allowed_uids.insert(static_cast<uid_t>(uid));
             }
           }},
          {"waitMode",
           [&](const YAML::Node& v, const std::string& k) {
             try {
               c.wait_mode = parse_wait_mode(text(v, k));
             } catch (const std::invalid_argument& e) {
               throw ConfigError(k, e.what());
             }
           }},
          {"http",
           [&](const YAML::Node& h, const std::string& hp) {
             section(h, hp,
                     {
                         {"threads", [&](const YAML::Node& v, const std::string& k) { c.http.threads = integer(v, k); }},
                         {"requestTimeout", [&](const YAML::Node& v, const std::string& k) { c.http.request_timeout = duration(v, k); }},
                         {"maxRequestBytes",
                          [&](const YAML::Node& v, const std::string& k) {
                            c.http.max_request_bytes = at_least(v, k, 1024, "must be at least 1024");
                          }},
                         {"responseTimeout", [&](const YAML::Node& v, const std::string& k) { c.http.response_timeout = duration(v, k); }},
                         {"maxConnectionsPerPeer",
                          [&](const YAML::Node& v, const std::string& k) {
                            c.http.max_connections_per_peer = at_least(v, k, 1, "must be at least 1");
                          }},
                     });
           }},
      });
}

std::vector<std::string> text_list(const YAML::Node& v, const std::string& k) {
  if (!v.IsSequence()) throw ConfigError(k, "expected a list of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i) out.push_back(text(v[i], k + "[" + std::to_string(i) + "]"));
  return out;
}

void read_security(const YAML::Node& n, const std::string& p, Config& c) {
  section(
      n, p,
      {
          {"apiTokenFiles", [&](const YAML::Node& v, const std::string& k) { c.security.api_token_files = text_list(v, k); }},
          {"loopbackWithoutToken", [&](const YAML::Node& v, const std::string& k) { c.security.loopback_without_token = boolean(v, k); }},
          {"allowedHosts", [&](const YAML::Node& v, const std::string& k) { c.security.allowed_hosts = text_list(v, k); }},
          {"allowedOrigins", [&](const YAML::Node& v, const std::string& k) { c.security.allowed_origins = text_list(v, k); }},
          {"webConfigFile", [&](const YAML::Node& v, const std::string& k) { c.security.web_config_file = text(v, k); }},
      });
}

double number(const YAML::Node& n, const std::string& key) {
  const double value = scalar<double>(n, key, "a number");
  if (!std::isfinite(value) || value < 0) throw ConfigError(key, "must be a number of at least 0");
  return value;
}

void read_otlp(const YAML::Node& n, const std::string& p, Config& c) {
  section(n, p,
          {
              {"http",
               [&](const YAML::Node& h, const std::string& hp) {
                 section(h, hp,
                         {{"listenAddress", [&](const YAML::Node& v, const std::string& k) { c.otlp.http_listen_address = text(v, k); }}});
               }},
              {"grpc",
               [&](const YAML::Node& g, const std::string& gp) {
                 section(g, gp,
                         {{"listenAddress", [&](const YAML::Node& v, const std::string& k) { c.otlp.grpc_listen_address = text(v, k); }}});
               }},
              {"maxRequestBytes", [&](const YAML::Node& v,
                                      const std::string& k) { c.otlp.max_request_bytes = at_least(v, k, 1024, "must be at least 1024"); }},
              {"labelAttributes", [&](const YAML::Node& v, const std::string& k) { c.otlp.label_attributes = text_list(v, k); }},
              {"sessionIdle", [&](const YAML::Node& v, const std::string& k) { c.otlp.session_idle = duration(v, k); }},
              {"keepSessionIds", [&](const YAML::Node& v, const std::string& k) { c.otlp.keep_session_ids = boolean(v, k); }},
          });
}

void read_pricing(const YAML::Node& n, const std::string& p, Config& c) {
  section(n, p,
          {
              {"dailyBudgetUsd", [&](const YAML::Node& v, const std::string& k) { c.pricing.daily_budget_usd = number(v, k); }},
              {"models",
               [&](const YAML::Node& models, const std::string& mp) {
                 if (!models.IsMap()) throw ConfigError(mp, "expected a mapping of model names to prices");
                 for (const auto& m : models) {
                   const std::string model = m.first.as<std::string>();
                   std::array<double, 4> price{};
                   section(m.second, mp + "." + model,
                           {
                               {"input", [&](const YAML::Node& v, const std::string& k) { price[0] = number(v, k); }},
                               {"output", [&](const YAML::Node& v, const std::string& k) { price[1] = number(v, k); }},
                               {"cache_read", [&](const YAML::Node& v, const std::string& k) { price[2] = number(v, k); }},
                               {"cache_creation", [&](const YAML::Node& v, const std::string& k) { price[3] = number(v, k); }},
                           });
                   c.pricing.models[model] = price;
                 }
               }},
          });
}

void read_webhooks(const YAML::Node& n, const std::string& p, Config& c) {
  const auto forge = [&](Config::Webhooks::Forge& f) {
    return [&f](const YAML::Node& fn, const std::string& fp) {
      section(fn, fp,
              {
                  {"secret", [&](const YAML::Node& v, const std::string& k) { f.secret = text(v, k); }},
                  {"secretFile", [&](const YAML::Node& v, const std::string& k) { f.secret_file = text(v, k); }},
              });
    };
  };
  section(n, p,
          {
              {"github", forge(c.webhooks.github)},
              {"gitlab", forge(c.webhooks.gitlab)},
              {"maxBodyBytes",
               [&](const YAML::Node& v, const std::string& k) {
                 c.webhooks.max_body_bytes = at_least(v, k, 65536, "must be at least 65536 (GitHub sends up to 25 MB)");
               }},
              {"repositories", [&](const YAML::Node& v, const std::string& k) { c.webhooks.repositories = text_list(v, k); }},
              {"environments", [&](const YAML::Node& v, const std::string& k) { c.webhooks.environments = text_list(v, k); }},
              {"bugLabels", [&](const YAML::Node& v, const std::string& k) { c.webhooks.bug_labels = text_list(v, k); }},
              {"agentCoauthors",
               [&](const YAML::Node& v, const std::string& k) {
                 if (!v.IsMap())
                   throw ConfigError(k, "expected a mapping of agent names to e-mail addresses, e.g. {claude: noreply@anthropic.com}");
                 std::map<std::string, std::string> agents;
                 for (const auto& item : v) {
                   const std::string name = text(item.first, k);
                   agents[name] = text(item.second, k + "." + name);
                 }
                 c.webhooks.agent_coauthors = std::move(agents);
               }},
              {"keepAuthors", [&](const YAML::Node& v, const std::string& k) { c.webhooks.keep_authors = boolean(v, k); }},
          });
}

void read_log(const YAML::Node& n, const std::string& p, Config& c) {
  section(n, p,
          {
              {"level", [&](const YAML::Node& v, const std::string& k) { c.log.level = text(v, k); }},
              {"format", [&](const YAML::Node& v, const std::string& k) { c.log.format = text(v, k); }},
          });
}

void read_import(const YAML::Node& n, const std::string& p, Config& c) {
  section(n, p,
          {
              {"sources", [&](const YAML::Node& v, const std::string& k) { c.session_import.sources = text_list(v, k); }},
              {"paths",
               [&](const YAML::Node& v, const std::string& k) {
                 if (!v.IsMap()) throw ConfigError(k, "expected a mapping of source to directory");
                 for (const auto& item : v) c.session_import.paths[text(item.first, k)] = text(item.second, k + "." + item.first.Scalar());
               }},
              {"maxTextBytes",
               [&](const YAML::Node& v, const std::string& k) {
                 c.session_import.max_text_bytes =
                     v.IsScalar() && v.Scalar() == "none" ? 0 : at_least(v, k, 0, "must be none or 0 to 1024");
               }},
              {"keepSessionIds", [&](const YAML::Node& v, const std::string& k) { c.session_import.keep_session_ids = boolean(v, k); }},
              {"settle", [&](const YAML::Node& v, const std::string& k) { c.session_import.settle = duration(v, k); }},
              {"rescan", [&](const YAML::Node& v, const std::string& k) { c.session_import.rescan = duration(v, k); }},
          });
}

}  // namespace

Config load_config_file(const std::string& path, Config c) {
  section(read_yaml_file(path), "",
          {
              {"prometheus", [&](const YAML::Node& n, const std::string& p) { read_prometheus(n, p, c); }},
              {"cass_memory", [&](const YAML::Node& n, const std::string& p) { read_cass_memory(n, p, c); }},
              {"alerts", [&](const YAML::Node& n, const std::string& p) { read_alerts(n, p, c); }},
              {"kpi", [&](const YAML::Node& n, const std::string& p) { read_kpi(n, p, c); }},
              {"store", [&](const YAML::Node& n, const std::string& p) { read_store(n, p, c); }},
              {"collector", [&](const YAML::Node& n, const std::string& p) { read_collector(n, p, c); }},
              {"security", [&](const YAML::Node& n, const std::string& p) { read_security(n, p, c); }},
              {"otlp", [&](const YAML::Node& n, const std::string& p) { read_otlp(n, p, c); }},
              {"pricing", [&](const YAML::Node& n, const std::string& p) { read_pricing(n, p, c); }},
              {"log", [&](const YAML::Node& n, const std::string& p) { read_log(n, p, c); }},
              {"import", [&](const YAML::Node& n, const std::string& p) { read_import(n, p, c); }},
              {"webhooks", [&](const YAML::Node& n, const std::string& p) { read_webhooks(n, p, c); }},
              {"ui", [&](const YAML::Node& n, const std::string& p) { read_ui(n, p, c); }},
          });
  return c;
}

void apply_environment(Config& c) {
  if (const char* port = std::getenv("METRICS_PORT"); port && *port) {
    int value = 0;
    const std::string_view t(port);
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (ec != std::errc() || end != t.data() + t.size())
      throw ConfigError("METRICS_PORT", "expected a port number, got '" + std::string(t) + "'");
    c.prometheus.port = value;
    c.listen_address.clear();  // the environment names the port: it wins over the file's address
  }
  if (const char* url = std::getenv("ALERT_WEBHOOK_URL"); url && *url) c.alerts.webhook_url = url;
  if (const char* token = std::getenv("AGENTMETRICS_API_TOKEN"); token && *token) {
    if (std::string_view(token).size() < 16)
      throw ConfigError("AGENTMETRICS_API_TOKEN", "is shorter than 16 characters (make one with: openssl rand -hex 32)");
    c.security.api_token = token;
  }
  for (const auto& [variable, forge] : {std::pair{"AGENTMETRICS_GITHUB_WEBHOOK_SECRET", &c.webhooks.github},
                                        std::pair{"AGENTMETRICS_GITLAB_WEBHOOK_TOKEN", &c.webhooks.gitlab}}) {
    const char* secret = std::getenv(variable);
    if (!secret || !*secret) continue;
    if (std::string_view(secret).size() < 16)
      throw ConfigError(variable, "is shorter than 16 characters (make one with: openssl rand -hex 32)");
    forge->secret = secret;
    forge->secret_file.clear();  // the environment wins over the file's secretFile
  }
  if (const char* store = std::getenv(kStorePathEnv); store && *store) {
    if (*store != '/') throw ConfigError(kStorePathEnv, "must be an absolute path, got '" + std::string(store) + "'");
    c.store.path = store;
  }
  if (const char* url = std::getenv(store::kStoreUrlEnv); url && *url) c.store.url = url;
}

Config load_configuration(const std::string& path, const std::function<void(Config&)>& flags) {
  // A named base and one initialisation: GCC 12 at -O3 wrongly reports an assigned-over Config
  // as maybe-uninitialized.
  const Config defaults;
  Config c = path.empty() ? defaults : load_config_file(path, defaults);
  apply_environment(c);
  if (flags) flags(c);
  validate(c);
  return c;
}

void validate(const Config& c) {
  if (c.prometheus.port < 0 || c.prometheus.port > 65535) throw ConfigError("prometheus.port", "must be 0 to 65535");
  if (c.cass_memory.context_limit < 1 || c.cass_memory.context_limit > 100)
    throw ConfigError("cass_memory.contextLimit", "must be 1 to 100");
  if (c.cass_memory.reflection_interval < std::chrono::minutes(1))
    throw ConfigError("cass_memory.reflectionInterval", "must be at least 1m");
  if (!c.alerts.webhook_url.empty() && !c.alerts.webhook_url.starts_with("http://") && !c.alerts.webhook_url.starts_with("https://")) {
    throw ConfigError("alerts.webhookUrl", "must be an http:// or https:// URL");
  }
  if (c.alerts.timeout < std::chrono::seconds(1)) throw ConfigError("alerts.timeout", "must be at least 1s");
  if (c.alerts.max_attempts < 1 || c.alerts.max_attempts > 100) throw ConfigError("alerts.maxAttempts", "must be 1 to 100");
  if (c.kpi.refresh_interval < std::chrono::seconds(1)) throw ConfigError("kpi.refreshInterval", "must be at least 1s");
  kpi_windows(c);
  kpi_overrides(c);
  for (const auto& [name, value] : c.alerts.labels) {
    if (!ipc::is_valid_label_name(name)) throw ConfigError("alerts.labels." + name, "is not a valid label name");
  }
  if (c.store.retention < std::chrono::hours(1)) throw ConfigError("store.retention", "must be at least 1h");
  if (!c.store.path.empty() && c.store.path.front() != '/') throw ConfigError("store.path", "must be an absolute path");
  // The problem never quotes the URL, which may hold a password.
  if (!c.store.url.empty()) {
    if (const std::string problem = store::store_url_problem(c.store.url); !problem.empty()) throw ConfigError("store.url", problem);
  }
  if (!ipc::is_valid_namespace(c.ns)) throw ConfigError("collector.namespace", "must be 1 to 64 characters of [A-Za-z0-9_-]");
  if (c.segment_dir.empty() || c.segment_dir.front() != '/') throw ConfigError("collector.segmentDir", "must be an absolute path");
  if (!ipc::is_valid_metric_name(c.metric_prefix)) throw ConfigError("collector.metricPrefix", "is not a valid metric name");
  if (c.metric_prefix.starts_with("agentmetrics") || c.metric_prefix.starts_with("process")) {
    throw ConfigError("collector.metricPrefix", "names starting with agentmetrics or process belong to the collector itself");
  }
  if (c.shards > 256) throw ConfigError("collector.shards", "must be 0 to 256");
  if (c.series_staleness < std::chrono::seconds(1)) throw ConfigError("collector.seriesStaleness", "must be at least 1s");
  for (const auto& [name, h] : c.prometheus.native_histograms) {
    const std::string key = "prometheus.nativeHistograms." + name;
    if (!ipc::is_valid_metric_name(name)) throw ConfigError(key, "is not a valid metric name");
    if (h.schema < -4 || h.schema > 8) throw ConfigError(key + ".schema", "must be -4 to 8");
    if (!(h.zero_threshold >= 0) || h.zero_threshold > 1) throw ConfigError(key + ".zeroThreshold", "must be 0 to 1");
  }
  if (c.http.threads < 1 || c.http.threads > 256) throw ConfigError("collector.http.threads", "must be 1 to 256");
  // The HTTP server takes it as an int of milliseconds: 24d fits.
  if (c.http.request_timeout < std::chrono::seconds(1) || c.http.request_timeout > std::chrono::hours(24 * 24)) {
    throw ConfigError("collector.http.requestTimeout", "must be 1s to 24d");
  }
  if (c.http.response_timeout < std::chrono::seconds(1) || c.http.response_timeout > std::chrono::hours(24 * 24)) {
    throw ConfigError("collector.http.responseTimeout", "must be 1s to 24d");
  }
  for (const auto& [key, address] : {std::pair{"otlp.http.listenAddress", c.otlp.http_listen_address},
                                     std::pair{"otlp.grpc.listenAddress", c.otlp.grpc_listen_address}}) {
    if (address.empty()) continue;
    try {
      parse_listen_address(address);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(key, e.what());
    }
  }
  if (c.otlp.session_idle < std::chrono::seconds(10) || c.otlp.session_idle > std::chrono::hours(24)) {
    throw ConfigError("otlp.sessionIdle", "must be 10s to 1d");
  }
  // The families' own labels; an attribute of the same name would make a label twice.
  const std::set<std::string> own_labels = {"agent", "model", "type", "tool", "decision", "language", "status", "success"};
  std::set<std::string> seen;
  for (const auto& attribute : c.otlp.label_attributes) {
    std::string name = attribute;
    for (char& ch : name) ch = std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' ? ch : '_';
    if (attribute.empty() || own_labels.contains(name) || !seen.insert(name).second || name.starts_with("__")) {
      throw ConfigError("otlp.labelAttributes", "'" + attribute + "' is empty, taken by a family's own label or listed twice");
    }
  }
  if (c.log.level != "debug" && c.log.level != "info" && c.log.level != "warn" && c.log.level != "error") {
    throw ConfigError("log.level", "must be debug, info, warn or error");
  }
  if (c.log.format != "text" && c.log.format != "json") throw ConfigError("log.format", "must be text or json");
  for (std::size_t i = 0; i < c.session_import.sources.size(); ++i) {
    const std::string& s = c.session_import.sources[i];
    if (s != "claude-code" && s != "codex" && s != "opencode")
      throw ConfigError("import.sources[" + std::to_string(i) + "]", "must be claude-code, codex or opencode, got '" + s + "'");
  }
  for (const auto& [source, path] : c.session_import.paths) {
    if (source != "claude-code" && source != "codex" && source != "opencode")
      throw ConfigError("import.paths." + source, "is not a source (claude-code, codex, opencode)");
    if (path.empty() || path.front() != '/') throw ConfigError("import.paths." + source, "must be an absolute path");
  }
  if (c.session_import.max_text_bytes > 1024) throw ConfigError("import.maxTextBytes", "must be none or 0 to 1024");
  if (c.session_import.settle < std::chrono::seconds(1)) throw ConfigError("import.settle", "must be at least 1s");
  if (c.session_import.rescan < std::chrono::minutes(1)) throw ConfigError("import.rescan", "must be at least 1m");
  for (const auto& [name, forge] : {std::pair{"github", &c.webhooks.github}, std::pair{"gitlab", &c.webhooks.gitlab}}) {
    const std::string key = std::string("webhooks.") + name;
    if (!forge->secret.empty() && !forge->secret_file.empty()) throw ConfigError(key, "set secret or secretFile, not both");
    if (!forge->secret.empty() && forge->secret.size() < 16) {
      throw ConfigError(key + ".secret", "is shorter than 16 characters (make one with: openssl rand -hex 32)");
    }
  }
  // GitHub caps a delivery at 25 MB; a larger limit would only let others send more.
  if (c.webhooks.max_body_bytes > 25 * 1024 * 1024) throw ConfigError("webhooks.maxBodyBytes", "must be at most 26214400 (25 MiB)");
  try {
    parse_listen_address(c.effective_listen_address());
  } catch (const std::invalid_argument& e) {
    throw ConfigError(c.listen_address.empty() ? "prometheus.port" : "collector.listenAddress", e.what());
  }
}

}  // namespace agentmetrics::collector
