#include "collector/common/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <system_error>

extern char** environ;

namespace agentmetrics {
namespace {

// Enough of stderr for an error message; more is read and dropped so the child never blocks.
constexpr std::size_t kMaxErrBytes = 64 * 1024;

[[noreturn]] void throw_errno(int error, const char* what) { throw std::system_error(error, std::generic_category(), what); }

class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_.data(), O_CLOEXEC) != 0) throw_errno(errno, "pipe2");
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }
  void close_read() { close_end(0); }
  void close_write() { close_end(1); }

 private:
  void close_end(std::size_t i) {
    if (fds_[i] >= 0) ::close(fds_[i]);
    fds_[i] = -1;
  }
  std::array<int, 2> fds_{-1, -1};
};

// Reaps the child whatever happens; one abandoned early (an exception) is killed first.
class Child {
 public:
  explicit Child(pid_t pid) : pid_(pid) {}
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  int wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
    pid_ = -1;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? -WTERMSIG(status) : -1;
  }

 private:
  pid_t pid_;
};

class SpawnActions {
 public:
  SpawnActions() { posix_spawn_file_actions_init(&actions_); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions_); }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

// The child of run_attached, for the signal handler: a sig_atomic_t is safe to read there.
volatile sig_atomic_t g_attached_child = -1;

void forward_signal(int signo) {
  if (g_attached_child > 0) ::kill(static_cast<pid_t>(g_attached_child), signo);
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

ProcessOutput run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  if (argv.empty()) throw std::system_error(EINVAL, std::generic_category(), "run_process: no program");
  Pipe out, err;
  SpawnActions actions;
  posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(actions.get(), out.write_end(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(actions.get(), err.write_end(), STDERR_FILENO);
  const std::vector<char*> args = c_strings(argv);
  const std::vector<char*> envp = c_strings(env);
  pid_t pid = -1;
  if (const int rc = ::posix_spawnp(&pid, args[0], actions.get(), nullptr, args.data(), envp.data()); rc != 0) {
    throw_errno(rc, argv[0].c_str());
  }
  Child child(pid);
  out.close_write();
  err.close_write();

  ProcessOutput result;
  std::array<pollfd, 2> fds{pollfd{out.read_end(), POLLIN, 0}, pollfd{err.read_end(), POLLIN, 0}};
  std::array<char, 65536> buffer;
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno(errno, "poll");
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;  // end of file (or an error: nothing more will come)
        continue;
      }
      std::string& sink = i == 0 ? result.out : result.err;
      const std::size_t room = i == 0 ? static_cast<std::size_t>(n) : kMaxErrBytes - std::min(kMaxErrBytes, sink.size());
      sink.append(buffer.data(), std::min(room, static_cast<std::size_t>(n)));
    }
  }
  result.exit_code = child.wait();
  return result;
}

int run_attached(const std::vector<std::string>& argv) {
  if (argv.empty()) throw std::system_error(EINVAL, std::generic_category(), "run_attached: no program");
  struct sigaction forward {};
  forward.sa_handler = forward_signal;
  sigemptyset(&forward.sa_mask);
  struct sigaction old_term {
  }, old_int{};
  ::sigaction(SIGTERM, &forward, &old_term);
  ::sigaction(SIGINT, &forward, &old_int);
  struct RestoreSignals {
    const struct sigaction& term;
    const struct sigaction& interrupt;
    ~RestoreSignals() {
      g_attached_child = -1;
      ::sigaction(SIGTERM, &term, nullptr);
      ::sigaction(SIGINT, &interrupt, nullptr);
    }
  } restore{old_term, old_int};
  // The two signals wait while the child starts and its pid is stored: one that came before
  // would be lost. The child itself starts with the caller's mask.
  sigset_t forwarded, old_mask;
  sigemptyset(&forwarded);
  sigaddset(&forwarded, SIGTERM);
  sigaddset(&forwarded, SIGINT);
  ::pthread_sigmask(SIG_BLOCK, &forwarded, &old_mask);
  struct RestoreMask {
    const sigset_t& mask;
    ~RestoreMask() { ::pthread_sigmask(SIG_SETMASK, &mask, nullptr); }
  };
  const std::vector<char*> args = c_strings(argv);
  pid_t pid = -1;
  {
    const RestoreMask unblock{old_mask};
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setsigmask(&attributes, &old_mask);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
    const int rc = ::posix_spawnp(&pid, args[0], nullptr, &attributes, args.data(), environ);
    posix_spawnattr_destroy(&attributes);
    if (rc != 0) throw_errno(rc, argv[0].c_str());
    g_attached_child = pid;
  }
  Child child(pid);
  return child.wait();
}

}  // namespace agentmetrics
