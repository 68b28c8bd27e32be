// Route units' results as merger::RowStreams: streamed from a backend connection, or held in
// memory when several units share one connection one after another.
#pragma once

#include <vector>

#include "common/memory_budget.h"
#include "executor/shard_connection.h"
#include "merger/row_stream.h"

namespace shardproxy::executor {

// A reader of rows gives the worker back to its other sessions this often: a fetch from a
// server whose rows are already buffered completes without waiting, so a long merge would
// otherwise hold the worker until its last row.
inline constexpr size_t kYieldEveryRows = 256;
inline constexpr size_t kYieldEveryBytes = size_t{256} << 10;

// Counts what a reader has read; due() says when to yield.
class YieldPacer {
 public:
  bool due(size_t bytes) {
    ++rows_;
    bytes_ += bytes;
    if (rows_ < kYieldEveryRows && bytes_ < kYieldEveryBytes) return false;
    rows_ = 0;
    bytes_ = 0;
    return true;
  }

 private:
  size_t rows_ = 0;
  size_t bytes_ = 0;
};

// Lets the io_context run what else is ready, then resumes.
awaitable<void> yieldToWorker();

// The rows of the result set the connection is reading (after query() returned it).
class ConnectionStream : public merger::RowStream {
 public:
  explicit ConnectionStream(ShardConnection& conn) : conn_(conn) {}
  awaitable<Result<bool>> next(merger::Row& row) override;

 private:
  ShardConnection& conn_;
  YieldPacer pacer_;
  bool done_ = false;
};

// Rows read ahead into memory, `bytes` of them charged to `memory` (may be null) until the
// stream goes.
class MemoryStream : public merger::RowStream {
 public:
  explicit MemoryStream(std::vector<merger::Row> rows, MemoryTracker* memory = nullptr,
                        size_t bytes = 0)
      : rows_(std::move(rows)), memory_(memory), bytes_(bytes) {}
  ~MemoryStream() override;
  awaitable<Result<bool>> next(merger::Row& row) override;

 private:
  std::vector<merger::Row> rows_;
  MemoryTracker* memory_;
  size_t bytes_;
  size_t next_ = 0;
};

// Reads the connection's whole current result set into memory, at most `maxRows` rows (past
// that: an error naming the limit), their bytes charged to `memory` (may be null; past its
// limits: its error). On an error the rest of the result is left unread and nothing stays
// charged.
struct ReadAhead {
  std::vector<merger::Row> rows;
  size_t bytes = 0;  // charged to the tracker
};
awaitable<Result<ReadAhead>> readAll(ShardConnection& conn, size_t maxRows,
                                     MemoryTracker* memory = nullptr);

// The result columns of the connection's current result set, as the merger compares them.
std::vector<merger::ColumnInfo> columnInfo(const ShardConnection& conn);

}  // namespace shardproxy::executor
