// Session: the coroutine serving one client connection, from handshake to COM_QUIT. It reads
// commands, keeps what the protocol makes the session's (capabilities, the database in use,
// prepared statements, cursors) and writes results in the protocol the command asked for; what
// a statement does is the proxy's own answer (admin/) or the engine's work (executor/).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/session_registry.h"
#include "common/asio.h"
#include "common/status.h"
#include "config/topology.h"
#include "executor/result_sink.h"
#include "executor/shard_session.h"
#include "frontend/packet_io.h"
#include "frontend/parameter_text.h"
#include "frontend/prepared_statement.h"
#include "frontend/result_row.h"
#include "frontend/server.h"
#include "parser/ast.h"
#include "protocol/column_definition.h"
#include "protocol/command.h"
#include "protocol/ok_err.h"
#include "protocol/server_handshake.h"

namespace shardproxy::frontend {

class Session final : public executor::ResultSink {
 public:
  // `reserved`: the connection took the one slot past proxy-frontend-max-connections, which
  // only an admin user may keep.
  Session(Worker& worker, Socket socket, std::string peerHost, bool unixSocket,
          bool reserved = false);
  // With the configuration `services` (the one in force when the client connected).
  Session(Worker& worker, Socket socket, std::string peerHost, bool unixSocket, bool reserved,
          std::shared_ptr<executor::Services> services);
  ~Session() override;

  // Serves the client until it quits or the connection fails.
  awaitable<void> run();
  // Shutdown: an idle session closes now, a busy one after its current statement.
  void requestStop();
  // Graceful shutdown: the session closes once it is between statements with nothing open (no
  // transaction, no table locks): at once when it is idle so now, otherwise after the statement
  // or the transaction ends.
  void drain();
  // KILL from another session (called on this session's worker): stops the running statement
  // on the backend, and with `connection` also ends the session.
  void killedBy(bool connection);

  // ---- executor::ResultSink: every result goes through these, so that it comes out in the
  // protocol (text or binary) the command asked for, or into a cursor ----
  void columnCount(size_t count) override;
  void column(const protocol::ColumnDefinitionRef& c) override;
  void columnsEnd(uint16_t statusFlags) override;
  void beginRow() override;
  bool value(std::string_view text) override;
  void null() override;
  void endRow(bool valid = true) override;
  void end(uint16_t statusFlags, uint16_t warnings) override;
  void ok(const protocol::OkPacket& ok) override;
  void error(const Status& s) override;
  bool rowWritten() override;
  Status stopped() const override { return capture_ ? capture_->memoryError : Status::ok(); }
  awaitable<Status> flush() override { return io_.flush(); }

 private:
  awaitable<bool> authenticate();
  // COM_CHANGE_USER: logs in again as the account the request names; false (an ERR written)
  // when it fails, which ends the session as in MySQL.
  awaitable<bool> changeUser(const protocol::CommandPacket& command);
  // The connection phase with a client, until the login is decided; true when it succeeded.
  awaitable<bool> converse(protocol::ServerHandshake& handshake,
                           protocol::ServerHandshake::Step step);
  protocol::ServerHandshakeSettings handshakeSettings(uint32_t capabilities) const;
  // The session runs as `user` from now on, in `database` if one is named (false, an ERR
  // written, when the user may not use it); writes the OK.
  bool loggedIn(const config::User& user, const std::string& database);
  // Waits `delay` without holding up the worker; false when the session must stop instead.
  awaitable<bool> holdBack(std::chrono::milliseconds delay);
  awaitable<bool> dispatch(std::string_view payload);
  // COM_QUERY: a statement, or several with CLIENT_MULTI_STATEMENTS, each by runStatement().
  awaitable<void> handleQuery(std::string_view sql);
  // One statement: parsed, through the gate, then run. Text the grammar does not take is 1064.
  awaitable<void> runStatement(std::string_view sql);
  // The AST of `sql`: from the worker's statement cache, or for a statement too large for it,
  // parsed on the server's parse pool while this worker serves its other sessions.
  awaitable<Result<parser::ast::Statement>> parse(std::string_view sql, parser::LexMode mode);
  // The gate (binder/): the statement bound to the logical databases, or the error for the
  // client. `statement` is what runs (the bound text parsed again when the binder replaced part
  // of it), `database` the logical database it runs in.
  struct Gated {
    parser::ast::Statement statement;
    std::string database;
    bool logicalInformationSchema = false;  // binder::BoundStatement's
  };
  Result<Gated> gate(parser::ast::Statement statement);
  Status useDatabase(const std::string& name);
  // LOAD DATA LOCAL INFILE (session_load_data.cc): asks the client for its file and loads it.
  awaitable<void> loadLocalFile(const parser::ast::Statement& s);
  void resetConnection();
  void writeOk() { ok(protocol::OkPacket{0, 0, shard_.statusFlags(), 0, {}}); }

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

  std::string userAtHost() const;

  // ---- timeouts and time limits (session_timeouts.cc) ----
  // The proxy's own session variables (executor::proxyVariable()) at login: the props' global
  // values, wait_timeout from interactive_timeout for a CLIENT_INTERACTIVE client.
  void initProxyVariables();
  // SET of the proxy's own variables among others: checks and takes them; `rest` is the SET of
  // the other items (empty when none), `taken` whether there were any of the proxy's. The
  // values apply once the rest has run without error (applyProxyVariables()).
  struct ProxyAssignments {
    std::vector<std::pair<std::string, int64_t>> values;
    std::string rest;
  };
  Result<std::optional<ProxyAssignments>> proxyAssignments(const parser::ast::Statement& s) const;
  void applyProxyVariables(const ProxyAssignments& a);
  // The watchdog of the client connection's timeouts (wait_timeout or interactive_timeout
  // between commands, net_read_timeout inside a packet, net_write_timeout while a result waits
  // for the client): checks what the session waits for now and ends it when that took too long.
  void checkTimeouts();
  void armWatchdog(std::chrono::steady_clock::time_point at);
  // Called when the session starts waiting for a command.
  void idleStarts();
  // The session ends as MariaDB ends it on a timeout: silently, with a note in the log.
  void abortConnection(std::string_view why);
  // A statement's time limit (max_statement_time, max_execution_time or the SELECT's
  // MAX_EXECUTION_TIME hint): when it passes, the statement is stopped on every backend it runs
  // on and the client gets the limit's error.
  enum class Limit : uint8_t { kNone, kStatementTime, kExecutionTime };
  void startStatementTimer(const parser::ast::Statement& s);
  // `SET STATEMENT max_statement_time = N FOR ...` with no other variable: N; nullopt else.
  static std::optional<std::chrono::microseconds> setStatementLimit(
      const parser::ast::Statement& s);
  void stopStatementTimer();
  // The error for the client in place of `s` when a limit stopped the statement.
  Status limitErrorFor(const Status& s) const;

  Worker& worker_;
  ServerContext& context_;
  std::shared_ptr<const config::Topology> topology_;
  Socket socket_;
  PacketIO io_;
  std::string peerHost_;
  bool unixSocket_;
  bool reserved_;
  uint32_t connectionId_;

  std::string scramble_;  // sent in the greeting; COM_CHANGE_USER answers it too
  uint32_t capabilities_ = 0;
  uint16_t collation_ = 0;
  // The backend side: connections, transaction, session variables, the database in use.
  executor::ShardSession shard_;
  bool idle_ = false;  // waiting for the next command
  bool stopRequested_ = false;
  bool draining_ = false;  // drain(): ends when nothing is open
  // Moves to a reloaded configuration when one is in force and the session holds nothing open
  // (no backend connection, no transaction): called before each command.
  void adoptConfiguration();
  // A transaction or table locks that the client may still finish.
  bool holdsOpenWork() const;
  asio::steady_timer* holdBackTimer_ = nullptr;  // while holdBack() waits
  asio::steady_timer watchdog_;
  std::chrono::steady_clock::time_point idleSince_;
  bool timedOut_ = false;
  asio::steady_timer statementTimer_;
  Limit statementLimit_ = Limit::kNone;  // of the statement running now
  Limit interruptedBy_ = Limit::kNone;   // the limit passed: its error replaces the kill's
  uint64_t statementSerial_ = 0;         // which statement the timer is for
  // SET STATEMENT max_statement_time = N FOR: the statement's limit in place of the session's.
  std::optional<std::chrono::microseconds> statementTimeFor_;
  // Handlers that may outlive the session reach it through this; cleared when it goes.
  std::shared_ptr<Session*> self_ = std::make_shared<Session*>(this);

  // Prepared statements by id (COM_STMT_*) and by lower-case name (SQL PREPARE).
  std::map<uint32_t, std::unique_ptr<PreparedStatement>> statements_;
  std::map<std::string, std::unique_ptr<PreparedStatement>> namedStatements_;
  uint32_t nextStatementId_ = 1;
  // How result rows are written now (binary while a COM_STMT_EXECUTE runs).
  ResultFormat result_;
  std::optional<ResultRow> row_;  // the row being written
  size_t rowsSinceFlush_ = 0;
  // While a statement runs for a cursor: its result set is kept here rather than sent, and the
  // column definitions go out only if the whole statement succeeds.
  struct Capture {
    std::vector<std::string> header;  // column count, definitions and EOF
    std::deque<std::string> rows;
    bool failed = false;    // an ERR went to the client
    bool tooLarge = false;  // more rows than proxy-merge-max-memory-rows
    // The rows' bytes, within proxy-merge-max-memory-bytes and proxy-memory-limit; past them,
    // the error.
    std::unique_ptr<MemoryTracker> memory;
    Status memoryError;
  };
  Capture* capture_ = nullptr;
  // What SHOW PROCESSLIST shows of this session.
  std::shared_ptr<admin::Activity> activity_ = std::make_shared<admin::Activity>();
  // While the statements of a multi-statement COM_QUERY run: more follow this one.
  bool moreResults_ = false;
  bool failed_ = false;  // an ERR went to the client since it was last cleared
};

}  // namespace shardproxy::frontend
