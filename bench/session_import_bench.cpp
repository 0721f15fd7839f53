// session_import_bench: `agentmetrics import` of a generated corpus of agent sessions in the
// real formats (docs/import.md), as a user runs it: the whole corpus into a fresh store (wall
// time, peak memory of the process), then again with nothing new; beside the time to merely
// read every byte of the corpus once, in the same run. With --ccusage, the peer the issue
// names: ccusage (npm), which reads the agents' files again on every run, over the same corpus,
// with the tokens each found by agent.
//
//   session_import_bench [--dir DIR] [--sessions 20000] [--messages 1000000] [--threads 2]
//                        [--cli PATH] [--ccusage PATH]
//
// The corpus is generated once in DIR/home (kept for later runs) from the recorded runs of the
// real agents (tests/data/agents): Claude Code transcripts grown from the lines of its recorded
// tool chain (prompts, responses split across lines with repeated usage, tool calls and
// results, attachments, api-request records, cost-state), Codex rollouts from its recorded
// rollout (session_meta, turn_context, response items, token_count running totals,
// task_complete), and an opencode database with its real schema and rows shaped like the
// recorded ones. Four sessions in ten are Claude Code's, three Codex's, three opencode's; a
// session has 10 to 90 messages (a prompt, a model response, a tool call or its result).
// The store it leaves (DIR/events.db) is the history cm_context_bench --store times.
#include <sched.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <map>
#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/vocabulary.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using agentmetrics::bench::Vocabulary;

const std::string kData = AM_AGENT_DATA_DIR;

std::vector<json> lines_of(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// As the agents write it (JavaScript's toISOString, Codex's serde): always three digits of
// the second's fraction. ccusage refuses Codex lines with fewer.
std::string iso(double t) {
  const auto ms = static_cast<std::int64_t>(std::llround(t * 1000));
  const std::time_t seconds = ms / 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[80];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                tm.tm_sec, static_cast<int>(ms % 1000));
  return out;
}

std::string uuid(std::mt19937_64& rng) {
  char out[40];
  std::snprintf(out, sizeof out, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(rng()), static_cast<unsigned>(rng() & 0xffff),
                static_cast<unsigned>(rng() & 0xffff), static_cast<unsigned>(rng() & 0xffff),
                static_cast<unsigned long long>(rng() & 0xffffffffffffULL));
  return out;
}

// Whole numbers, as the agents write them (ccusage refuses 2097.0).
struct Usage {
  std::int64_t input, output, cache_read, cache_write;
};

// At Claude Sonnet's list prices, in US dollars.
double list_cost(const Usage& u) {
  const auto d = [](std::int64_t n) { return static_cast<double>(n); };
  return (d(u.input) * 3 + d(u.output) * 15 + d(u.cache_read) * 0.3 + d(u.cache_write) * 3.75) / 1e6;
}

Usage random_usage(std::mt19937_64& rng) {
  const auto draw = [&](std::uint64_t from, std::uint64_t span) { return static_cast<std::int64_t>(from + rng() % span); };
  return {draw(50, 3000), draw(5, 400), draw(0, 40000), draw(0, 2000)};
}

// What one generated session is about: its words and its clock.
struct Session {
  std::string id;
  double t;
  int n = 0;  // a counter for ids
  std::string next(const char* prefix) { return prefix + id.substr(0, 8) + "_" + std::to_string(++n); }
  double tick(std::mt19937_64& rng) { return t += 0.5 + static_cast<double>(rng() % 8000) / 1000; }
};

class Corpus {
 public:
  explicit Corpus(const std::string& home) : home_(home), rng_(20261206), vocab_(rng_) {
    claude_ = lines_of(kData +
                       "/claude/tool-chain/home/.claude/projects/-tmp-am-agents-claude-tool-chain-project/"
                       "0e99a893-c444-4c7b-8eec-d3ef3c1fec2b.jsonl");
    codex_ = lines_of(kData +
                      "/codex/tool-chain/home/.codex/sessions/2026/12/06/"
                      "rollout-2026-12-06T11-27-29-01a24b1b-e780-7833-8a77-cf239608f41e.jsonl");
  }

  std::uint64_t messages = 0, bytes = 0;

  void claude(std::size_t m, double start) {
    Session s{uuid(rng_), start};
    const std::string project = home_ + "/.claude/projects/-home-dev-project-" + std::to_string(rng_() % 40);
    fs::create_directories(project);
    std::ofstream out(project + "/" + s.id + ".jsonl", std::ios::binary);
    const auto put = [&](json line) {
      if (line.contains("sessionId")) line["sessionId"] = s.id;
      if (line.contains("timestamp")) line["timestamp"] = iso(s.t);
      if (line.contains("uuid")) line["uuid"] = uuid(rng_);
      const std::string text = line.dump() + "\n";
      bytes += text.size();
      out << text;
    };
    Usage total{0, 0, 0, 0};
    std::size_t count = 0;
    const auto prompt = [&] {
      s.tick(rng_);
      json p = claude_[2];
      p["message"]["content"] = vocab_.words(6 + static_cast<int>(rng_() % 20));
      put(claude_[0]);
      put(claude_[1]);
      put(std::move(p));
      ++count;
    };
    prompt();
    for (std::size_t i = 3; i <= 14; ++i) put(claude_[i]);  // attachments, the first request's records
    put(claude_[18]);                                       // the tools' prompt snapshot
    const auto response = [&](bool tool) {
      s.tick(rng_);
      const Usage u = random_usage(rng_);
      total = {total.input + u.input, total.output + u.output, total.cache_read + u.cache_read, total.cache_write + u.cache_write};
      const std::string id = s.next("msg_"), request = s.next("req_");
      json text = claude_[15], call = claude_[16];
      for (json* line : {&text, &call}) {
        (*line)["message"]["id"] = id;
        (*line)["requestId"] = request;
        (*line)["message"]["usage"]["input_tokens"] = u.input;
        (*line)["message"]["usage"]["output_tokens"] = u.output;
        (*line)["message"]["usage"]["cache_read_input_tokens"] = u.cache_read;
        (*line)["message"]["usage"]["cache_creation_input_tokens"] = u.cache_write;
        // The API's breakdown of the cache writes, as Anthropic's answers carry it (the fake
        // server's recorded lines have zeros there).
        (*line)["message"]["usage"]["cache_creation"]["ephemeral_5m_input_tokens"] = u.cache_write;
      }
      text["message"]["content"][0]["text"] = vocab_.words(10 + static_cast<int>(rng_() % 40));
      put(std::move(text));  // one response, two lines with the same usage
      ++count;
      if (!tool) return;
      const std::string tool_id = s.next("toolu_");
      call["message"]["content"][0]["id"] = tool_id;
      call["message"]["content"][0]["name"] = rng_() % 3 ? "Bash" : "Write";
      call["message"]["content"][0]["input"] = {
          {"command", vocab_.words(3)}, {"file_path", "/home/dev/project/" + vocab_.word()}, {"content", vocab_.words(30)}};
      put(std::move(call));
      s.tick(rng_);
      json result = claude_[26];
      result["message"]["content"][0]["tool_use_id"] = tool_id;
      result["message"]["content"][0]["content"] = vocab_.words(20 + static_cast<int>(rng_() % 200));
      result["message"]["content"][0]["is_error"] = rng_() % 10 == 0;
      put(std::move(result));
      ++count;
      for (std::size_t i = 27; i <= 29; ++i) put(claude_[i]);  // reminder, the next request's records
    };
    while (count + 1 < m) {
      if (count % 12 == 11) {
        prompt();
        continue;
      }
      response(count + 2 < m);
    }
    response(false);
    put(claude_[31]);
    json cost = claude_[32];
    cost["totalCostUSD"] = list_cost(total);
    put(std::move(cost));
    messages += count;
  }

  void codex(std::size_t m, double start) {
    Session s{uuid(rng_), start};
    const std::string when = iso(start);
    const std::string day = home_ + "/.codex/sessions/" + when.substr(0, 4) + "/" + when.substr(5, 2) + "/" + when.substr(8, 2);
    fs::create_directories(day);
    std::string stamp = when.substr(0, 19);
    for (char& c : stamp) c = c == ':' ? '-' : c;
    std::ofstream out(day + "/rollout-" + stamp + "-" + s.id + ".jsonl", std::ios::binary);
    const auto put = [&](json line) {
      line["timestamp"] = iso(s.t);
      const std::string text = line.dump() + "\n";
      bytes += text.size();
      out << text;
    };
    json meta = codex_[0];
    meta["payload"]["id"] = s.id;
    meta["payload"]["session_id"] = s.id;
    meta["payload"]["cwd"] = "/home/dev/service-" + std::to_string(rng_() % 30);
    put(std::move(meta));
    json running = codex_[15]["payload"]["info"]["total_token_usage"];
    for (const char* k : {"input_tokens", "cached_input_tokens", "output_tokens", "reasoning_output_tokens", "total_tokens"})
      running[k] = 0;
    std::size_t count = 0;
    const auto count_tokens = [&] {
      const Usage u = random_usage(rng_);
      running["input_tokens"] = running["input_tokens"].get<std::int64_t>() + u.input + u.cache_read;
      running["cached_input_tokens"] = running["cached_input_tokens"].get<std::int64_t>() + u.cache_read;
      running["output_tokens"] = running["output_tokens"].get<std::int64_t>() + u.output;
      json record = codex_[17], counted = codex_[20];
      record["payload"]["response_id"] = s.next("resp_");
      counted["payload"]["info"]["total_token_usage"] = running;
      json& last = counted["payload"]["info"]["last_token_usage"];  // this response's, as Codex writes it beside the total
      last["input_tokens"] = u.input + u.cache_read;
      last["cached_input_tokens"] = u.cache_read;
      last["output_tokens"] = u.output;
      last["reasoning_output_tokens"] = 0;
      last["total_tokens"] = u.input + u.cache_read + u.output;
      put(std::move(record));
      put(std::move(counted));
    };
    const auto turn = [&] {
      s.tick(rng_);
      put(codex_[1]);
      put(codex_[5]);
      json user = codex_[7], item = codex_[8];
      const std::string words = vocab_.words(6 + static_cast<int>(rng_() % 20));
      user["payload"]["content"][0]["text"] = words;
      item["payload"]["item"]["content"][0]["text"] = words;
      put(std::move(user));
      put(std::move(item));
      ++count;
    };
    turn();
    for (std::size_t i : {2, 3, 4, 6}) put(codex_[i]);  // developer instructions, environment, world state
    while (count + 1 < m) {
      if (count % 14 == 13) {
        put(codex_[25]);
        turn();
        continue;
      }
      s.tick(rng_);
      const std::string call_id = s.next("call_");
      json call = codex_[16], output = codex_[19];
      call["payload"]["call_id"] = call_id;
      call["payload"]["arguments"] = json{{"cmd", vocab_.words(3)}}.dump();
      output["payload"]["call_id"] = call_id;
      output["payload"]["output"] = "Process exited with code " + std::string(rng_() % 10 ? "0" : "1") + "\nOutput:\n" + vocab_.words(40);
      put(std::move(call));
      count_tokens();
      s.tick(rng_);
      put(std::move(output));
      count += 2;
    }
    s.tick(rng_);
    json answer = codex_[22];
    answer["payload"]["content"][0]["text"] = vocab_.words(20);
    put(std::move(answer));
    count_tokens();
    put(codex_[25]);
    messages += count + 1;
  }

  // opencode: its database, every session in one transaction of its own.
  void opencode_open() {
    fs::create_directories(home_ + "/.local/share/opencode");
    sqlite3_open((home_ + "/.local/share/opencode/opencode.db").c_str(), &db_);
    sqlite3_exec(db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    sqlite3_exec(db_, read_file(kData + "/opencode/schema.sql").c_str(), nullptr, nullptr, nullptr);
    sqlite3_exec(db_, "INSERT INTO project(id, worktree, time_created, time_updated, sandboxes) VALUES('global', '/', 0, 0, '[]')", nullptr,
                 nullptr, nullptr);
    sqlite3_prepare_v2(db_,
                       "INSERT INTO session(id, project_id, slug, directory, title, version, time_created, time_updated) "
                       "VALUES(?, 'global', 'slug', ?, ?, '1.18.33', ?, ?)",
                       -1, &session_, nullptr);
    sqlite3_prepare_v2(db_, "INSERT INTO message(id, session_id, time_created, time_updated, data) VALUES(?, ?, ?, ?, ?)", -1, &message_,
                       nullptr);
    sqlite3_prepare_v2(db_, "INSERT INTO part(id, message_id, session_id, time_created, time_updated, data) VALUES(?, ?, ?, ?, ?, ?)", -1,
                       &part_, nullptr);
  }

  void opencode(std::size_t m, double start) {
    Session s{"ses_" + uuid(rng_).substr(0, 26), start};
    sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
    const auto ms = [&] { return static_cast<std::int64_t>(s.t * 1000); };
    const auto message = [&](const json& data) {
      std::string id = s.next("msg_");
      sqlite3_reset(message_);
      sqlite3_bind_text(message_, 1, id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(message_, 2, s.id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(message_, 3, ms());
      sqlite3_bind_int64(message_, 4, ms());
      const std::string text = data.dump();
      bytes += text.size();
      sqlite3_bind_text(message_, 5, text.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_step(message_);
      return id;
    };
    const auto part = [&](const std::string& message_id, const json& data) {
      const std::string id = s.next("prt_");
      sqlite3_reset(part_);
      sqlite3_bind_text(part_, 1, id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(part_, 2, message_id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(part_, 3, s.id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(part_, 4, ms());
      sqlite3_bind_int64(part_, 5, ms());
      const std::string text = data.dump();
      bytes += text.size();
      sqlite3_bind_text(part_, 6, text.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_step(part_);
    };
    const std::string directory = "/home/dev/app-" + std::to_string(rng_() % 30);
    std::size_t count = 0;
    std::string user;
    while (count < m) {
      if (count % 10 == 0) {
        s.tick(rng_);
        user = message({{"role", "user"},
                        {"time", {{"created", ms()}}},
                        {"agent", "build"},
                        {"model", {{"providerID", "anthropic"}, {"modelID", "claude-sonnet-4-5"}}}});
        part(user, {{"type", "text"}, {"text", vocab_.words(6 + static_cast<int>(rng_() % 20))}});
        ++count;
        continue;
      }
      s.tick(rng_);
      const Usage u = random_usage(rng_);
      const double cost = list_cost(u);
      const json tokens = {
          {"input", u.input}, {"output", u.output}, {"reasoning", 0}, {"cache", {{"read", u.cache_read}, {"write", u.cache_write}}}};
      const bool tool = count + 1 < m && rng_() % 3 != 0;
      const std::string id = message({{"parentID", user},
                                      {"role", "assistant"},
                                      {"mode", "build"},
                                      {"agent", "build"},
                                      {"path", {{"cwd", directory}, {"root", "/"}}},
                                      {"cost", cost},
                                      {"tokens", tokens},
                                      {"modelID", "claude-sonnet-4-5"},
                                      {"providerID", "anthropic"},
                                      {"time", {{"created", ms()}, {"completed", ms() + 900}}},
                                      {"finish", tool ? "tool-calls" : "stop"}});
      part(id, {{"type", "step-start"}});
      if (tool) {
        part(id,
             {{"type", "tool"},
              {"tool", rng_() % 2 ? "bash" : "edit"},
              {"callID", s.next("call_")},
              {"state",
               {{"status", rng_() % 12 ? "completed" : "error"},
                {"input", {{"command", vocab_.words(3)}, {"filePath", directory + "/" + vocab_.word()}, {"newString", vocab_.words(20)}}},
                {"output", vocab_.words(60)},
                {"metadata", {{"exit", 0}}}}}});
      } else {
        part(id, {{"type", "text"}, {"text", vocab_.words(20 + static_cast<int>(rng_() % 40))}});
      }
      part(id, {{"type", "step-finish"}, {"reason", tool ? "tool-calls" : "stop"}, {"tokens", tokens}, {"cost", cost}});
      ++count;
    }
    const std::string title = vocab_.words(4);
    sqlite3_reset(session_);
    sqlite3_bind_text(session_, 1, s.id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(session_, 2, directory.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(session_, 3, title.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(session_, 4, static_cast<std::int64_t>(start * 1000));
    sqlite3_bind_int64(session_, 5, ms());
    sqlite3_step(session_);
    sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    messages += count;
  }

  void opencode_close() {
    sqlite3_finalize(session_);
    sqlite3_finalize(message_);
    sqlite3_finalize(part_);
    sqlite3_exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  std::string home_;
  std::mt19937_64 rng_;
  Vocabulary vocab_;
  std::vector<json> claude_, codex_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt *session_ = nullptr, *message_ = nullptr, *part_ = nullptr;
};

void generate(const std::string& home, std::size_t sessions, std::size_t messages) {
  const auto t0 = std::chrono::steady_clock::now();
  Corpus corpus(home);
  corpus.opencode_open();
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::size_t left = messages;
  for (std::size_t i = 0; i < sessions; ++i) {
    // 10 to 90 messages, adding up to the total.
    const std::size_t after = sessions - i - 1;  // sessions still to come, 10 messages each at least
    const std::size_t mean = left / (sessions - i);
    std::size_t m = after == 0 ? left : std::clamp<std::size_t>(mean + corpus.rng()() % 81, 50, 130) - 40;
    m = std::clamp<std::size_t>(m, 10, left > 10 * after + 10 ? left - 10 * after : 10);
    const double start = now - 90 * 86400.0 + 90 * 86400.0 * static_cast<double>(i) / static_cast<double>(sessions);
    const std::uint64_t before = corpus.messages;
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
      case 3: corpus.claude(m, start); break;
      case 4:
      case 5:
      case 6: corpus.codex(m, start); break;
      default: corpus.opencode(m, start); break;
    }
    left -= std::min<std::size_t>(left, corpus.messages - before);
  }
  corpus.opencode_close();
  std::printf("generated %zu sessions, %llu messages, %.0f MB in %.0f s\n", sessions, static_cast<unsigned long long>(corpus.messages),
              static_cast<double>(corpus.bytes) / 1e6, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

struct Run {
  double seconds = 0;      // wall
  double cpu_seconds = 0;  // user and system, all threads
  double peak_mib = 0;
  int status = 0;
};

// Runs `argv` on at most two cores with `env` added, and waits: wall time and peak memory.
Run run(const std::vector<std::string>& argv, const std::vector<std::string>& env, const std::string& output) {
  std::vector<char*> args, envp;
  std::vector<std::string> all(argv.begin(), argv.end());
  for (auto& a : all) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<std::string> environment(env.begin(), env.end());
  for (char** e = environ; *e; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    if (name == "HOME" || name == "CODEX_HOME" || name == "CLAUDE_CONFIG_DIR" || name == "OPENCODE_DB" || name == "XDG_DATA_HOME" ||
        name == "AGENTMETRICS_CONFIG" || name == "XDG_CONFIG_HOME" || name == "AGENTMETRICS_STORE")
      continue;
    environment.push_back(entry);
  }
  for (auto& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  cpu_set_t two;
  CPU_ZERO(&two);
  CPU_SET(0, &two);
  CPU_SET(1, &two);
  sched_setaffinity(0, sizeof two, &two);  // inherited by the child
  const auto t0 = std::chrono::steady_clock::now();
  pid_t pid = 0;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data()) != 0) {
    std::perror("posix_spawn");
    std::exit(2);
  }
  Run r;
  rusage usage{};
  wait4(pid, &r.status, 0, &usage);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.peak_mib = static_cast<double>(usage.ru_maxrss) / 1024;
  const auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  r.cpu_seconds = secs(usage.ru_utime) + secs(usage.ru_stime);
  posix_spawn_file_actions_destroy(&actions);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "session-import-bench", cli = AM_CLI_BINARY, ccusage;
  std::size_t sessions = 20000, messages = 1000000;
  unsigned threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--dir")
      dir = value;
    else if (flag == "--sessions")
      sessions = std::stoul(value);
    else if (flag == "--messages")
      messages = std::stoul(value);
    else if (flag == "--threads")
      threads = static_cast<unsigned>(std::stoul(value));
    else if (flag == "--cli")
      cli = value;
    else if (flag == "--ccusage")
      ccusage = value;
    else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  dir = fs::absolute(dir).string();
  // Named by what the generator makes: a changed generator makes a corpus of its own.
  const std::string home = dir + "/corpus4-" + std::to_string(sessions) + "-" + std::to_string(messages);
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all);
  if (!fs::exists(home + ".ready")) {
    fs::remove_all(home);
    generate(home, sessions, messages);
    std::ofstream(home + ".ready") << "";
  }
  // Yardstick: every byte of the corpus read once, nothing done with it.
  std::uint64_t corpus_bytes = 0;
  const auto r0 = std::chrono::steady_clock::now();
  std::vector<char> buffer(1 << 20);
  for (const auto& f : fs::recursive_directory_iterator(home)) {
    if (!f.is_regular_file()) continue;
    std::ifstream in(f.path(), std::ios::binary);
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0)
      corpus_bytes += static_cast<std::uint64_t>(in.gcount());
  }
  const double read_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();

  const std::string store = dir + "/events.db";
  for (const char* suffix : {"", "-wal", "-shm", ".ready"}) fs::remove(store + suffix);
  const std::vector<std::string> env = {"HOME=" + home, "AGENTMETRICS_CONFIG=", "XDG_CONFIG_HOME=/nonexistent/agentmetrics-bench"};
  const std::vector<std::string> import = {cli, "import", "all", "--store", store, "--threads", std::to_string(threads), "--json"};
  const Run first = run(import, env, dir + "/import.json");
  const Run again = run(import, env, dir + "/reimport.json");
  if (first.status != 0 || again.status != 0) {
    std::fprintf(stderr, "agentmetrics import failed: see %s/import.json\n", dir.c_str());
    return 1;
  }
  std::ifstream in(dir + "/import.json");
  const json report = json::parse(in);
  std::size_t stored = 0;
  for (const auto& [agent, a] : report["agents"].items()) {
    stored += a["sessions_new"].get<std::size_t>();
    std::printf("  %s: %zu sessions, %llu lines or messages read, %.0f tokens, %.2f USD\n", agent.c_str(),
                a["sessions_new"].get<std::size_t>(), static_cast<unsigned long long>(a["lines"].get<std::uint64_t>()),
                a["tokens"]["input"].get<double>() + a["tokens"]["output"].get<double>() + a["tokens"]["cache_read"].get<double>() +
                    a["tokens"]["cache_creation"].get<double>(),
                a["cost_usd"].get<double>());
  }
  std::printf("corpus: %zu sessions, %zu messages, %.0f MB; reading every byte once: %.1f s\n", sessions, messages,
              static_cast<double>(corpus_bytes) / 1e6, read_seconds);
  std::printf(
      "agentmetrics import (%u threads, 2 cores): %.1f s (%.1f s of CPU), peak memory %.0f MiB, %zu sessions stored, %zu problems "
      "(goal 60 s, 256 MiB)\n",
      threads, first.seconds, first.cpu_seconds, first.peak_mib, stored, report["problems"]["total"].get<std::size_t>());
  std::printf("again, nothing new: %.2f s (%.2f s of CPU), peak memory %.0f MiB (goal 1 s)\n", again.seconds, again.cpu_seconds,
              again.peak_mib);
  std::printf("the store for cm_context_bench --store: %s\n", store.c_str());
  if (ccusage.empty()) return 0;

  // The peer: ccusage's per-session report over the same corpus (it reads all three agents;
  // offline: its own price data), and the tokens each found, by agent.
  const Run peer = run({ccusage, "session", "--json", "--offline"}, {"HOME=" + home}, dir + "/ccusage.json");
  if (peer.status != 0) {
    std::fprintf(stderr, "ccusage failed: see %s/ccusage.json\n", dir.c_str());
    return 1;
  }
  std::ifstream peer_in(dir + "/ccusage.json");
  const json peer_report = json::parse(peer_in);
  std::printf("peer, ccusage session --json --offline: %.1f s (%.1f s of CPU), peak memory %.0f MiB, %zu sessions\n", peer.seconds,
              peer.cpu_seconds, peer.peak_mib, peer_report["session"].size());
  std::map<std::string, std::array<double, 4>> theirs;
  for (const auto& session : peer_report["session"]) {
    auto& t = theirs[session.value("agent", "")];
    t[0] += session["inputTokens"].get<double>();
    t[1] += session["outputTokens"].get<double>();
    t[2] += session["cacheReadTokens"].get<double>();
    t[3] += session["cacheCreationTokens"].get<double>();
  }
  for (const auto& [agent, ours_name] :
       {std::pair{"claude", "claude_code"}, std::pair{"codex", "codex"}, std::pair{"opencode", "opencode"}}) {
    const json& o = report["agents"][ours_name]["tokens"];
    const auto& t = theirs[agent];
    std::printf("  %s tokens input/output/cache read/cache write: ours %.0f/%.0f/%.0f/%.0f, ccusage %.0f/%.0f/%.0f/%.0f\n", agent,
                o["input"].get<double>(), o["output"].get<double>(), o["cache_read"].get<double>(), o["cache_creation"].get<double>(), t[0],
                t[1], t[2], t[3]);
  }
  return 0;
}
