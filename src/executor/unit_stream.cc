#include "executor/unit_stream.h"

#include <strings.h>

namespace shardproxy::executor {

namespace {

void copyRow(const backend::Connection& conn, MYSQL_ROW r, merger::Row& row) {
  unsigned n = conn.fieldCount();
  const unsigned long* lengths = conn.rowLengths();
  row.resize(n);
  for (unsigned i = 0; i < n; ++i) {
    row[i].null = r[i] == nullptr;
    if (r[i]) {
      row[i].text.assign(r[i], lengths[i]);
    } else {
      row[i].text.clear();
    }
  }
}

}  // namespace

awaitable<Result<bool>> ConnectionStream::next(merger::Row& row) {
  if (done_) co_return false;
  MYSQL_ROW r = nullptr;
  Status s = co_await conn_.fetchRow(r);
  if (!s) {
    done_ = true;
    co_return s;
  }
  if (!r) {
    done_ = true;
    co_return false;
  }
  copyRow(conn_, r, row);
  co_return true;
}

awaitable<Status> ConnectionStream::finish() {
  if (!done_) {
    done_ = true;
    co_return co_await conn_.drain();
  }
  co_return Status::ok();
}

awaitable<Result<bool>> MemoryStream::next(merger::Row& row) {
  if (next_ >= rows_.size()) co_return false;
  row = std::move(rows_[next_++]);
  co_return true;
}

awaitable<Result<std::vector<merger::Row>>> readAll(backend::Connection& conn, size_t maxRows) {
  std::vector<merger::Row> rows;
  for (;;) {
    MYSQL_ROW r = nullptr;
    Status s = co_await conn.fetchRow(r);
    if (!s) co_return s;
    if (!r) break;
    if (rows.size() >= maxRows) {
      co_await conn.drain();
      co_return Status(er::kNotSupportedYet, "HY000",
                       "unsupported: a shard returned more than " + std::to_string(maxRows) +
                           " rows that had to be held in memory (raise max-connections-size-per-"
                           "query to stream them)");
    }
    rows.emplace_back();
    copyRow(conn, r, rows.back());
  }
  co_return rows;
}

std::vector<merger::ColumnInfo> columnInfo(const backend::Connection& conn) {
  std::vector<merger::ColumnInfo> out;
  const MYSQL_FIELD* fields = conn.fields();
  for (unsigned i = 0; i < conn.fieldCount(); ++i) {
    const MYSQL_FIELD& f = fields[i];
    merger::ColumnInfo c;
    c.label = std::string(f.name ? f.name : "", f.name_length);
    c.type = static_cast<uint8_t>(f.type);
    c.isUnsigned = (f.flags & UNSIGNED_FLAG) != 0;
    c.collation = static_cast<uint16_t>(f.charsetnr);
    c.binary = f.charsetnr == 63;
    c.decimals = static_cast<uint8_t>(f.decimals);
    c.length = static_cast<uint32_t>(f.length);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace shardproxy::executor
