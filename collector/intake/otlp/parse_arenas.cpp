#include "collector/intake/otlp/parse_arenas.h"

#include <algorithm>

namespace agentmetrics::intake {
namespace {

constexpr std::size_t kFirstBlock = 64 * 1024;

}  // namespace

ParseArenas::ParseArenas(std::size_t max_kept, std::size_t max_block_bytes)
    : max_kept_(max_kept), max_block_bytes_(std::max(max_block_bytes, kFirstBlock)) {}

ParseArenas::Lease::Lease(ParseArenas& owner, Block block) : owner_(owner), block_(std::move(block)) {
  google::protobuf::ArenaOptions options;
  options.initial_block = block_.bytes.get();
  options.initial_block_size = block_.size;
  // What does not fit goes to blocks of the arena's own, growing to 1 MiB.
  options.max_block_size = 1024 * 1024;
  arena_.emplace(options);
}

ParseArenas::Lease::~Lease() {
  const auto needed = static_cast<std::size_t>(arena_->SpaceAllocated());
  arena_.reset();  // before its block is handed on
  owner_.give_back(std::move(block_), needed);
}

ParseArenas::Lease ParseArenas::lease() {
  Block block;
  {
    std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      block = std::move(free_.back());
      free_.pop_back();
    }
  }
  if (!block.bytes) block = Block{std::make_unique<char[]>(kFirstBlock), kFirstBlock};
  return Lease(*this, std::move(block));
}

void ParseArenas::give_back(Block block, std::size_t needed) {
  if (needed > block.size) {
    // The next request like this one fits: a quarter more than this one took, within the bound.
    const std::size_t size = std::min(max_block_bytes_, needed + needed / 4);
    if (size > block.size) block = Block{std::make_unique<char[]>(size), size};
  }
  std::lock_guard lock(mutex_);
  if (free_.size() < max_kept_) free_.push_back(std::move(block));
}

std::size_t ParseArenas::kept() const {
  std::lock_guard lock(mutex_);
  return free_.size();
}

std::size_t ParseArenas::kept_bytes() const {
  std::lock_guard lock(mutex_);
  std::size_t bytes = 0;
  for (const auto& b : free_) bytes += b.size;
  return bytes;
}

}  // namespace agentmetrics::intake
