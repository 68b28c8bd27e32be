// Route units' results as merger::RowStreams: streamed from a backend connection, or held in
// memory when several units share one connection one after another.
#pragma once

#include <vector>

#include "executor/shard_connection.h"
#include "merger/row_stream.h"

namespace shardproxy::executor {

// The rows of the result set the connection is reading (after query() returned it).
class ConnectionStream : public merger::RowStream {
 public:
  explicit ConnectionStream(ShardConnection& conn) : conn_(conn) {}
  awaitable<Result<bool>> next(merger::Row& row) override;

 private:
  ShardConnection& conn_;
  bool done_ = false;
};

// Rows read ahead into memory.
class MemoryStream : public merger::RowStream {
 public:
  explicit MemoryStream(std::vector<merger::Row> rows) : rows_(std::move(rows)) {}
  awaitable<Result<bool>> next(merger::Row& row) override;

 private:
  std::vector<merger::Row> rows_;
  size_t next_ = 0;
};

// Reads the connection's whole current result set into memory, at most `maxRows` rows (past
// that: an error naming the limit).
awaitable<Result<std::vector<merger::Row>>> readAll(ShardConnection& conn, size_t maxRows);

// The result columns of the connection's current result set, as the merger compares them.
std::vector<merger::ColumnInfo> columnInfo(const ShardConnection& conn);

}  // namespace shardproxy::executor
