#include "tests/reliability/segment_files.h"

#include <filesystem>

namespace agentmetrics::testing {

std::vector<std::string> segment_files(const std::string& ns, const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("agentmetrics." + ns + ".") || name.starts_with(".agentmetrics-init." + ns + ".")) out.push_back(name);
  }
  return out;
}

std::size_t remove_segment_files(const std::string& ns, const std::string& dir) {
  std::size_t n = 0;
  for (const auto& name : segment_files(ns, dir)) {
    std::error_code ec;
    if (std::filesystem::remove(dir + "/" + name, ec)) ++n;
  }
  return n;
}

}  // namespace agentmetrics::testing

// crash_progress.h
#include <fstream>
#include <stdexcept>

#include "tests/reliability/crash_progress.h"

namespace agentmetrics::testing {

void make_progress_file(const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const std::string zeros(4096, '\0');
  out.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::vector<ThreadProgress> read_progress_file(const std::string& path, int threads) {
  std::ifstream in(path, std::ios::binary);
  std::vector<ThreadProgress> out(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    std::uint64_t fields[8] = {};
    in.seekg(64 * t);
    in.read(reinterpret_cast<char*>(fields), sizeof(fields));
    if (!in) throw std::runtime_error("cannot read " + path);
    out[static_cast<std::size_t>(t)] = ThreadProgress{fields[0], fields[1], fields[2], fields[3], fields[4]};
  }
  return out;
}

}  // namespace agentmetrics::testing
