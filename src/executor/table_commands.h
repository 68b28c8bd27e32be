// Statements on whole logical tables, sent to every actual table on its data source:
// - LOCK TABLES / UNLOCK TABLES: each data source gets `LOCK TABLES` of the actual tables it
//   holds (aliases and lock types as written); the connections that took the locks stay with
//   the session (HeldConnection::locked), so its statements run where the locks are, until
//   UNLOCK TABLES, a new LOCK TABLES, START TRANSACTION or the end of the session.
// - FLUSH TABLES [t, ...] [WITH READ LOCK | FOR EXPORT] (admin users: RELOAD): on the data
//   sources of the named tables, or without names on every data source of the session's
//   logical database (of every logical database the user may use when none is in use); the
//   locking forms keep their connections as LOCK TABLES does.
// - CHECK / ANALYZE / OPTIMIZE / REPAIR / CHECKSUM TABLE: one statement per data source over its
// actual
//   tables, answered as MySQL does (Table, Op, Msg_type, Msg_text), one logical table at a time
//   under its logical name with the worst status of its actual tables; CHECKSUM TABLE the sum
//   of the actual tables' checksums (MySQL's is the 32-bit sum of its rows' checksums).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/asio.h"
#include "executor/result_sink.h"
#include "executor/shard_session.h"
#include "parser/ast.h"
#include "parser/table_statement.h"
#include "protocol/column_definition.h"

namespace shardproxy::executor {

class Engine;

class TableCommands {
 public:
  TableCommands(ShardSession& session, ResultSink& sink, Engine& engine)
      : session_(session), sink_(sink), engine_(engine) {}

  // Runs `s` when it is one of the statements above and returns true; false otherwise.
  awaitable<bool> execute(const parser::ast::Statement& s);

 private:
  awaitable<void> lockTables(const parser::ast::Statement& s, const config::LogicalDatabase& db);
  awaitable<void> flushTables(const parser::ast::Statement& s,
                              const parser::TableCommandShape& shape);
  awaitable<void> maintenance(const parser::ast::Statement& s,
                              const parser::TableCommandShape& shape,
                              const config::LogicalDatabase& db);
  // A result set of `rows` under `columns` (nullopt: NULL).
  void writeRows(std::vector<protocol::ColumnDefinition>& columns,
                 const std::vector<std::vector<std::optional<std::string>>>& rows);
  // Sends `sql` on `target` and keeps the connection as holding the session's table locks.
  awaitable<Status> takeLocks(const Target& target, const std::string& sql);

  ShardSession& session_;
  ResultSink& sink_;
  Engine& engine_;
};

}  // namespace shardproxy::executor
