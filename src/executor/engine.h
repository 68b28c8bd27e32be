// The engine: runs a parsed statement on the backends for one session and writes its result to
// a sink. Statements on sharded databases are routed (router/), rewritten per route unit
// (rewriter/), run on the units' data sources (several units of a SELECT in parallel lanes,
// merged as a stream by merger/), and the writes of several units summed into one OK; the rest
// goes as written to the session's data source. Transaction statements on sharded databases
// (BEGIN, COMMIT, ROLLBACK, savepoints, SET TRANSACTION) are the session's transaction's.
//
// Every backend is reached through the session's connections (executor/shard_session.h), so the
// engine is unit-tested against fake connections.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/asio.h"
#include "common/status.h"
#include "executor/result_columns.h"
#include "executor/result_sink.h"
#include "executor/shard_session.h"
#include "merger/row_stream.h"
#include "parser/ast.h"
#include "protocol/column_definition.h"
#include "rewriter/rewriter.h"
#include "router/router.h"

namespace shardproxy::merger {
struct AggregateNotes;
}  // namespace shardproxy::merger

namespace shardproxy::executor {

class Engine {
 public:
  Engine(ShardSession& session, ResultSink& sink) : session_(session), sink_(sink) {}

  // Statements the engine runs: the session's transaction statements in any database (DDL and
  // LOCK TABLES commit it first), routed DML and DDL of a sharded database's tables. Runs `s`
  // and returns true; false for anything else, which the caller answers or passes through.
  awaitable<bool> executeSharded(const parser::ast::Statement& s);

  // Sends the statement to the session's data source as written (apart from session functions
  // the proxy answers). `statement` is null when the grammar did not take the text (several
  // statements, vendor syntax, a syntax error): the backend judges it.
  awaitable<void> passThrough(std::string_view sql, const parser::ast::Statement* statement);
  // passThrough() on a chosen data source; true when the statement ran without error.
  awaitable<bool> runOn(const Target& target, std::string_view sql,
                        const parser::ast::Statement* statement,
                        const ResultColumns* columns = nullptr);

  // DML or DDL on a database with rules: routed, rewritten and run on the units; with
  // `preview`, the units shown as rows of data_source_name, actual_sql instead.
  awaitable<void> executeRouted(const parser::ast::Statement& s, const router::ShardingRule& rule,
                                bool preview);

  // Runs `sql` (made by the proxy) on `target` and relays its result; `transform`, when given,
  // may change each text value (column index, value) before it is sent, `renameColumns` the
  // column names. A failed query's error goes through `errorText` first when given.
  using ValueTransform = std::function<void(unsigned column, std::string& value)>;
  struct RelayOptions {
    const std::map<std::string, std::string>* renameColumns = nullptr;
    const ValueTransform* transform = nullptr;
    std::function<std::string(std::string)> errorText;
    const ResultColumns* columns = nullptr;  // a routed statement's columns in logical terms
    // Last say on each column's definition (names and origin the client sees).
    std::function<void(protocol::ColumnDefinitionRef&)> column;
  };
  awaitable<void> queryAndRelay(const Target& target, const std::string& sql,
                                const RelayOptions& options);

  // Streams every result of the statement just sent on `conn` to the sink. With
  // `trackVariables`, session variables the server reports changed become the session's.
  awaitable<Status> relayResults(ShardConnection& conn, const Target& target,
                                 const RelayOptions& options, bool trackVariables,
                                 bool& stateChanged);

  // A connection for `target`, or the error written to the sink.
  awaitable<std::optional<HeldConnection>> acquireOrReport(const Target& target);

  // The column as the client sees it: the logical database in place of the actual one.
  static protocol::ColumnDefinitionRef clientColumn(protocol::ColumnDefinitionRef c,
                                                    const Target& target);

  // The rows of a query the proxy runs for itself (SHOW FULL TABLES on each data source ...).
  struct Rows {
    std::vector<protocol::ColumnDefinition> columns;
    std::vector<std::vector<std::optional<std::string>>> rows;
  };
  // SELECT @@SESSION.sql_mode on `conn` after a SET of it: the session's lexing follows it.
  // When it cannot be read, the session is closed (its SET has been answered already).
  awaitable<Status> readBackSqlMode(ShardConnection& conn, const Target& target);
  awaitable<Result<Rows>> fetch(const Target& target, const std::string& sql);

  // What a statement to prepare takes and returns (MySQL's checks at prepare time): a backend
  // prepares the form the proxy would run (one route unit's actual tables on a sharded
  // database, else the text as written where the session's statements go) and describes it;
  // the columns come with logical database and table names. nullopt when no backend can
  // describe it: DDL and SHOW of a logical table, whose syntax the parser has checked (all
  // MySQL checks for them too). `parsed` is null when the grammar did not take the text.
  struct Prepared {
    unsigned params = 0;
    std::vector<protocol::ColumnDefinition> columns;
  };
  awaitable<Result<std::optional<Prepared>>> prepare(const parser::ast::Statement* parsed,
                                                     std::string_view sql);

 private:
  struct Lane;
  awaitable<void> transactionStatement(const parser::ast::Statement& s);
  awaitable<void> executeMerged(const config::LogicalDatabase& db, const parser::ast::Statement& s,
                                const router::RouteResult& route,
                                const std::vector<rewriter::SqlUnit>& units,
                                const merger::MergeSpec& merge, const ResultColumns& columns);
  Result<std::vector<Lane>> planLanes(const config::LogicalDatabase& db,
                                      const std::vector<rewriter::SqlUnit>& units);
  // Server status for the client while the lanes' connections are still the statement's.
  uint16_t mergedStatus(const std::vector<Lane>& lanes) const;
  // Writes the merged rows; false when the client went away.
  // False when the client went away; `failed`: the merge stopped at an error.
  awaitable<bool> streamMerged(merger::RowStream& rows, size_t visibleColumns,
                               const std::vector<Lane>& lanes, const merger::AggregateNotes& notes,
                               bool& failed);
  awaitable<void> runLane(Lane& lane, const std::vector<rewriter::SqlUnit>& units,
                          std::vector<std::unique_ptr<merger::RowStream>>& streams,
                          size_t maxMemoryRows, MemoryTracker& memory);
  void writeMergedColumns(const ShardConnection& conn, const Target& target,
                          const ResultColumns& columns, size_t visible, uint16_t statusFlags);
  awaitable<void> executeWrite(const config::LogicalDatabase& db, const parser::ast::Statement& s,
                               const router::RouteResult& route,
                               const std::vector<rewriter::SqlUnit>& units,
                               std::optional<uint64_t> generatedId);
  // After DDL that ran: the table catalog learns of single tables created, dropped, renamed.
  void noteTablesChanged(const parser::ast::Statement& s, const router::RouteResult& route);
  // After DDL that ran: the logical table's definition read again from one actual table.
  awaitable<void> refreshSchemas(const config::LogicalDatabase& db, const parser::ast::Statement& s,
                                 const router::RouteResult& route);

  // A backend's error in logical names (executor/logical_names.h).
  Status backendError(const Status& s, const Target& target) const;

  ShardSession& session_;
  ResultSink& sink_;
};

}  // namespace shardproxy::executor
