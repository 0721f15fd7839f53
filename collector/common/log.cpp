#include "collector/common/log.h"
#include "ipc/timestamp.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <unordered_map>
#include <vector>

namespace agentmetrics {
namespace {

using Clock = std::chrono::steady_clock;

// Relaxed: configuration is set once at start and on reload; a line logged at the old level
// during a reload is harmless.
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<bool> g_json{false};
std::mutex g_write_mutex;

// Messages are the program's own literals, so there are a few dozen; should a message ever be
// built from outside text, those beyond this many share one budget.
constexpr std::size_t kMaxBudgets = 1024;
constexpr std::string_view kOtherMessages = "(other messages)";

struct Budget {
  double tokens = kLogBurst;
  Clock::time_point refilled = Clock::now();
  std::uint64_t suppressed = 0;  // left out since the last line that reported them

  void refill(Clock::time_point now) {
    tokens = std::min(kLogBurst, tokens + std::chrono::duration<double>(now - refilled).count() * kLogLinesPerSecond);
    refilled = now;
  }
};

struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

std::mutex g_budget_mutex;
std::unordered_map<std::string, Budget, TextHash, std::equal_to<>> g_budgets;
std::atomic<std::uint64_t> g_suppressed_total{0};

Budget& budget_of(std::string_view message) {
  auto it = g_budgets.find(message);
  if (it != g_budgets.end()) return it->second;
  if (g_budgets.size() >= kMaxBudgets) message = kOtherMessages;
  return g_budgets.try_emplace(std::string(message)).first->second;
}

// The count of earlier lines left out that this line reports, or nullopt if it is left out too.
std::optional<std::uint64_t> spend(std::string_view message) {
  std::lock_guard lock(g_budget_mutex);
  Budget& b = budget_of(message);
  b.refill(Clock::now());
  if (b.tokens < 1) {
    ++b.suppressed;
    g_suppressed_total.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  b.tokens -= 1;
  return std::exchange(b.suppressed, 0);
}

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

void write_line(LogLevel level, std::string_view message, std::initializer_list<LogField> fields, const LogField* extra) {
  std::string line;
  if (g_json.load(std::memory_order_relaxed)) {
    nlohmann::json j;
    j["ts"] = ipc::format_timestamp(std::chrono::system_clock::now());
    j["level"] = level_name(level);
    j["msg"] = message;
    auto add = [&](const LogField& f) {
      // A literal that is not valid JSON (nan, inf) stays a string.
      auto value = f.literal ? nlohmann::json::parse(f.value, nullptr, false) : nlohmann::json(f.value);
      j[std::string(f.key)] = value.is_discarded() ? nlohmann::json(f.value) : std::move(value);
    };
    for (const auto& f : fields) add(f);
    if (extra) add(*extra);
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = ipc::format_timestamp(std::chrono::system_clock::now()) + " " + level_name(level) + " " + std::string(message);
    auto add = [&](const LogField& f) {
      line += ' ';
      line += f.key;
      line += '=';
      line += needs_quotes(f.value) ? nlohmann::json(f.value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) : f.value;
    };
    for (const auto& f : fields) add(f);
    if (extra) add(*extra);
  }
  line += '\n';
  std::lock_guard lock(g_write_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

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
  const std::optional<std::uint64_t> left_out = spend(message);
  if (!left_out) return;
  if (*left_out == 0) {
    write_line(level, message, fields, nullptr);
  } else {
    const LogField suppressed("suppressed", *left_out);
    write_line(level, message, fields, &suppressed);
  }
}

std::uint64_t log_lines_suppressed() { return g_suppressed_total.load(std::memory_order_relaxed); }

void report_suppressed_logs() {
  std::vector<std::pair<std::string, std::uint64_t>> due;
  {
    std::lock_guard lock(g_budget_mutex);
    const auto now = Clock::now();
    for (auto& [message, b] : g_budgets) {
      if (b.suppressed == 0) continue;
      b.refill(now);
      if (b.tokens < 1) continue;  // still storming: its next line reports them
      b.tokens -= 1;
      due.emplace_back(message, std::exchange(b.suppressed, 0));
    }
  }
  for (const auto& [message, count] : due) {
    write_line(LogLevel::kWarn, "log lines suppressed", {{"message", message}, {"count", count}}, nullptr);
  }
}

}  // namespace agentmetrics
