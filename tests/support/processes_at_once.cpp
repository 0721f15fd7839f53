#include "tests/support/processes_at_once.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <exception>

namespace agentmetrics::testing {

std::vector<std::string> run_in_processes_at_once(int processes, const std::function<void()>& body) {
  int go[2], said[2];
  if (::pipe(go) != 0 || ::pipe(said) != 0) return {std::string("pipe: ") + std::strerror(errno)};
  std::vector<pid_t> children;
  int fork_error = 0;
  for (int i = 0; i < processes; ++i) {
    const pid_t pid = ::fork();
    if (pid < 0) {
      fork_error = errno;
      break;
    }
    if (pid == 0) {
      ::close(go[1]);
      ::close(said[0]);
      char c;
      while (::read(go[0], &c, 1) < 0 && errno == EINTR) {}
      std::string failure;
      try {
        body();
      } catch (const std::exception& e) {
        failure = e.what();
      }
      // One line per failure; a pipe write of up to PIPE_BUF bytes is not interleaved.
      if (!failure.empty()) {
        failure = failure.substr(0, 500) + "\n";
        (void)!::write(said[1], failure.data(), failure.size());
      }
      ::_exit(failure.empty() ? 0 : 1);
    }
    children.push_back(pid);
  }
  ::close(go[0]);
  ::close(said[1]);
  ::close(go[1]);  // end of file: every child reads it at once
  std::vector<std::string> failures;
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(said[0], buf, sizeof buf)) != 0;) {
    if (n > 0)
      text.append(buf, static_cast<std::size_t>(n));
    else if (errno != EINTR)
      break;
  }
  ::close(said[0]);
  for (std::size_t at = 0, end; (end = text.find('\n', at)) != std::string::npos; at = end + 1)
    failures.push_back(text.substr(at, end - at));
  for (const pid_t pid : children) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFSIGNALED(status)) failures.push_back("a process ended by signal " + std::to_string(WTERMSIG(status)));
  }
  if (fork_error != 0) failures.push_back(std::string("fork: ") + std::strerror(fork_error));
  return failures;
}

}  // namespace agentmetrics::testing
