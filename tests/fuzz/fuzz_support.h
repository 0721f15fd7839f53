// Helpers shared by the fuzz targets (tests/fuzz/*_fuzz.cpp).
//
// Each target defines LLVMFuzzerTestOneInput. Built with clang and -fsanitize=fuzzer it is a
// libFuzzer binary (tests/fuzz/run.sh); built with any compiler and replay_main.cpp it replays
// the committed corpus as an ordinary test (ctest: fuzz_corpus.*), so every input that once
// found a bug stays a regression test in the normal and the sanitizer builds.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace agentmetrics::fuzz {

// Stops the process the way libFuzzer reports a crash: a fuzz target's own oracle failed.
[[noreturn]] inline void fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz oracle failed: %s %s\n", what, detail.c_str());
  std::abort();
}

// A private directory on tmpfs for the inputs that must be files (the report parsers and the
// configuration loader take a path; segments are files). Made once per process, removed at exit.
inline const std::string& scratch_dir() {
  static const std::string dir = [] {
    char pattern[] = "/dev/shm/am-fuzz-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    if (!made) {
      char fallback[] = "/tmp/am-fuzz-XXXXXX";
      made = ::mkdtemp(fallback);
      if (!made) fail("cannot make a scratch directory");
      return std::string(made);
    }
    return std::string(made);
  }();
  static const bool cleanup = [] {
    std::atexit([] { std::system(("rm -rf '" + scratch_dir() + "'").c_str()); });
    return true;
  }();
  (void)cleanup;
  return dir;
}

// Writes the input to a file of the scratch directory (the same file each time) and returns
// its path.
inline std::string input_file(const std::uint8_t* data, std::size_t size, const char* name) {
  std::string path = scratch_dir() + "/" + name;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot create the input file", path);
  for (std::size_t done = 0; done < size;) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n <= 0) fail("cannot write the input file", path);
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return path;
}

// Reads little-endian integers from the front of the input; past its end they read as 0.
class InputReader {
 public:
  InputReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  template <typename T>
  T take() {
    T v{};
    const std::size_t n = std::min(sizeof(T), size_ - pos_);
    if (n > 0) std::memcpy(&v, data_ + pos_, n);  // data_ may be null for an empty input
    pos_ += n;
    return v;
  }
  // Up to `max` bytes.
  std::string bytes(std::size_t max) {
    const std::size_t n = std::min(max, size_ - pos_);
    std::string out(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return out;
  }
  std::size_t remaining() const { return size_ - pos_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

}  // namespace agentmetrics::fuzz
