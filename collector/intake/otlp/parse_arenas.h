// Memory for parsing OTLP requests: a protobuf Arena over a block that is reused from one request
// to the next. Parsed the ordinary way, an export of 1000 points is some 20 000 small allocations
// and as many frees, and the allocator hands the freed pages back to the kernel between requests
// (a page fault per page on the next); in an arena they are carved from one warm block and let
// go of at once, with no destructor walk.
//
// Blocks are shared by the request workers: a lease takes one (or makes one), and gives it back
// grown to what its request needed, so a block settles at the size of the largest exports seen.
// At most `max_kept` blocks of at most `max_block_bytes` are kept; beyond, they are freed.
#pragma once

#include <google/protobuf/arena.h>

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace agentmetrics::intake {

class ParseArenas {
  struct Block {
    std::unique_ptr<char[]> bytes;
    std::size_t size = 0;
  };

 public:
  ParseArenas(std::size_t max_kept, std::size_t max_block_bytes);

  // An arena for one request; the block goes back to the pool when the lease ends.
  class Lease {
   public:
    Lease(ParseArenas& owner, Block block);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    google::protobuf::Arena& arena() { return *arena_; }

   private:
    ParseArenas& owner_;
    Block block_;
    std::optional<google::protobuf::Arena> arena_;
  };

  Lease lease();
  // Blocks kept for the next requests, and their bytes (for tests).
  std::size_t kept() const;
  std::size_t kept_bytes() const;

 private:
  void give_back(Block block, std::size_t needed);

  const std::size_t max_kept_, max_block_bytes_;
  mutable std::mutex mutex_;
  std::vector<Block> free_;
};

}  // namespace agentmetrics::intake
