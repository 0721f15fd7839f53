#include "drain_worker.h"

#include <pthread.h>

#include <chrono>

#include "log.h"

namespace agentmetrics::collector {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kHousekeepingInterval = std::chrono::milliseconds(100);
constexpr auto kMinIdleSleep = std::chrono::microseconds(50);
constexpr auto kMaxIdleSleep = std::chrono::milliseconds(1);

}  // namespace

DrainWorker::DrainWorker(std::size_t index, FamilyRegistry& registry, SelfMetrics& metrics, SegmentDirectory& directory)
    : index_(index), registry_(registry), metrics_(metrics), directory_(directory) {}

DrainWorker::~DrainWorker() {
  stop();
  AttachedSegment* s = nullptr;
  while (inbox_.try_dequeue(s)) delete s;
}

void DrainWorker::adopt(std::unique_ptr<AttachedSegment> segment) { inbox_.enqueue(segment.release()); }

void DrainWorker::start() {
  thread_ = std::thread([this] { run(); });
  const std::string name = "am-drain-" + std::to_string(index_);
  pthread_setname_np(thread_.native_handle(), name.c_str());
}

void DrainWorker::stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true, std::memory_order_release);
  thread_.join();
}

void DrainWorker::take_new_segments() {
  AttachedSegment* s = nullptr;
  while (inbox_.try_dequeue(s)) {
    segments_.emplace_back(s);
    metrics_.segments_attached.Increment();
  }
}

std::size_t DrainWorker::drain_all() {
  std::size_t total = 0;
  for (auto& s : segments_) total += s->drain(shard_, registry_, metrics_);
  return total;
}

void DrainWorker::drop_segment(std::size_t i, bool remove_file) {
  auto& s = segments_[i];
  if (remove_file) s->remove_file(directory_.fd());
  directory_.release(s->name());
  segments_[i] = std::move(segments_.back());
  segments_.pop_back();
  metrics_.segments_attached.Decrement();
}

void DrainWorker::housekeeping() {
  for (std::size_t i = segments_.size(); i-- > 0;) {
    AttachedSegment& s = *segments_[i];
    s.sync_declarations(shard_, registry_, metrics_);
    if (const auto drops = s.take_new_drops()) metrics_.events_dropped.Increment(static_cast<double>(drops));
    if (s.failed()) {
      metrics_.segment_rejected(s.failure()).Increment();
      log(LogLevel::kError, "segment abandoned", {{"segment", s.name()}, {"reason", s.failure()}, {"detail", s.failure_detail()}});
      drop_segment(i, false);
      continue;
    }
    if (s.producer_gone()) {
      // The producer can no longer push: what is in the rings now is all there will be.
      while (s.drain(shard_, registry_, metrics_) > 0) {
      }
      if (const auto drops = s.take_new_drops()) metrics_.events_dropped.Increment(static_cast<double>(drops));
      log(LogLevel::kInfo, "segment reclaimed", {{"segment", s.name()}, {"pid", s.descriptor().producer_pid}});
      metrics_.segments_reclaimed.Increment();
      drop_segment(i, !s.failed());
    }
  }
}

void DrainWorker::run() {
  auto next_housekeeping = Clock::now();
  auto idle_sleep = kMinIdleSleep;
  while (!stopping_.load(std::memory_order_acquire)) {
    take_new_segments();
    const std::size_t drained = drain_all();
    if (Clock::now() >= next_housekeeping) {
      housekeeping();
      next_housekeeping = Clock::now() + kHousekeepingInterval;
    }
    if (drained > 0) {
      idle_sleep = kMinIdleSleep;
    } else {
      std::this_thread::sleep_for(idle_sleep);
      idle_sleep = std::min<std::chrono::microseconds>(idle_sleep * 2, kMaxIdleSleep);
    }
  }
  // Final drain: everything producers had pushed when we were told to stop.
  take_new_segments();
  while (drain_all() > 0) {
  }
  housekeeping();
}

}  // namespace agentmetrics::collector
