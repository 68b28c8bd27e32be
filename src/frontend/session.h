// Session: the coroutine serving one client connection, from handshake to COM_QUIT. It owns
// the session state and decides which backend connection runs each statement.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backend/pool.h"
#include "common/asio.h"
#include "common/status.h"
#include "config/topology.h"
#include "frontend/packet_io.h"
#include "frontend/parameter_text.h"
#include "frontend/prepared_statement.h"
#include "frontend/result_row.h"
#include "frontend/server.h"
#include "frontend/session_state.h"
#include "frontend/statement_facts.h"
#include "merger/row_stream.h"
#include "parser/ast.h"
#include "protocol/column_definition.h"
#include "protocol/command.h"
#include "protocol/ok_err.h"
#include "rewriter/rewriter.h"
#include "router/router.h"
#include "router/sharding_rule.h"

namespace shardproxy::frontend {

class Session {
 public:
  Session(Worker& worker, Socket socket, std::string peerHost, bool unixSocket);
  ~Session();

  // Serves the client until it quits or the connection fails.
  awaitable<void> run();
  // Shutdown: an idle session closes now, a busy one after its current statement.
  void requestStop();
  // KILL from another session (called on this session's worker): stops the running statement
  // on the backend, and with `connection` also ends the session.
  void killedBy(bool connection);

 private:
  struct Target {
    const config::LogicalDatabase* database = nullptr;
    const config::DataSource* dataSource = nullptr;
    bool noDatabase = false;  // the client chose no database: the backend has none either
  };

  awaitable<bool> authenticate();
  awaitable<bool> dispatch(std::string_view payload);
  awaitable<void> handleQuery(std::string_view sql);
  awaitable<void> handleFieldList(std::string_view table, std::string_view wildcard);
  // Sends the statement to the backend as written (apart from session functions the proxy
  // answers). `statement` is null when the grammar did not take the text (several statements
  // in one COM_QUERY, vendor syntax, a syntax error): the backend judges it.
  awaitable<void> passThrough(std::string_view sql, const parser::ast::Statement* statement);
  // passThrough() on a chosen data source; true when the statement ran without error.
  awaitable<bool> runOn(const Target& target, std::string_view sql,
                        const parser::ast::Statement* statement);
  // DML on a database with sharding or broadcast rules: routed, rewritten and run on the units
  // (or, with `preview`, the units shown as rows of data_source_name, actual_sql).
  awaitable<void> executeRouted(const parser::ast::Statement& s, const router::ShardingRule& rule,
                                bool preview);
  // SHOW [FULL] TABLES of a sharded database: logical tables, never actual ones.
  awaitable<void> showLogicalTables(const parser::ast::Statement& s,
                                    const config::LogicalDatabase& db,
                                    const router::ShardingRule& rule);
  // SHOW COLUMNS / INDEX / CREATE TABLE and DESCRIBE of a logical table: answered from one of
  // its actual tables, with the logical names restored.
  awaitable<void> showTableMetadata(const parser::ast::Statement& s,
                                    const router::ShardingRule& rule);
  // After DDL that ran: the table catalog learns of single tables created, dropped, renamed.
  void noteTablesChanged(const parser::ast::Statement& s, const router::RouteResult& route);
  // A SELECT on several route units: run in parallel, merged as a stream (session_routed.cc).
  struct Lane;
  awaitable<void> executeMerged(const config::LogicalDatabase& db, const parser::ast::Statement& s,
                                const router::RouteResult& route,
                                const std::vector<rewriter::SqlUnit>& units,
                                const rewriter::MergeContext& merge);
  awaitable<void> runLane(Lane& lane, const std::vector<rewriter::SqlUnit>& units,
                          std::vector<std::unique_ptr<merger::RowStream>>& streams,
                          size_t maxMemoryRows);
  void writeMergedColumns(const backend::Connection& conn, const Target& target,
                          const router::RouteUnit& unit, size_t visible,
                          const rewriter::MergeContext& merge, uint16_t statusFlags);
  // BEGIN / COMMIT / ROLLBACK on a sharded database: LOCAL transactions, one per data source the
  // transaction touches (ShardingSphere's LOCAL type), started when first touched.
  awaitable<void> localTransaction(const parser::ast::Statement& s, std::string_view sql);
  // Sends `statement` (COMMIT or ROLLBACK) to every held connection in a transaction and ends
  // the session's LOCAL transaction. On failure the client has been told (when `report`) and
  // false is returned.
  awaitable<bool> endLocalTransaction(const std::string& statement, bool report);
  // ---- distributed transactions (session_xa.cc) ----
  // SET / SHOW [DIST] VARIABLE: the session's transaction type and what XA recovery did.
  void handleDistVariable(const DistVariableStatement& s);
  // Starts the XA transaction of a sharded database's BEGIN (or of the first statement with
  // autocommit off): its branches begin on each data source as it is touched (acquire()).
  void beginXa(bool readOnly = false);
  // Ends the XA transaction: two-phase commit over its branches (one phase for one branch), or
  // rollback. On failure the client has been told (when `report`) and false is returned.
  awaitable<bool> endXaTransaction(bool commit, bool report);
  // SAVEPOINT / ROLLBACK TO / RELEASE SAVEPOINT in a transaction over several data sources: on
  // every participant. A data source that joins later gets the savepoints set so far when it
  // joins, so that rolling back to one undoes its work too.
  awaitable<void> savepoint(const parser::ast::Statement& s);
  // The backend connections taking part in the transaction on the database in use.
  std::vector<backend::Connection*> participants();
  // Runs sql[i] on conns[i], all at once; the statuses in the same order.
  // (By value: a coroutine must not keep references to its caller's temporaries.)
  awaitable<std::vector<Status>> onEach(std::vector<backend::Connection*> conns,
                                        std::vector<std::string> sql);

  // PREVIEW <sql>: what would run where, without running it.
  awaitable<void> preview(std::string_view sql);
  // The rules of the database in use when they shard or broadcast anything; null otherwise.
  const router::ShardingRule* activeRules() const;
  Result<Target> targetFor(const config::LogicalDatabase& db, const std::string& dataSource) const;
  // A result set of text columns built by the proxy.
  void writeTextResult(const std::vector<std::string>& columns,
                       const std::vector<std::vector<std::string>>& rows);
  awaitable<void> showTables(const parser::ast::Statement& s);
  void showDatabases(const parser::ast::Statement& s);
  awaitable<void> showDatabasesWhere(const parser::ast::Statement& s);
  // SHOW ... WHERE over rows the proxy made: a backend evaluates `filter` on them as a derived
  // table `derivedName` with `columns`, of which the first `shown` are returned.
  awaitable<void> filterOnBackend(const Target& target, const std::vector<std::string>& columns,
                                  size_t shown, const std::vector<std::vector<std::string>>& rows,
                                  std::string_view derivedName, std::string_view filter);
  void selectDatabase(const std::string& columnName);
  Status useDatabase(const std::string& name);
  void statistics();
  void kill(const parser::ast::Statement& s);
  void resetConnection();

  // Streams every result of the statement just sent on `conn` to the client. `transform`, when
  // given, may change each text value (column index, value) before it is sent.
  using ValueTransform = std::function<void(unsigned column, std::string& value)>;
  awaitable<Status> relayResults(backend::Connection& conn, const Target& target,
                                 const std::map<std::string, std::string>* renameColumns,
                                 bool trackVariables, bool& stateChanged,
                                 const ValueTransform* transform = nullptr);

  Result<Target> route();
  awaitable<Result<HeldConnection>> acquire(const Target& target);
  // acquire(), answering the client with the error when it fails.
  awaitable<std::optional<HeldConnection>> acquireOrReport(const Target& target);
  void finish(const Target& target, HeldConnection held, bool sticky);

  // ---- prepared statements (session_prepared.cc) ----
  awaitable<void> handleStmtPrepare(std::string_view sql);
  awaitable<void> handleStmtExecute(const protocol::CommandPacket& c);
  void handleStmtSendLongData(const protocol::CommandPacket& c);
  void handleStmtClose(const protocol::CommandPacket& c);
  void handleStmtReset(const protocol::CommandPacket& c);
  void handleStmtFetch(const protocol::CommandPacket& c);
  // PREPARE name FROM ..., EXECUTE name [USING @v, ...], DEALLOCATE PREPARE name.
  awaitable<void> sqlPrepare(const parser::ast::Statement& s);
  awaitable<void> sqlExecute(const parser::ast::Statement& s);
  void sqlDeallocate(const parser::ast::Statement& s);
  // Checks `sql` as MySQL checks a statement to prepare: a backend prepares the form it would
  // run (actual table names) and says what it takes and returns, or why it refuses it.
  awaitable<Result<std::unique_ptr<PreparedStatement>>> describeStatement(std::string_view sql);
  // Runs `ps` with `literals` for its markers: its text goes through handleQuery(). With
  // `cursor`, the rows of a SELECT are kept for COM_STMT_FETCH.
  awaitable<void> executePrepared(PreparedStatement& ps, const std::vector<std::string>& literals,
                                  bool cursor);
  // User variables (`@a`, by name without the @), read from the backend connection that holds
  // them: each as a literal of its type, and its text (nullopt for NULL).
  struct UserVariable {
    std::string literal;
    std::optional<std::string> text;
  };
  awaitable<Result<std::vector<UserVariable>>> readUserVariables(
      const std::vector<std::string>& names);
  LiteralStyle literalStyle() const;
  Status preparedLimitReached() const;

  // ---- result sets: every proxy-written result set goes through these, so that it comes out in
  // the protocol (text or binary) the command asked for, or into a cursor ----
  void writeColumnCount(size_t count);
  void writeColumn(const protocol::ColumnDefinitionRef& c);
  void writeColumnsEnd(uint16_t statusFlags);
  std::string& beginRow();
  // Sends (or keeps, for a cursor) the row begun, or with `valid` false drops it.
  void endRow(bool valid = true);

  void writeOk(const protocol::OkPacket& ok);
  void writeError(const Status& s);
  // End of a result set (or COM_SET_OPTION): EOF, or OK with the 0xfe header.
  void writeEnd(uint16_t statusFlags, uint16_t warnings);
  void writeColumnDefinitions(const backend::Connection& conn, const Target& target,
                              const std::map<std::string, std::string>* renameColumns);
  static protocol::ColumnDefinitionRef columnDefinition(const MYSQL_FIELD& f, const Target& target);
  uint16_t statusFlags() const;
  std::string userAtHost() const;

  Worker& worker_;
  ServerContext& context_;
  std::shared_ptr<const config::Topology> topology_;
  Socket socket_;
  PacketIO io_;
  std::string peerHost_;
  bool unixSocket_;
  uint32_t connectionId_;

  const config::User* user_ = nullptr;
  uint32_t capabilities_ = 0;
  uint16_t collation_ = 0;
  std::string database_;  // logical database in use; empty if none
  bool multiStatements_ = false;
  SessionVariables variables_;
  // Backend connections kept between statements, by (logical database, data source).
  std::map<std::pair<std::string, std::string>, HeldConnection> held_;
  bool idle_ = false;  // waiting for the next command
  bool stopRequested_ = false;
  // Handlers that may outlive the session reach it through this; cleared when it goes.
  std::shared_ptr<Session*> self_ = std::make_shared<Session*>(this);
  // The backend connection of the previous statement, preferred for the next one so that
  // LAST_INSERT_ID(), FOUND_ROWS(), SHOW WARNINGS ... usually see it (identity only).
  const backend::Connection* lastConnection_ = nullptr;
  // The statement running on a backend, for KILL: where and on which backend thread.
  struct Running {
    std::string database;
    const config::DataSource* dataSource = nullptr;
    uint64_t threadId = 0;
  };
  std::vector<Running> running_;  // one per backend connection the statement runs on
  // In a LOCAL transaction on a sharded database: the statement that began it, replayed on each
  // data source the transaction touches.
  std::optional<std::string> localBegin_;
  std::string localDatabase_;  // the sharded database the LOCAL transaction belongs to
  enum class TransactionType { Local, Xa };
  TransactionType transactionType_ = TransactionType::Local;
  // The XA transaction in progress: its gtrid and the held connections (by held_ key) where a
  // branch started, in order.
  struct XaTransaction {
    std::string gtrid;
    bool readOnly = false;  // START TRANSACTION READ ONLY: each branch starts read-only
    std::vector<std::pair<std::string, std::string>> branches;
    bool has(const std::pair<std::string, std::string>& key) const {
      for (const auto& b : branches) {
        if (b == key) return true;
      }
      return false;
    }
  };
  std::optional<XaTransaction> xa_;
  // Savepoints of the transaction over several data sources, oldest first.
  std::vector<std::string> savepoints_;
  // SET TRANSACTION ... (next transaction only) on a sharded database: applied to each data
  // source as it joins the next transaction.
  std::optional<std::string> nextTransaction_;
  // The next OK packet relayed from a backend carries this last insert id instead (keys the
  // proxy generated for an INSERT).
  std::optional<uint64_t> insertIdOverride_;

  // Prepared statements by id (COM_STMT_*) and by lower-case name (SQL PREPARE).
  std::map<uint32_t, std::unique_ptr<PreparedStatement>> statements_;
  std::map<std::string, std::unique_ptr<PreparedStatement>> namedStatements_;
  uint32_t nextStatementId_ = 1;
  // How result rows are written now (binary while a COM_STMT_EXECUTE runs).
  ResultFormat result_;
  // While a statement runs for a cursor: its result set is kept here rather than sent, and the
  // column definitions go out only if the whole statement succeeds.
  struct Capture {
    std::vector<std::string> header;  // column count, definitions and EOF
    std::deque<std::string> rows;
    bool failed = false;    // an ERR went to the client
    bool tooLarge = false;  // more rows than proxy-merge-max-memory-rows
  };
  Capture* capture_ = nullptr;
};

}  // namespace shardproxy::frontend
