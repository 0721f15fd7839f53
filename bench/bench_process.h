// What the benchmark programs that run the real agentmetricsd share: child processes that die
// with the benchmark, the daemon started in a namespace of its own, and readings of /proc.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace agentmetrics::bench {

std::string read_file(const std::filesystem::path& path);

// Forks a child that dies with this program (PR_SET_PDEATHSIG) and runs `body`, then _exits.
template <typename Body>
pid_t spawn(Body body);
pid_t fork_dying_with_parent();

// SIGTERM, then SIGKILL if it is still there after 10 s; always reaped. The exit status.
int stop_and_reap(pid_t pid);
bool exited(pid_t pid);

// agentmetricsd beside this program's build: ../bin/agentmetricsd.
std::string default_daemon_path();

struct Daemon {
  pid_t pid = -1;
  int port = 0;
  std::filesystem::path dir;  // private to the daemon: its log and its store
  std::filesystem::path log;
};
// Starts the daemon on 127.0.0.1 with an ephemeral port in namespace `ns`, its log and its
// store in a directory of its own under the temp directory (the daemon refuses a store in a
// shared one), and waits until it serves. Throws std::runtime_error with the log if it does not.
Daemon start_daemon(const std::string& path, const std::string& ns, const std::vector<std::string>& extra_args = {});
// Removes the daemon's directory (its log and its store), once it has stopped.
void remove_daemon_files(const Daemon& daemon);
// The value of `key=` on the last daemon log line that holds `message`, or "".
std::string log_value(const std::filesystem::path& log, const std::string& message, const std::string& key);
// Removes the segments a benchmark's producers left in /dev/shm.
void remove_segments(const std::string& ns);

// CPU time (user + system) of a process so far, in seconds.
double cpu_seconds(pid_t pid);
// Time the threads of a process whose name starts with `thread_prefix` (all when empty) spent
// runnable but waiting for a CPU so far, in seconds (/proc/PID/task/*/schedstat).
double run_queue_wait_seconds(pid_t pid, const std::string& thread_prefix = "");
// Resident memory of a process, less its resident shared memory (the producers' segments).
std::uint64_t private_rss_bytes(pid_t pid);
// The same in parts: what /proc/PID/status calls RssAnon (the heap, stacks, the allocator's
// pages: what the process itself holds) and RssFile (pages of its binary and libraries, which
// other processes share). private_rss = anon + file.
struct ResidentMemory {
  std::uint64_t private_rss = 0, anon = 0, file = 0;  // bytes
};
ResidentMemory resident_memory(pid_t pid);

template <typename Body>
pid_t spawn(Body body) {
  const pid_t pid = fork_dying_with_parent();
  if (pid == 0) {
    body();
    ::_exit(0);
  }
  return pid;
}

}  // namespace agentmetrics::bench
