// Ownership, links, privileges and where the daemon listens: segments are owner-only regular
// files; a link or a FIFO planted under a segment's name is refused, not followed; segments of
// other users are refused (and logged) unless allowed; the daemon needs no privilege; the HTTP
// listener binds only the configured address.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/collector_process.h"
#include "tests/support/http_client.h"
#include "tests/reliability/reliability_paths.h"
#include "tests/reliability/segment_files.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"
#include "tests/reliability/wait_until.h"

using namespace agentmetrics::testing;

namespace {

constexpr uid_t kNobody = 65534;

std::map<std::string, std::string> env_of(const std::string& ns, const std::string& dir = "") {
  std::map<std::string, std::string> env{{"AGENTMETRICS_NAMESPACE", ns}};
  if (!dir.empty()) env["AGENTMETRICS_SHM_DIR"] = dir;
  return env;
}

// argv prefix that runs a program as nobody (when this test runs as root).
std::vector<std::string> as_nobody() {
  return {"/usr/bin/setpriv", "--reuid=" + std::to_string(kNobody), "--regid=" + std::to_string(kNobody), "--clear-groups", "--"};
}

// Whether nobody can run the build's binaries (the build tree may sit in a private directory).
bool nobody_can_run(const std::string& binary) {
  Process probe({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", "/bin/sh", "-c",
                 "test -x '" + binary + "' && test -r '" + binary + "'"});
  auto status = probe.wait(std::chrono::seconds(10));
  return status && exit_code(*status) == 0;
}

// An agentmetricsd started with an argv prefix (setpriv), its port read from its log.
struct Daemon {
  std::unique_ptr<Process> process;
  int port = 0;
};

Daemon start_daemon(const std::vector<std::string>& prefix, const std::vector<std::string>& args) {
  std::vector<std::string> argv = prefix;
  argv.push_back(kCollectorBinary);
  argv.insert(argv.end(), args.begin(), args.end());
  Daemon d;
  d.process = std::make_unique<Process>(argv);
  const std::regex started("collector started.*port=([0-9]+)");
  wait_until(
      [&] {
        std::smatch m;
        const std::string out = d.process->output();
        if (std::regex_search(out, m, started)) d.port = std::stoi(m[1]);
        return d.port != 0 || d.process->wait(std::chrono::milliseconds(0)).has_value();
      },
      std::chrono::seconds(10));
  return d;
}

std::string url(int port, const std::string& path) { return "http://127.0.0.1:" + std::to_string(port) + path; }

TEST(Security, SegmentsAreOwnerOnlyRegularFilesOfTheirProducer) {
  const std::string ns = unique_namespace("perm");
  // Even with a permissive umask.
  Process producer({"/bin/sh", "-c", "umask 000; exec " + std::string(kTestProducerBinary) + " --events 10 --linger-ms 3000"}, env_of(ns));
  ASSERT_TRUE(wait_until([&] { return segment_files(ns).size() == 1; }));
  const std::string path = "/dev/shm/" + segment_files(ns).front();
  struct stat st {};
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u) << std::oct << (st.st_mode & 07777);
  EXPECT_EQ(st.st_uid, ::getuid());
  producer.signal(SIGKILL);
  producer.wait(std::chrono::seconds(5));
  remove_segment_files(ns);
}

TEST(Security, ALinkOrAFifoPlantedUnderASegmentNameIsRefusedNotFollowed) {
  const std::string ns = unique_namespace("link");
  CollectorProcess collector(ns);
  // A real, live segment elsewhere, and a link to it published under this namespace's name.
  TempDir elsewhere;
  Process producer({kTestProducerBinary, "--events", "100", "--label", "linked", "--linger-ms", "10000"}, env_of(ns, elsewhere.path()));
  ASSERT_TRUE(wait_until([&] { return segment_files(ns, elsewhere.path()).size() == 1; }));
  const std::string target = elsewhere.path() + "/" + segment_files(ns, elsewhere.path()).front();
  const std::string link_tmp = "/dev/shm/.link-" + ns;
  const std::string fifo_tmp = "/dev/shm/.fifo-" + ns;
  ASSERT_EQ(::symlink(target.c_str(), link_tmp.c_str()), 0);
  ASSERT_EQ(::mkfifo(fifo_tmp.c_str(), 0600), 0);
  // Published the way producers publish: a rename into place.
  ASSERT_EQ(std::rename(link_tmp.c_str(), ("/dev/shm/agentmetrics." + ns + ".1.1").c_str()), 0);
  ASSERT_EQ(std::rename(fifo_tmp.c_str(), ("/dev/shm/agentmetrics." + ns + ".1.2").c_str()), 0);
  const Samples s = scrape_until(
      collector, [](const Samples& got) { return sample(got, "agentmetrics_segments_rejected_total{reason=\"open_failed\"}") == 2; });
  EXPECT_EQ(sample(s, "agentmetrics_segments_rejected_total{reason=\"open_failed\"}"), 2) << collector.scrape();
  EXPECT_FALSE(sample(s, "am_test_events_total{producer=\"linked\",thread=\"0\"}")) << "the link was followed";
  const std::string log = collector.process().output();
  EXPECT_NE(log.find("segment rejected segment=agentmetrics." + ns + ".1.1"), std::string::npos) << log;
  EXPECT_NE(log.find("not a regular file"), std::string::npos) << log;
  std::filesystem::remove("/dev/shm/agentmetrics." + ns + ".1.1");
  std::filesystem::remove("/dev/shm/agentmetrics." + ns + ".1.2");
  EXPECT_EQ(collector.stop(), 0);
}

TEST(Security, SegmentsOfOtherUsersAreRefusedAndLoggedUnlessAllowed) {
  if (::getuid() != 0)
    GTEST_SKIP() << "needs root to make a segment owned by another user (the unit test RejectsForeignOwnersAndLinks covers the check)";
  if (!nobody_can_run(kTestProducerBinary)) GTEST_SKIP() << "nobody cannot run " << kTestProducerBinary;
  const std::string ns = unique_namespace("foreign");
  CollectorProcess strict(ns);
  std::vector<std::string> argv = as_nobody();
  for (const std::string& a : {std::string(kTestProducerBinary), std::string("--events"), std::string("1000"), std::string("--label"),
                               std::string("foreign"), std::string("--linger-ms"), std::string("3000")}) {
    argv.push_back(a);
  }
  Process producer(argv, env_of(ns));
  Samples s = scrape_until(
      strict, [](const Samples& got) { return sample(got, "agentmetrics_segments_rejected_total{reason=\"foreign_owner\"}") == 1; });
  EXPECT_EQ(sample(s, "agentmetrics_segments_rejected_total{reason=\"foreign_owner\"}"), 1);
  EXPECT_NE(strict.process().output().find("owned by uid 65534, which is not an allowed owner"), std::string::npos)
      << strict.process().output();
  EXPECT_FALSE(sample(s, "am_test_events_total{producer=\"foreign\",thread=\"0\"}"));

  // Allowed by uid: attached, drained, and reclaimed once its producer is gone.
  CollectorProcess allowing(ns, {"--allow-uid=65534"});
  s = scrape_until(allowing, [](const Samples& got) { return sample(got, "agentmetrics_segments_reclaimed_total") == 1; });
  EXPECT_EQ(sample(s, "am_test_events_total{producer=\"foreign\",thread=\"0\"}"), 1000);
  EXPECT_TRUE(segment_files(ns).empty());
  ASSERT_TRUE(producer.wait(std::chrono::seconds(10)));
  EXPECT_EQ(strict.stop(), 0);
  EXPECT_EQ(allowing.stop(), 0);
}

TEST(Security, TheCollectorNeedsNoPrivilege) {
  const bool root = ::getuid() == 0;
  if (root && (!nobody_can_run(kCollectorBinary) || !nobody_can_run(kTestProducerBinary))) {
    GTEST_SKIP() << "nobody cannot run the build's binaries";
  }
  TempDir dir;
  const std::string state = dir.path() + "/state";
  std::filesystem::create_directory(state);
  if (root) {
    // nobody may pass through the test's private directory to its own.
    ASSERT_EQ(::chmod(dir.path().c_str(), 0711), 0);
    ASSERT_EQ(::chown(state.c_str(), kNobody, kNobody), 0);
  }
  const std::vector<std::string> prefix = root ? as_nobody() : std::vector<std::string>{};
  const std::string ns = unique_namespace("unpriv");
  Daemon d = start_daemon(prefix, {"--web.listen-address=127.0.0.1:0", "--namespace=" + ns, "--store=" + state + "/db/events.db"});
  ASSERT_NE(d.port, 0) << d.process->output();
  // No capability at all in its effective set.
  std::ifstream status("/proc/" + std::to_string(d.process->pid()) + "/status");
  std::string line, caps, uid;
  while (std::getline(status, line)) {
    if (line.starts_with("CapEff:")) caps = line;
    if (line.starts_with("Uid:")) uid = line;
  }
  EXPECT_EQ(caps, "CapEff:\t0000000000000000") << "run as " << (root ? "nobody" : "the test's user");
  std::vector<std::string> producer_argv = prefix;
  for (const std::string& a :
       {std::string(kTestProducerBinary), std::string("--events"), std::string("500"), std::string("--label"), std::string("unpriv")}) {
    producer_argv.push_back(a);
  }
  Process producer(producer_argv, env_of(ns));
  ASSERT_TRUE(producer.wait(std::chrono::seconds(30)));
  Samples s;
  wait_until([&] {
    const auto r = http_get(url(d.port, "/metrics"));
    s = parse_samples(r.body);
    return sample(s, "agentmetrics_segments_reclaimed_total") == 1;
  });
  EXPECT_EQ(sample(s, "am_test_events_total{producer=\"unpriv\",thread=\"0\"}"), 500);
  EXPECT_EQ(sample(s, "agentmetrics_segments_reclaimed_total"), 1);
  EXPECT_EQ(http_get(url(d.port, "/health")).status, 200) << http_get(url(d.port, "/health")).body;
  // The store's directory, created by the daemon, is owner-only.
  struct stat st {};
  ASSERT_EQ(::stat((state + "/db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(st.st_uid, root ? kNobody : ::getuid());
  std::printf("daemon ran with %s, %s\n", uid.c_str(), caps.c_str());
  d.process->signal(SIGTERM);
  auto exit = d.process->wait(std::chrono::seconds(20));
  ASSERT_TRUE(exit);
  EXPECT_EQ(exit_code(*exit), 0);
}

// The local addresses of the daemon's listening TCP sockets, as "ADDR:PORT" in /proc's hex.
std::set<std::string> listening_sockets(pid_t pid) {
  std::set<std::string> inodes;
  for (const auto& fd : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    std::error_code ec;
    const std::string target = std::filesystem::read_symlink(fd.path(), ec).string();
    if (target.starts_with("socket:[")) inodes.insert(target.substr(8, target.size() - 9));
  }
  std::set<std::string> out;
  for (const char* table : {"tcp", "tcp6"}) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/net/" + table);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
      if (state == "0A" && inodes.contains(inode)) out.insert(local);
    }
  }
  return out;
}

std::string hex_port(int port) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04X", port);
  return buf;
}

void expect_listens_only_on(const char* address, const std::string& expected_hex) {
  const TempDir store_dir;
  const std::string store = store_dir.path() + "/events.db";
  Daemon d = start_daemon({}, {std::string("--web.listen-address=") + address, "--namespace=" + unique_namespace("bind"),
                               "--store=" + store, "--otlp.http.listen-address", "", "--otlp.grpc.listen-address", ""});
  EXPECT_NE(d.port, 0) << address << "\n" << d.process->output();
  if (d.port != 0) {
    const auto sockets = listening_sockets(d.process->pid());
    EXPECT_EQ(sockets, (std::set<std::string>{expected_hex + ":" + hex_port(d.port)})) << address;
    d.process->signal(SIGTERM);
    d.process->wait(std::chrono::seconds(20));
  }
}

TEST(Security, TheListenerBindsOnlyTheConfiguredAddress) {
  expect_listens_only_on("127.0.0.1:0", "0100007F");
  expect_listens_only_on("localhost:0", "0100007F");
  // :PORT is every interface, as documented: IPv6's any address, which takes IPv4 too, where
  // the system has IPv6; IPv4's where it has not.
  expect_listens_only_on(":0", std::filesystem::exists("/proc/net/if_inet6") ? std::string(32, '0') : "00000000");
}

TEST(Security, TheListenerBindsAnIPv6AddressAsDocumented) {
  // operations.md: HOST:PORT, [IPv6]:PORT or :PORT.
  expect_listens_only_on("[::1]:0", "00000000000000000000000001000000");
}

}  // namespace
