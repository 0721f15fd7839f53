// Memory that lock-free readers may still be looking at, freed once none can be. Scrapes read
// the series lists and the exponential buckets without a lock while the registry unlinks
// expired series and a drain thread replaces a histogram's bucket layout; what they unlink is
// retired here and freed by reclaim() once every scrape that could have seen it has left.
// Readers never wait for writers, writers never wait for readers (epoch-based reclamation).
//
// Memory ordering. A reader announces itself by storing the epoch it loaded into a free slot
// (seq_cst), then issues a seq_cst fence before reading anything; a writer unlinks, then
// retire() issues a seq_cst fence and tags the memory with the epoch it loads. reclaim()
// advances the epoch (so later readers announce a larger one), issues a seq_cst fence and scans
// the slots. Either the reader's fence comes first in the single order of seq_cst operations,
// and then the scan sees its slot and an epoch no larger than the tag (its load preceded the
// tagging load), so the memory is kept; or the writer's fence comes first, and then the
// reader's loads see the unlink and cannot reach the memory. A slot is released with a release
// store, so a reader's last loads happen before a scan that finds the slot free.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

namespace agentmetrics::collector {

class EpochReclaimer {
 public:
  EpochReclaimer() = default;
  ~EpochReclaimer();  // frees everything retired: no reader may outlive the reclaimer
  EpochReclaimer(const EpochReclaimer&) = delete;
  EpochReclaimer& operator=(const EpochReclaimer&) = delete;

  // While it lives, nothing retired after it was made is freed. Any thread; never blocks on a
  // writer (it waits only when every slot is taken by other readers, which the bounded HTTP
  // threads cannot do).
  class ReadGuard {
   public:
    explicit ReadGuard(EpochReclaimer& reclaimer);
    ~ReadGuard();
    ReadGuard(const ReadGuard&) = delete;
    ReadGuard& operator=(const ReadGuard&) = delete;

   private:
    std::atomic<std::uint64_t>* slot_;
  };

  // Frees `memory` with `free` once no reader can hold it. Call after unlinking it, so that
  // readers that come later cannot reach it. Any thread; takes a lock no reader takes.
  void retire(void* memory, void (*free)(void*));
  template <typename T>
  void retire(T* object) {
    retire(object, [](void* p) { delete static_cast<T*>(p); });
  }
  // Frees what no reader can still hold. Called by housekeeping.
  void reclaim();
  // Retired and not yet freed, for tests and the collector's own metrics.
  std::size_t pending() const;

 private:
  static constexpr std::size_t kReaders = 512;
  struct Retired {
    void* memory;
    void (*free)(void*);
    std::uint64_t epoch;
  };
  std::atomic<std::uint64_t> epoch_{1};
  std::array<std::atomic<std::uint64_t>, kReaders> readers_{};  // 0: free, else the epoch a reader entered in
  mutable std::mutex mutex_;
  std::vector<Retired> retired_;
};

}  // namespace agentmetrics::collector
