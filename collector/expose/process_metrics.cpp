#include "collector/expose/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

namespace agentmetrics::collector {
namespace {

prometheus::MetricFamily single(const char* name, const char* help, prometheus::MetricType type, double value) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(m);
  return f;
}

double boot_time_seconds() {
  std::ifstream stat("/proc/stat");
  std::string key;
  double value = 0;
  while (stat >> key) {
    if (key == "btime") {
      stat >> value;
      return value;
    }
    stat.ignore(1 << 20, '\n');
  }
  return 0;
}

std::size_t open_fds() {
  std::size_t n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (const dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.') ++n;
    }
    ::closedir(d);
  }
  return n > 0 ? n - 1 : 0;  // not counting the descriptor of the listing itself
}

}  // namespace

std::vector<prometheus::MetricFamily> collect_process_metrics() {
  // /proc/self/stat: fields after the command name; utime(14) stime(15) num_threads(20)
  // starttime(22) vsize(23) rss(24), numbered as in proc(5).
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  const auto command_end = line.rfind(')');
  std::istringstream rest(command_end == std::string::npos ? std::string() : line.substr(command_end + 1));
  std::string field;
  double utime = 0, stime = 0, threads = 0, start = 0, vsize = 0, rss = 0;
  for (int i = 3; rest >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
    if (i == 20) threads = std::stod(field);
    if (i == 22) start = std::stod(field);
    if (i == 23) vsize = std::stod(field);
    if (i == 24) {
      rss = std::stod(field);
      break;
    }
  }
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  rlimit fds{};
  ::getrlimit(RLIMIT_NOFILE, &fds);
  using T = prometheus::MetricType;
  return {
      single("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", T::Counter, (utime + stime) / ticks),
      single("process_resident_memory_bytes", "Resident memory size in bytes.", T::Gauge, rss * page),
      single("process_virtual_memory_bytes", "Virtual memory size in bytes.", T::Gauge, vsize),
      single("process_open_fds", "Number of open file descriptors.", T::Gauge, static_cast<double>(open_fds())),
      single("process_max_fds", "Maximum number of open file descriptors.", T::Gauge, static_cast<double>(fds.rlim_cur)),
      single("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", T::Gauge,
             boot_time_seconds() + start / ticks),
      single("process_threads", "Number of OS threads in the process.", T::Gauge, threads),
  };
}

}  // namespace agentmetrics::collector
