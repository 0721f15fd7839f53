#include "bench/bench_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "ipc/segment_name.h"

namespace agentmetrics::bench {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

pid_t fork_dying_with_parent() {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  return pid;
}

int stop_and_reap(pid_t pid) {
  ::kill(pid, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (Clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return status;
}

bool exited(pid_t pid) { return ::waitpid(pid, nullptr, WNOHANG) == pid; }

std::string default_daemon_path() {
  return (fs::read_symlink("/proc/self/exe").parent_path() / ".." / "bin" / "agentmetricsd").lexically_normal();
}

Daemon start_daemon(const std::string& path, const std::string& ns, const std::vector<std::string>& extra_args) {
  Daemon d;
  d.dir = fs::temp_directory_path() / ("agentmetrics-bench-" + ns);
  fs::create_directory(d.dir);
  fs::permissions(d.dir, fs::perms::owner_all);
  d.log = d.dir / "agentmetricsd.log";
  d.pid = spawn([&] {
    const int log_fd = ::open(d.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log_fd >= 0) {
      ::dup2(log_fd, STDOUT_FILENO);
      ::dup2(log_fd, STDERR_FILENO);
    }
    const std::string store = (d.dir / "events.db").string();
    std::vector<std::string> args = {path, "--namespace=" + ns, "--web.listen-address=127.0.0.1:0", "--store=" + store};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(path.c_str(), argv.data());
    std::perror("execv agentmetricsd");
  });
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline && !exited(d.pid)) {
    if (const std::string port = log_value(d.log, "collector started", "port"); !port.empty()) {
      d.port = std::stoi(port);
      return d;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("agentmetricsd did not start; its log:\n" + read_file(d.log));
}

void remove_daemon_files(const Daemon& daemon) { fs::remove_all(daemon.dir); }

std::string log_value(const fs::path& log, const std::string& message, const std::string& key) {
  std::istringstream lines(read_file(log));
  std::string value;
  for (std::string line; std::getline(lines, line);) {
    if (line.find(message) == std::string::npos) continue;
    const auto at = line.find(" " + key + "=");
    if (at == std::string::npos) continue;
    const auto begin = at + key.size() + 2;
    value = line.substr(begin, line.find(' ', begin) - begin);
  }
  return value;
}

void remove_segments(const std::string& ns) {
  for (const auto& entry : fs::directory_iterator("/dev/shm")) {
    if (ipc::parse_segment_file_name(entry.path().filename().string(), ns)) fs::remove(entry.path());
  }
}

double cpu_seconds(pid_t pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(stat.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  if (fields.size() < 13) return 0;
  // Fields 14 and 15 (utime, stime), counted from "pid" as field 1.
  return static_cast<double>(std::stoull(fields[14 - 3]) + std::stoull(fields[15 - 3])) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double run_queue_wait_seconds(pid_t pid, const std::string& thread_prefix) {
  std::uint64_t waited_ns = 0;
  std::error_code ignored;
  for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ignored)) {
    std::string name;
    std::istringstream(read_file(task.path() / "comm")) >> name;
    if (!name.starts_with(thread_prefix)) continue;
    // schedstat: time on the CPU, time waiting on a run queue, time slices.
    std::uint64_t on_cpu = 0, waiting = 0;
    std::istringstream(read_file(task.path() / "schedstat")) >> on_cpu >> waiting;
    waited_ns += waiting;
  }
  return static_cast<double>(waited_ns) / 1e9;
}

ResidentMemory resident_memory(pid_t pid) {
  std::istringstream status(read_file("/proc/" + std::to_string(pid) + "/status"));
  std::uint64_t rss_kb = 0, shmem_kb = 0, anon_kb = 0, file_kb = 0;
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) rss_kb = std::stoull(line.substr(6));
    if (line.starts_with("RssShmem:")) shmem_kb = std::stoull(line.substr(9));
    if (line.starts_with("RssAnon:")) anon_kb = std::stoull(line.substr(8));
    if (line.starts_with("RssFile:")) file_kb = std::stoull(line.substr(8));
  }
  return {.private_rss = (rss_kb - std::min(rss_kb, shmem_kb)) * 1024, .anon = anon_kb * 1024, .file = file_kb * 1024};
}

std::uint64_t private_rss_bytes(pid_t pid) { return resident_memory(pid).private_rss; }

}  // namespace agentmetrics::bench
