// HTTP clients that misbehave: huge bodies, huge request lines and header floods, many
// connections that send nothing, a client that sends its request a byte at a time. Each gets a
// 4xx or a closed connection, and the daemon keeps answering Prometheus's scrapes in time.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <fstream>
#include <thread>

#include "tests/support/collector_process.h"
#include "tests/support/raw_http.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace agentmetrics::testing;
using Clock = std::chrono::steady_clock;

namespace {

// Prometheus's default scrape timeout is 10 s; a scrape must be answered well within it.
constexpr auto kScrapeDeadline = std::chrono::seconds(5);

// A connection to the collector from `source` (another loopback address is another peer), with
// a receive buffer of `receive_buffer` bytes when it is not 0 (a reader that takes little).
int connect_to(int port, const char* source = nullptr, int receive_buffer = 0) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (source) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &from.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof(from)) != 0) {
      ::close(fd);
      return -1;
    }
  }
  if (receive_buffer > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends what it can of `data` within `timeout`; returns the bytes sent (the server may stop
// reading or close).
std::size_t send_some(int fd, const std::string& data, std::chrono::milliseconds timeout) {
  std::size_t sent = 0;
  const auto deadline = Clock::now() + timeout;
  while (sent < data.size() && Clock::now() < deadline) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    if (p.revents & (POLLERR | POLLHUP)) break;
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  return sent;
}

// The status of the answer on `fd` (0 if the server closed without one or nothing came within
// `timeout`), and whether the server closed the connection.
std::pair<int, bool> read_status(int fd, std::chrono::milliseconds timeout) {
  std::string got;
  const auto deadline = Clock::now() + timeout;
  char buffer[4096];
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) {
      const int status = got.starts_with("HTTP/1.") && got.size() >= 12 ? std::stoi(got.substr(9, 3)) : 0;
      return {status, true};
    }
    got.append(buffer, static_cast<std::size_t>(n));
  }
  const int status = got.starts_with("HTTP/1.") && got.size() >= 12 ? std::stoi(got.substr(9, 3)) : 0;
  return {status, false};
}

// A scrape as Prometheus makes it, with its deadline; returns how long it took (or the
// deadline when it failed).
std::chrono::milliseconds timed_scrape(int port, bool& ok) {
  const auto start = Clock::now();
  const RawResponse r = raw_http(port, get_request("/metrics"), kScrapeDeadline);
  ok = r.status == 200 && r.body.find("# TYPE agentmetrics_events_drained_total counter") != std::string::npos;
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

void expect_refused(int status, bool closed, const char* what) {
  EXPECT_TRUE((status >= 400 && status < 500) || (status == 0 && closed)) << what << ": status " << status << " closed " << closed;
}

class HttpAbuse : public ::testing::Test {
 protected:
  void expect_scrapes_go_on() {
    bool ok = false;
    const auto took = timed_scrape(collector_.port(), ok);
    EXPECT_TRUE(ok) << "scrape failed after " << took.count() << " ms";
    EXPECT_EQ(collector_.process().wait(std::chrono::milliseconds(0)), std::nullopt) << "the daemon exited";
  }
  const std::string collector_namespace_ = unique_namespace("http");
  CollectorProcess collector_{collector_namespace_};
};

TEST_F(HttpAbuse, AHugeBodyIsRefusedOrCutOff) {
  for (const std::string method : {"POST", "PUT", "GET"}) {
    const int fd = connect_to(collector_.port());
    ASSERT_GE(fd, 0);
    const std::string head = method + " /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1073741824\r\n\r\n";
    send_some(fd, head, std::chrono::seconds(1));
    // Up to 64 MiB of the announced gigabyte, for at most 5 s.
    const auto start = Clock::now();
    std::size_t sent = 0;
    const std::string piece(1 << 20, 'x');
    while (sent < (64u << 20) && Clock::now() - start < std::chrono::seconds(5)) {
      const std::size_t n = send_some(fd, piece, std::chrono::milliseconds(200));
      if (n == 0) break;
      sent += n;
    }
    const auto [status, closed] = read_status(fd, std::chrono::seconds(5));
    ::close(fd);
    if (method == "GET") {
      // A GET's body is not looked at: answered, or cut off; never the whole gigabyte read.
      EXPECT_TRUE(status == 200 || (status >= 400 && status < 500) || closed) << method << " status " << status;
    } else {
      expect_refused(status, closed, method.c_str());
    }
    std::printf("%s with a 1 GiB body: status %d, closed %d, %zu bytes taken before that\n", method.c_str(), status, closed ? 1 : 0, sent);
    expect_scrapes_go_on();
  }
}

TEST_F(HttpAbuse, HugeRequestLinesAndHeaderFloodsAreRefused) {
  const int port = collector_.port();
  const RawResponse uri =
      raw_http(port, "GET /metrics?" + std::string(1 << 20, 'a') + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  expect_refused(uri.status, uri.closed_by_server, "1 MiB request line");
  std::string flood = "GET /metrics HTTP/1.1\r\nHost: localhost\r\n";
  for (int i = 0; i < 1000; ++i) flood += "X-" + std::to_string(i) + ": y\r\n";
  flood += "Connection: close\r\n\r\n";
  const RawResponse headers = raw_http(port, flood);
  // 1000 headers in 10 KiB: refused, or answered with only what the server keeps of them.
  EXPECT_TRUE(headers.status == 200 || (headers.status >= 400 && headers.status < 500) || headers.closed_by_server) << headers.status;
  const RawResponse binary = raw_http(port, std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + std::string(500, '\0'));
  expect_refused(binary.status, binary.closed_by_server, "a TLS hello");
  expect_scrapes_go_on();
}

TEST_F(HttpAbuse, ManyIdleConnectionsDoNotHoldUpScrapes) {
  // Connections that never send a byte: a port scanner, a crashed client, a slowloris.
  std::vector<int> idle;
  for (int i = 0; i < 100; ++i) {
    const int fd = connect_to(collector_.port());
    if (fd >= 0) idle.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  bool ok = false;
  const auto took = timed_scrape(collector_.port(), ok);
  std::printf("scrape with %zu idle connections open: %s in %lld ms\n", idle.size(), ok ? "answered" : "NOT answered",
              static_cast<long long>(took.count()));
  EXPECT_TRUE(ok) << "a scrape was not answered within " << kScrapeDeadline.count() << " s while " << idle.size()
                  << " idle connections were open (the HTTP threads wait on them)";
  for (int fd : idle) ::close(fd);
  expect_scrapes_go_on();
}

TEST_F(HttpAbuse, ARequestSentAByteAtATimeIsCutOffAndDoesNotHoldUpScrapes) {
  // Sixteen clients, each sending its request head one byte every 200 ms, forever.
  std::atomic<bool> stop{false};
  std::vector<std::thread> slow;
  std::atomic<int> closed{0};
  for (int c = 0; c < 16; ++c) {
    slow.emplace_back([&] {
      const int fd = connect_to(collector_.port());
      if (fd < 0) return;
      const std::string head = "GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + std::string(100000, 'z');
      for (std::size_t i = 0; i < head.size() && !stop; ++i) {
        if (::send(fd, &head[i], 1, MSG_NOSIGNAL) != 1) {
          ++closed;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
      ::close(fd);
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  bool ok = false;
  const auto took = timed_scrape(collector_.port(), ok);
  std::printf("scrape with 16 slow senders: %s in %lld ms\n", ok ? "answered" : "NOT answered", static_cast<long long>(took.count()));
  EXPECT_TRUE(ok) << "a scrape was not answered within " << kScrapeDeadline.count() << " s while 16 clients trickled their requests";
  // The server must cut them off: within the request timeout (10 s) and some.
  const auto deadline = Clock::now() + std::chrono::seconds(25);
  while (closed < 16 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  stop = true;
  for (auto& t : slow) t.join();
  EXPECT_EQ(closed, 16) << "slow senders were never cut off";
  expect_scrapes_go_on();
}

// How long /health took to answer 200, or nothing if it did not within 2 s.
std::optional<std::chrono::milliseconds> probe(int port) {
  const auto start = Clock::now();
  const RawResponse r = raw_http(port, get_request("/health"), std::chrono::seconds(2));
  if (r.status != 200) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// One peer opening more connections than the listener holds in all: it gets its share (256),
// the rest are closed at once, and another peer's probes and scrapes go through. Before, one
// client could fill the whole cap and most /health requests failed.
TEST_F(HttpAbuse, OnePeerCannotTakeEveryConnection) {
  std::vector<int> flood;
  for (int i = 0; i < 1100; ++i) {
    const int fd = connect_to(collector_.port(), "127.0.0.2");
    if (fd >= 0) flood.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::size_t held = 0;
  for (int fd : flood) {
    char byte;
    const ssize_t n = ::recv(fd, &byte, 1, MSG_DONTWAIT);
    if (n < 0 && errno == EAGAIN) ++held;  // still open, waiting for a request
  }
  std::printf("one peer opened %zu connections; the collector holds %zu of them\n", flood.size(), held);
  EXPECT_LE(held, 256u);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(probe(collector_.port())) << "/health was not answered while one peer flooded";
  expect_scrapes_go_on();
  // The connections closed on arrival are counted where an operator sees them.
  const std::string metrics = raw_http(collector_.port(), get_request("/metrics"), kScrapeDeadline).body;
  const std::string name = "agentmetrics_http_connections_refused_total{listener=\"main\"} ";
  const auto at = metrics.find(name);
  ASSERT_NE(at, std::string::npos) << metrics;
  EXPECT_GE(std::stod(metrics.substr(at + name.size())), static_cast<double>(flood.size() - 256));
  for (int fd : flood) ::close(fd);
}

// Eight clients ask for /metrics and read nothing: they may hold the scrape's share of the
// workers (half), never the probes (answered on the I/O threads) nor the learning API. Before,
// they held every HTTP thread and nothing else was answered until their writes timed out.
TEST_F(HttpAbuse, SlowReadersOfTheScrapeHoldNeitherTheProbesNorTheApi) {
  // A scrape of a few hundred KiB, more than the socket buffers of a reader that takes nothing.
  for (char name = 'a'; name < 'a' + 12; ++name) {
    Process producer({kTestProducerBinary, "--threads", "64", "--events", "10", "--label", std::string(100, name)},
                     {{"AGENTMETRICS_NAMESPACE", collector_namespace_}});
    ASSERT_TRUE(producer.wait(std::chrono::seconds(30)));
  }
  RawResponse whole;
  for (int i = 0; i < 100 && whole.body.size() <= 200000u; ++i) {
    whole = raw_http(collector_.port(), get_request("/metrics"));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GT(whole.body.size(), 200000u) << whole.body.size();
  std::vector<int> readers;
  for (int i = 0; i < 8; ++i) {
    const int fd = connect_to(collector_.port(), nullptr, 1024);
    ASSERT_GE(fd, 0);
    send_some(fd, get_request("/metrics"), std::chrono::seconds(1));
    readers.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  for (int i = 0; i < 5; ++i) {
    const auto took = probe(collector_.port());
    ASSERT_TRUE(took) << "/health was not answered while 8 clients read /metrics slowly";
    std::printf("/health with 8 slow scrape readers: %lld ms\n", static_cast<long long>(took->count()));
  }
  const RawResponse api = raw_http(collector_.port(), get_request("/api/stats"), std::chrono::seconds(3));
  EXPECT_EQ(api.status, 200) << "the learning API was not answered while 8 clients read /metrics slowly";
  for (int fd : readers) ::close(fd);
  expect_scrapes_go_on();
}

// Sixteen changes to the learning API while another writer holds the store: each waits a
// bounded time and gets 503 with Retry-After, and /health and the scrape are answered all the
// while. Before, they held every HTTP thread for SQLite's whole busy timeout, one after another.
TEST_F(HttpAbuse, ALockedStoreHoldsNoThreadAndTheProbesAnswer) {
  const auto add_rule = [&](const std::string& content, std::chrono::milliseconds timeout) {
    const std::string body = R"({"content": ")" + content + R"("})";
    return raw_http(collector_.port(),
                    "POST /api/playbook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body,
                    timeout);
  };
  ASSERT_EQ(add_rule("Keep the pull requests small", std::chrono::seconds(10)).status, 200);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(collector_.store_path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);  // the store's one writer's place
  std::vector<std::thread> writers;
  std::atomic<int> busy{0}, answered{0};
  for (int i = 0; i < 16; ++i) {
    writers.emplace_back([&] {
      const RawResponse r = add_rule("Run the linter before committing", std::chrono::seconds(30));
      ++answered;
      if (r.status == 503 && r.headers.contains("retry-after")) ++busy;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(probe(collector_.port())) << "/health was not answered while the store was locked";
  expect_scrapes_go_on();
  for (auto& t : writers) t.join();
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_EQ(answered, 16);
  EXPECT_EQ(busy, 16) << "every change waited a bounded time and was told to come back";
  // The route's four places reached the API, which counts them by command and result beside the
  // audit log's line for each; the listener turned the other twelve away before.
  EXPECT_EQ(collector_.samples().at(R"(agentmetrics_api_requests_total{code="STORE_BUSY",command="playbook add"})"), 4);
}

}  // namespace
