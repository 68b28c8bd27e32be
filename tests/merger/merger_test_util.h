// Test helpers for merger/: in-memory unit streams, rows written as strings, and a driver that
// runs a stream's coroutines to the end on an io_context.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "merger/row_stream.h"

namespace shardproxy::merger::testing {

// A row from C strings; nullptr is NULL.
inline Row row(std::initializer_list<const char*> cells) {
  Row r;
  for (const char* c : cells) r.push_back(c ? Cell{false, c} : Cell{});
  return r;
}

// A unit's result: its rows, then the end or an error after `failAfter` rows.
class FakeStream : public RowStream {
 public:
  explicit FakeStream(std::vector<Row> rows, int* pulled = nullptr)
      : rows_(std::move(rows)), pulled_(pulled) {}
  FakeStream& failAfter(size_t n) {
    failAfter_ = n;
    return *this;
  }
  awaitable<Result<bool>> next(Row& row) override {
    if (pulled_) ++*pulled_;
    if (at_ == failAfter_) co_return makeError(2013, "Lost connection to MySQL server");
    if (at_ >= rows_.size()) co_return false;
    row = rows_[at_++];
    co_return true;
  }
  std::string describe() const override { return "Unit"; }

 private:
  std::vector<Row> rows_;
  int* pulled_;
  size_t at_ = 0;
  size_t failAfter_ = static_cast<size_t>(-1);
};

inline std::unique_ptr<RowStream> unit(std::vector<Row> rows, int* pulled = nullptr) {
  return std::make_unique<FakeStream>(std::move(rows), pulled);
}

inline std::vector<std::unique_ptr<RowStream>> units(std::vector<std::vector<Row>> all) {
  std::vector<std::unique_ptr<RowStream>> out;
  for (auto& rows : all) out.push_back(unit(std::move(rows)));
  return out;
}

// Reads at most `max` rows: all of them, or the error. Runs the stream's coroutines to the end
// on a fresh io_context.
inline Result<std::vector<Row>> drain(RowStream& stream, size_t max = 100000) {
  std::optional<Result<std::vector<Row>>> out;
  auto work = [](RowStream& s, size_t max,
                 std::optional<Result<std::vector<Row>>>& out) -> awaitable<void> {
    std::vector<Row> rows;
    Row row;
    while (rows.size() < max) {
      Result<bool> got = co_await s.next(row);
      if (!got) {
        out.emplace(got.status());
        co_return;
      }
      if (!*got) break;
      rows.push_back(row);
    }
    out.emplace(std::move(rows));
  };
  asio::io_context io;
  std::exception_ptr error;
  asio::co_spawn(io, work(stream, max, out), [&](std::exception_ptr e) { error = e; });
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

// Rows as "a,b|c,NULL" for readable expectations.
inline std::string text(const std::vector<Row>& rows) {
  std::string out;
  for (const Row& r : rows) {
    if (!out.empty()) out += "|";
    for (size_t i = 0; i < r.size(); ++i) {
      if (i > 0) out += ",";
      out += r[i].null ? "NULL" : r[i].text;
    }
  }
  return out;
}

// The merged rows of `stream` as text, or "error <code>: <message>".
inline std::string drainText(RowStream& stream) {
  auto rows = drain(stream);
  if (!rows)
    return "error " + std::to_string(rows.status().code()) + ": " + rows.status().message();
  return text(*rows);
}

// Columns: types from enum_field_types; strings in utf8mb4_general_ci (45) unless binary.
inline ColumnInfo column(std::string label, uint8_t type, uint8_t decimals = 0) {
  ColumnInfo c;
  c.label = std::move(label);
  c.type = type;
  c.decimals = decimals;
  c.collation = 63;
  c.binary = true;
  return c;
}
inline ColumnInfo intColumn(std::string label) { return column(std::move(label), 8); }
inline ColumnInfo decimalColumn(std::string label, uint8_t decimals) {
  return column(std::move(label), 246, decimals);
}
inline ColumnInfo doubleColumn(std::string label) { return column(std::move(label), 5, 31); }
inline ColumnInfo stringColumn(std::string label, uint16_t collation = 45) {
  ColumnInfo c = column(std::move(label), 253);
  c.collation = collation;
  c.binary =
      collation == 63 || collation == 46 || collation == 83;  // binary, utf8mb4_bin, utf8_bin
  return c;
}

}  // namespace shardproxy::merger::testing
