#include "common/memory_budget.h"

#include <malloc.h>

#include <string>

namespace shardproxy {

bool ProcessMemory::reserve(uint64_t bytes) {
  if (limit_ == 0) {
    used_.fetch_add(bytes, std::memory_order_relaxed);
    return true;
  }
  uint64_t now = used_.load(std::memory_order_relaxed);
  do {
    if (now + bytes > limit_) return false;
  } while (!used_.compare_exchange_weak(now, now + bytes, std::memory_order_relaxed));
  return true;
}

void ProcessMemory::release(uint64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

MemoryTracker::~MemoryTracker() {
  if (process_ && reserved_ > 0) process_->release(reserved_);
}

Status MemoryTracker::charge(uint64_t bytes) {
  used_ += bytes;
  if (used_ > peak_) peak_ = used_;
  if (limit_ != 0 && used_ > limit_) {
    // ER_OUT_OF_SORTMEMORY: what a server answers when a sort outgrows its buffer.
    return Status(er::kOutOfSortMemory, "HY001",
                  "Out of merge memory: more than " + std::to_string(limit_) +
                      " bytes held to merge the results of several shards; narrow the query or "
                      "raise proxy-merge-max-memory-bytes");
  }
  if (process_ && used_ > reserved_) {
    uint64_t want = (used_ - reserved_ + kChunk - 1) / kChunk * kChunk;
    if (!process_->reserve(want)) {
      return Status(er::kOutOfResources, "HY000",
                    "Out of memory: the proxy's statements hold " +
                        std::to_string(process_->used()) + " bytes, its limit is " +
                        std::to_string(process_->limit()) +
                        " (proxy-memory-limit); retry the statement later or narrow it");
    }
    reserved_ += want;
  }
  return Status::ok();
}

void MemoryTracker::release(uint64_t bytes) {
  used_ -= bytes < used_ ? bytes : used_;
  // Whole chunks beyond what is held go back, keeping one for the rows that come next.
  if (process_ && reserved_ > used_ + 2 * kChunk) {
    uint64_t back = (reserved_ - used_ - kChunk) / kChunk * kChunk;
    process_->release(back);
    reserved_ -= back;
  }
}

void returnFreedMemory() { malloc_trim(0); }

}  // namespace shardproxy
