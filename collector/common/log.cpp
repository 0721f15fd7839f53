#include "collector/common/log.h"
#include "ipc/timestamp.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace agentmetrics {
namespace {

// Relaxed: configuration is set once at start and on reload; a line logged at the old level
// during a reload is harmless.
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<bool> g_json{false};
std::mutex g_write_mutex;

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

bool needs_quotes(std::string_view v) { return v.empty() || v.find_first_of(" \"=\t\n") != std::string_view::npos; }

}  // namespace

LogLevel parse_log_level(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warn") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  throw std::invalid_argument("unknown log level '" + std::string(name) + "' (debug, info, warn, error)");
}

void configure_logging(LogLevel level, bool json) {
  g_level.store(static_cast<int>(level), std::memory_order_relaxed);
  g_json.store(json, std::memory_order_relaxed);
}

void log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < g_level.load(std::memory_order_relaxed)) return;
  std::string line;
  if (g_json.load(std::memory_order_relaxed)) {
    nlohmann::json j;
    j["ts"] = ipc::format_timestamp(std::chrono::system_clock::now());
    j["level"] = level_name(level);
    j["msg"] = message;
    for (const auto& f : fields) {
      // A literal that is not valid JSON (nan, inf) stays a string.
      auto value = f.literal ? nlohmann::json::parse(f.value, nullptr, false) : nlohmann::json(f.value);
      j[std::string(f.key)] = value.is_discarded() ? nlohmann::json(f.value) : std::move(value);
    }
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = ipc::format_timestamp(std::chrono::system_clock::now()) + " " + level_name(level) + " " + std::string(message);
    for (const auto& f : fields) {
      line += ' ';
      line += f.key;
      line += '=';
      line += needs_quotes(f.value) ? nlohmann::json(f.value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) : f.value;
    }
  }
  line += '\n';
  std::lock_guard lock(g_write_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace agentmetrics
