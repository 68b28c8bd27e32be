// LOAD DATA LOCAL INFILE run by the proxy: the client's file is read packet by packet, cut into
// rows as MySQL reads them (executor/load_data_splitter.h), each row routed by the sharding rules
// like a one-row INSERT (keys generated, broadcast tables everywhere, single tables where they
// live), and the rows of each actual table sent as multi-row INSERT IGNORE / REPLACE of bounded
// size. The whole file is one statement: without a transaction it gets one of its own (XA when
// that is the session's type) and every shard commits or none does; in a transaction it joins
// it. The OK carries MySQL's counts (Records, Deleted, Skipped, Warnings).
//
// Why INSERTs and not LOAD DATA LOCAL to each backend: the rows must be split by sharding key
// and keys generated, which needs the rows parsed here anyway; and libmysqlclient's local-infile
// callbacks are blocking reads, which a worker that serves many sessions cannot make.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/asio.h"
#include "common/status.h"
#include "executor/load_data_splitter.h"
#include "executor/result_sink.h"
#include "executor/shard_session.h"
#include "parser/ast.h"
#include "parser/load_data.h"
#include "router/router.h"

namespace shardproxy::executor {

// The client's side of the file transfer.
class LocalFile {
 public:
  virtual ~LocalFile() = default;
  // The next piece of the file; empty at its end. An error: the client connection failed.
  virtual awaitable<Result<std::string_view>> read() = 0;
};

class LoadData {
 public:
  // Multi-row INSERTs are cut at about this many bytes of SQL per actual table.
  static constexpr size_t kBatchBytes = 1024 * 1024;
  // ... and all of them together hold at most about this much (flushed when it is reached).
  static constexpr size_t kMaxBufferedBytes = 8 * 1024 * 1024;

  LoadData(ShardSession& session, ResultSink& sink);
  ~LoadData();

  // Checks `s` (a LOAD DATA LOCAL statement the gate let through) before the file is asked for:
  // unsupported options (1235), the table's columns. An error is for the client.
  awaitable<Status> prepare(const parser::ast::Statement& s);
  // The file name the client is asked for.
  const std::string& fileName() const { return options_.fileName; }

  // Reads the whole file from the client, loads it, and writes the OK or the error to the sink.
  // After an error the rest of the file is still read (the client sends it all). Returns an
  // error only when the client connection failed.
  awaitable<Status> run(LocalFile& file);

 private:
  struct Column {
    std::string name;
    std::string zero;  // what a missing field stores: the type's zero value, as MySQL's reset()
    // The logical table's metadata knows its type, so the router converts a field's text for it;
    // otherwise a field that reads as a number is routed as one (as a literal would be).
    bool typed = false;
  };
  struct Batch {
    std::string dataSource;
    std::string prefix;  // INSERT ... INTO `table` (columns) VALUES
    std::string values;
    size_t rows = 0;
    bool counted = true;  // its affected rows count (one copy of a broadcast table does)
  };

  // The columns the fields go to, with what a missing field stores.
  awaitable<Status> loadColumns();
  // Routes one row and appends it to its batches, flushing those that are full.
  awaitable<Status> add(const LoadDataRow& row, uint64_t rowNumber);
  awaitable<Status> flush(Batch& batch);
  // Sends every batch holding at least `atLeast` bytes of SQL, the data sources in parallel.
  awaitable<Status> flushRound(size_t atLeast);
  awaitable<void> flushLane(const std::vector<Batch*>& batches, Status& result);
  std::string literal(const LoadDataField& field) const;
  Batch& batchFor(const std::string& dataSource, const std::string& table, bool counted,
                  const std::string* keyColumn);

  ShardSession& session_;
  ResultSink& sink_;
  parser::LoadDataOptions options_;
  LoadDataFormat format_;
  const config::LogicalDatabase* db_ = nullptr;
  const router::ShardingRule* rules_ = nullptr;  // null: pass-through database
  std::optional<Target> passThrough_;
  std::vector<Column> columns_;
  std::string columnList_;  // `a`, `b`, ...
  bool noBackslashEscapes_ = false;
  bool strict_ = false;
  // Routing: a one-row INSERT of the columns with `?` for the values, routed per row (sharded
  // tables) or once (other tables of a database with rules).
  std::optional<parser::ast::Statement> template_;
  std::shared_ptr<const router::TableLocations> locations_;
  std::shared_ptr<const metadata::DatabaseSchema> schema_;
  std::unique_ptr<router::Router> router_;
  router::RouteOptions routeOptions_;
  bool sharded_ = false;
  std::optional<router::RouteResult> fixedRoute_;
  std::map<std::string, Batch> batches_;  // by data source and actual table
  size_t buffered_ = 0;                   // bytes of SQL the batches hold
  // Counts for the OK.
  uint64_t records_ = 0;
  uint64_t affected_ = 0;
  uint64_t warnings_ = 0;
  std::optional<uint64_t> firstKey_;
};

}  // namespace shardproxy::executor
