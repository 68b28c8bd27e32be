#include "executor/unit_stream.h"

#include <strings.h>

#include "merger/aggregate.h"

namespace shardproxy::executor {

namespace {

void copyRow(const ShardConnection& conn, const RowView& r, merger::Row& row) {
  unsigned n = conn.fieldCount();
  row.resize(n);
  for (unsigned i = 0; i < n; ++i) {
    row[i].null = r.values[i] == nullptr;
    if (r.values[i]) {
      row[i].text.assign(r.values[i], r.lengths[i]);
    } else {
      row[i].text.clear();
    }
  }
}

}  // namespace

awaitable<void> yieldToWorker() {
  co_await asio::post(co_await asio::this_coro::executor, use_awaitable);
}

awaitable<Result<bool>> ConnectionStream::next(merger::Row& row) {
  if (done_) co_return false;
  Status s = co_await conn_.fetchRow();
  const RowView r = conn_.row();
  if (!s) {
    done_ = true;
    co_return s;
  }
  if (!r.values) {
    done_ = true;
    co_return false;
  }
  copyRow(conn_, r, row);
  if (pacer_.due(merger::rowBytes(row))) co_await yieldToWorker();
  co_return true;
}

MemoryStream::~MemoryStream() {
  if (memory_) memory_->release(bytes_);
}

awaitable<Result<bool>> MemoryStream::next(merger::Row& row) {
  if (next_ >= rows_.size()) co_return false;
  row = std::move(rows_[next_++]);
  co_return true;
}

awaitable<Result<ReadAhead>> readAll(ShardConnection& conn, size_t maxRows, MemoryTracker* memory) {
  ReadAhead out;
  YieldPacer pacer;
  for (;;) {
    Status s = co_await conn.fetchRow();
    const RowView r = conn.row();
    if (!s) {
      if (memory) memory->release(out.bytes);
      co_return s;
    }
    if (!r.values) break;
    if (out.rows.size() >= maxRows) {
      if (memory) memory->release(out.bytes);
      co_return Status(er::kNotSupportedYet, "HY000",
                       "unsupported: a shard returned more than " + std::to_string(maxRows) +
                           " rows that had to be held in memory (raise max-connections-size-per-"
                           "query to stream them)");
    }
    out.rows.emplace_back();
    copyRow(conn, r, out.rows.back());
    size_t bytes = merger::rowBytes(out.rows.back());
    if (memory) {
      out.bytes += bytes;
      if (Status charged = memory->charge(bytes); !charged) {
        memory->release(out.bytes);
        co_return charged;
      }
    }
    if (pacer.due(bytes)) co_await yieldToWorker();
  }
  co_return out;
}

std::vector<merger::ColumnInfo> columnInfo(const ShardConnection& conn) {
  std::vector<merger::ColumnInfo> out;
  for (unsigned i = 0; i < conn.fieldCount(); ++i) {
    protocol::ColumnDefinitionRef f = conn.column(i);
    merger::ColumnInfo c;
    c.label = std::string(f.name);
    c.type = static_cast<uint8_t>(f.type);
    c.isUnsigned = (f.flags & protocol::colflag::kUnsigned) != 0;
    c.collation = f.collation;
    c.binary = f.collation == 63;
    c.decimals = f.decimals;
    c.length = f.length;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace shardproxy::executor
