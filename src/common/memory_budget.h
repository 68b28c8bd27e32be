// Memory budgets in bytes: what the whole process may hold for statements (merge buffers, rows
// read ahead, cursors' rows), and what one statement may hold. Counted where rows are held, so a
// statement that outgrows its share fails with a MySQL error instead of growing the process
// until the kernel kills it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "common/status.h"

namespace shardproxy {

// The bytes every statement of the process holds, with the process's limit (0: unlimited).
// Shared by the workers: one atomic counter, touched once per chunk a statement reserves.
class ProcessMemory {
 public:
  explicit ProcessMemory(uint64_t limit) : limit_(limit) {}
  ProcessMemory(const ProcessMemory&) = delete;
  ProcessMemory& operator=(const ProcessMemory&) = delete;

  // Reserves `bytes`: false, and nothing reserved, when that would pass the limit.
  bool reserve(uint64_t bytes);
  void release(uint64_t bytes);
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  uint64_t limit() const { return limit_; }

 private:
  const uint64_t limit_;
  std::atomic<uint64_t> used_{0};
};

// What one statement holds: charged as it keeps rows, credited as it lets them go, within the
// statement's limit (0: unlimited) and the process's. It reserves from the process in chunks,
// so that holding a small result never touches the shared counter per row; the destructor gives
// back everything.
class MemoryTracker {
 public:
  // Reservations from the process are rounded up to this.
  static constexpr uint64_t kChunk = uint64_t{1} << 20;

  // `process` may be null (no process limit).
  MemoryTracker(uint64_t limit, ProcessMemory* process) : limit_(limit), process_(process) {}
  ~MemoryTracker();
  MemoryTracker(const MemoryTracker&) = delete;
  MemoryTracker& operator=(const MemoryTracker&) = delete;

  // Charges `bytes` (they count as held even when the charge fails, so that the caller's
  // release balances). Errors: ER_OUT_OF_SORTMEMORY (1038, HY001) past the statement's limit,
  // ER_OUT_OF_RESOURCES (1041, HY000) when the process's limit is reached.
  Status charge(uint64_t bytes);
  void release(uint64_t bytes);

  uint64_t used() const { return used_; }
  uint64_t peak() const { return peak_; }  // the most held at once
  uint64_t limit() const { return limit_; }

 private:
  uint64_t limit_;
  ProcessMemory* process_;
  uint64_t used_ = 0;
  uint64_t peak_ = 0;
  uint64_t reserved_ = 0;  // from the process, >= used_ while no charge has failed
};

// A statement that held at least this much is followed by returnFreedMemory().
inline constexpr uint64_t kReturnMemoryAfter = uint64_t{8} << 20;

// Gives the memory freed by the process back to the system: glibc keeps freed blocks in its
// arenas (one per worker thread), so a big merge would otherwise leave its peak as the process's
// resident size for good.
void returnFreedMemory();

}  // namespace shardproxy
