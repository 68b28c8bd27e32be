// The seam between the engine and the backends: every statement the proxy sends to a data
// source goes through a ShardConnection, and every connection comes from a ConnectionSource.
// The real ones are pooled libmysqlclient connections (executor/pooled_connection.h); unit
// tests plug in fakes, so the engine, its lanes and the session's transactions run without a
// server.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "backend/connection.h"
#include "common/asio.h"
#include "common/status.h"
#include "config/topology.h"
#include "protocol/column_definition.h"
#include "txn/transaction.h"

namespace shardproxy::executor {

// Where a statement runs: a logical database and one of its data sources.
struct Target {
  const config::LogicalDatabase* database = nullptr;
  const config::DataSource* dataSource = nullptr;
  bool noDatabase = false;  // the client chose no database: the backend has none either
};

// One row of a result set in the text protocol: values[i] is null for SQL NULL.
struct RowView {
  const char* const* values = nullptr;  // null once the result set has ended
  const unsigned long* lengths = nullptr;
};

using OkInfo = backend::OkInfo;

class ShardConnection : public txn::Participant {
 public:
  // Sends one statement text (it may hold several statements) and reads the first result's
  // header; that result is current afterwards.
  virtual awaitable<Status> query(std::string_view sql) = 0;
  // The current result: a result set when fieldCount() > 0, else an OK.
  virtual unsigned fieldCount() const = 0;
  // Column i of the current result set as the server described it (valid until the next query).
  virtual protocol::ColumnDefinitionRef column(unsigned i) const = 0;
  // Reads the next row of the current result set, which row() then shows (`values` null at
  // its end). Two calls, so that the real connection's read is awaited without a frame of its
  // own for every row.
  virtual awaitable<Status> fetchRow() = 0;
  virtual RowView row() const = 0;
  virtual OkInfo okInfo() const = 0;
  // Status flags of the latest OK/EOF the server sent.
  virtual uint16_t serverStatus() const = 0;
  virtual bool moreResults() const = 0;
  virtual awaitable<Status> nextResult() = 0;
  // Reads and drops what is left of the current and following results.
  virtual awaitable<Status> drain() = 0;
  virtual bool idleClean() const = 0;
  virtual bool broken() const = 0;
  // Cheap check, on an idle connection, that the server has not closed it (killed, restarted).
  virtual bool looksAlive() const { return true; }
  virtual uint64_t threadId() const = 0;
  // What identifies the underlying connection across acquire and release (never dereferenced).
  virtual const void* identity() const = 0;

  // COM_FIELD_LIST: the table's columns, with their defaults.
  virtual awaitable<Status> listFields(const std::string& table, const std::string& wildcard) = 0;
  virtual unsigned listedFieldCount() const = 0;
  virtual protocol::ColumnDefinitionRef listedField(unsigned i) const = 0;
  // What the server would take and return for `sql` as a prepared statement.
  virtual awaitable<Result<backend::Connection::Description>> describe(std::string_view sql) = 0;

  virtual awaitable<Status> setMultiStatements(bool on) = 0;
  // Session variables the server reported changed by the last statement (session tracking),
  // and those applied on this connection beyond its connect-time state.
  virtual std::map<std::string, std::string> takeChangedVariables() = 0;
  virtual std::map<std::string, std::string>& appliedVariables() = 0;
};

class ConnectionSource {
 public:
  virtual ~ConnectionSource() = default;
  // A connection to `target`'s data source; the one with identity `preferred`, when it is idle
  // in the pool, is taken first.
  virtual awaitable<Result<std::unique_ptr<ShardConnection>>> acquire(const Target& target,
                                                                      bool foundRows,
                                                                      const void* preferred) = 0;
  // Back to the pool (closed when broken or with unread results).
  virtual void release(std::unique_ptr<ShardConnection> conn) = 0;
  // Closed: it holds client state that must not reach another client.
  virtual void discard(std::unique_ptr<ShardConnection> conn) = 0;
  // Stops the statement running on `threadId` of `target`'s server (KILL QUERY on another
  // connection), in the background.
  virtual void killQuery(const Target& target, uint64_t threadId) = 0;
  // Whether `target`'s data source is believed to answer (not marked down by health checks).
  virtual bool answering(const Target& target) = 0;
};

}  // namespace shardproxy::executor
