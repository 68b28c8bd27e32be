#include "frontend/session.h"

#include "common/log.h"
#include "frontend/authenticator.h"
#include "frontend/statement_facts.h"
#include "protocol/column_definition.h"
#include "protocol/command.h"
#include "protocol/constants.h"

namespace shardproxy::frontend {

namespace cap = protocol::cap;
namespace pstatus = protocol::status;
using protocol::Command;

namespace {

constexpr size_t kFlushBytes = 256 * 1024;
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);  // MySQL's connect_timeout

// Connections without a default database are held apart from the database's own.
std::pair<std::string, std::string> heldKey(const auto& target) {
  return {target.noDatabase ? std::string() : target.database->name, target.dataSource->name};
}

// A value a backend sent that is not of its column's type: the binary row cannot be made.
Status badValue(const std::string& dataSource) {
  return Status(er::kUnknownError, "HY000",
                "data source " + dataSource + " sent a value that does not match its column type");
}

// Flags the client may see: session tracking is not offered to clients.
uint16_t clientVisible(uint16_t backendStatus) {
  return backendStatus & static_cast<uint16_t>(~pstatus::kSessionStateChanged);
}

}  // namespace

Session::Session(Worker& worker, Socket socket, std::string peerHost, bool unixSocket)
    : worker_(worker),
      context_(worker.context()),
      topology_(context_.topology),
      socket_(std::move(socket)),
      io_(socket_, context_.options.maxAllowedPacket),
      peerHost_(std::move(peerHost)),
      unixSocket_(unixSocket),
      connectionId_(context_.nextConnectionId.fetch_add(1)) {
  worker_.add(this);
  if (topology_->transactionDefaultType == "XA") transactionType_ = TransactionType::Xa;
}

Session::~Session() {
  *self_ = nullptr;
  // Its branches end with the connections closed below (MySQL rolls back a branch that is not
  // prepared when its connection goes).
  if (xa_) context_.xaActive.remove(xa_->gtrid);
  context_.sessions.remove(connectionId_);
  // Held connections carry this session's transaction or state: they are closed, which also
  // rolls back an open transaction, never handed to another client.
  for (auto& [key, held] : held_) held.pool->discard(std::move(held.conn));
  worker_.remove(this);
  context_.connections.fetch_sub(1);
}

void Session::requestStop() {
  stopRequested_ = true;
  if (idle_) {
    boost::system::error_code ec;
    socket_.cancel(ec);
  }
}

awaitable<void> Session::run() {
  // The handshake must finish within kHandshakeTimeout, and shutdown may cut it short.
  idle_ = true;
  asio::steady_timer handshakeTimer(socket_.get_executor(), kHandshakeTimeout);
  handshakeTimer.async_wait([self = self_](const boost::system::error_code& ec) {
    if (ec || !*self) return;
    boost::system::error_code ignored;
    (*self)->socket_.cancel(ignored);
  });
  bool authenticated = co_await authenticate();
  Status flushed = co_await io_.flush();
  handshakeTimer.cancel();
  *self_ = nullptr;  // the timer must not cancel reads from now on
  self_ = std::make_shared<Session*>(this);
  idle_ = false;
  if (!authenticated || !flushed || stopRequested_) co_return;
  while (!stopRequested_) {
    io_.resetSequence();
    idle_ = true;
    auto packet = co_await io_.read();
    idle_ = false;
    if (!packet) {
      if (packet.status().code() == er::kNetPacketTooLarge ||
          packet.status().code() == er::kNetPacketsOutOfOrder) {
        writeError(packet.status());
        (co_await io_.flush()).ignoreError();
      }
      break;
    }
    bool keepGoing = co_await dispatch(*packet);
    Status flushed = co_await io_.flush();
    if (!keepGoing || !flushed) break;
  }
  boost::system::error_code ec;
  socket_.shutdown(asio::socket_base::shutdown_both, ec);
}

std::string Session::userAtHost() const {
  return user_ ? user_->name + "@" + user_->host : std::string();
}

uint16_t Session::statusFlags() const {
  uint16_t flags = pstatus::kAutocommit;
  if (localBegin_) flags |= pstatus::kInTrans;
  for (const auto& [key, held] : held_) {
    uint16_t s = held.conn->serverStatus();
    if (s & pstatus::kInTrans) flags |= pstatus::kInTrans;
    if (!(s & pstatus::kAutocommit)) flags &= static_cast<uint16_t>(~pstatus::kAutocommit);
  }
  auto it = variables_.values.find("autocommit");
  if (it != variables_.values.end() && it->second == "OFF") {
    flags &= static_cast<uint16_t>(~pstatus::kAutocommit);
  }
  return flags;
}

Status Session::useDatabase(const std::string& name) {
  if (!topology_->authority.mayAccess(*user_, name)) {
    return databaseAccessDenied(user_->name, user_->host, name);
  }
  if (!topology_->findDatabase(name)) return unknownDatabase(name);
  database_ = name;
  return Status::ok();
}

awaitable<bool> Session::dispatch(std::string_view payload) {
  auto command = protocol::decodeCommand(payload);
  if (!command) {
    // An empty packet is read as COM_SLEEP, which clients may not send.
    writeError(Status(er::kUnknownCom, "08S01", "Unknown command"));
    co_return true;
  }
  switch (command->command) {
    case Command::kQuit:
      co_return false;
    case Command::kPing:
      writeOk(protocol::OkPacket{0, 0, statusFlags(), 0, {}});
      break;
    case Command::kInitDb: {
      Status s = useDatabase(std::string(protocol::initDbSchema(*command)));
      if (s) {
        writeOk(protocol::OkPacket{0, 0, statusFlags(), 0, {}});
      } else {
        writeError(s);
      }
      break;
    }
    case Command::kQuery:
      context_.questions.fetch_add(1, std::memory_order_relaxed);
      co_await handleQuery(protocol::queryText(*command));
      break;
    case Command::kFieldList: {
      auto fl = protocol::decodeFieldList(*command);
      if (!fl) {
        writeError(Status(er::kMalformedPacket, "HY000", "Malformed communication packet."));
        break;
      }
      co_await handleFieldList(fl->table, fl->wildcard);
      break;
    }
    case Command::kSetOption: {
      auto option = protocol::decodeSetOption(*command);
      if (!option || *option > 1) {
        writeError(Status(er::kUnknownCom, "08S01", "Unknown command"));
        break;
      }
      multiStatements_ = *option == 0;
      writeEnd(statusFlags(), 0);
      break;
    }
    case Command::kResetConnection:
      resetConnection();
      writeOk(protocol::OkPacket{0, 0, statusFlags(), 0, {}});
      break;
    case Command::kStatistics:
      statistics();
      break;
    case Command::kStmtPrepare:
      co_await handleStmtPrepare(protocol::queryText(*command));
      break;
    case Command::kStmtExecute:
      context_.questions.fetch_add(1, std::memory_order_relaxed);
      co_await handleStmtExecute(*command);
      break;
    case Command::kStmtFetch:
      handleStmtFetch(*command);
      break;
    case Command::kStmtReset:
      handleStmtReset(*command);
      break;
    case Command::kStmtClose:
      handleStmtClose(*command);  // no reply
      break;
    case Command::kStmtSendLongData:
      handleStmtSendLongData(*command);  // no reply
      break;
    default:
      writeError(Status(er::kUnknownCom, "08S01", "Unknown command"));
      break;
  }
  co_return true;
}

awaitable<void> Session::handleQuery(std::string_view sql) {
  if (topology_->props.sqlShow) spdlog::info("Logic SQL: {}", sql);
  if (std::optional<std::string_view> previewed = previewTarget(sql)) {
    co_await preview(*previewed);
    co_return;
  }
  if (std::optional<DistVariableStatement> variable = distVariable(sql)) {
    handleDistVariable(*variable);
    co_return;
  }
  Result<parser::ast::Statement> parsed = worker_.statements().get(sql);
  if (!parsed) {
    spdlog::debug("not parsed ({}), sent as written: {}", parsed.status().toString(), sql);
    co_await passThrough(sql, nullptr);
    co_return;
  }
  const parser::ast::Statement& statement = parsed.value();
  using Kind = parser::ast::StatementKind;
  switch (statement.kind) {
    case Kind::Prepare:
      co_await sqlPrepare(statement);
      co_return;
    case Kind::Execute:
      co_await sqlExecute(statement);
      co_return;
    case Kind::Deallocate:
      sqlDeallocate(statement);
      co_return;
    default:
      break;
  }
  if (localBegin_ && statement.kind == Kind::Tcl) {
    using Tcl = parser::ast::TclKind;
    if (statement.tclKind == Tcl::Begin || statement.tclKind == Tcl::Commit ||
        statement.tclKind == Tcl::Rollback) {
      co_await localTransaction(statement, sql);
      co_return;
    }
    if (statement.tclKind == Tcl::Savepoint || statement.tclKind == Tcl::RollbackToSavepoint ||
        statement.tclKind == Tcl::ReleaseSavepoint) {
      co_await savepoint(statement);
      co_return;
    }
  }
  if (const router::ShardingRule* rules = activeRules()) {
    // With autocommit off every statement is in a transaction: in XA mode, an XA one.
    if (transactionType_ == TransactionType::Xa && !localBegin_ &&
        !(statusFlags() & pstatus::kAutocommit) && context_.xids &&
        (statement.kind == Kind::Select || statement.kind == Kind::Insert ||
         statement.kind == Kind::Replace || statement.kind == Kind::Update ||
         statement.kind == Kind::Delete)) {
      beginXa();
    }
    switch (statement.kind) {
      case Kind::Select:
      case Kind::Insert:
      case Kind::Replace:
      case Kind::Update:
      case Kind::Delete:
        co_await executeRouted(statement, *rules, false);
        co_return;
      case Kind::Ddl:
        if (!statement.ddl.tables.empty()) {
          // DDL commits the transaction first, on every data source, as MySQL does.
          if (!(co_await endLocalTransaction("COMMIT", true))) co_return;
          co_await executeRouted(statement, *rules, false);
          co_return;
        }
        break;
      case Kind::Tcl: {
        using Tcl = parser::ast::TclKind;
        if (statement.tclKind == Tcl::Begin || statement.tclKind == Tcl::Commit ||
            statement.tclKind == Tcl::Rollback) {
          co_await localTransaction(statement, sql);
          co_return;
        }
        bool autocommitOff = !(statusFlags() & pstatus::kAutocommit);
        if (autocommitOff &&
            (statement.tclKind == Tcl::Savepoint || statement.tclKind == Tcl::RollbackToSavepoint ||
             statement.tclKind == Tcl::ReleaseSavepoint)) {
          co_await savepoint(statement);
          co_return;
        }
        // SET TRANSACTION for the next transaction: each data source it touches gets it.
        if (statement.tclKind == Tcl::SetTransaction &&
            statement.transaction.scope == parser::ast::TransactionStatement::Scope::Next) {
          if (localBegin_) {
            writeError(Status(1568, "25001",
                              "Transaction characteristics can't be changed while a transaction "
                              "is in progress"));
            co_return;
          }
          nextTransaction_ = std::string(sql);
          writeOk(protocol::OkPacket{0, 0, statusFlags(), 0, {}});
          co_return;
        }
        break;
      }
      case Kind::Show:
      case Kind::Explain:
        if (statement.show.table != parser::ast::kNone) {
          co_await showTableMetadata(statement, *rules);
          co_return;
        }
        break;
      default:
        break;
    }
  }
  switch (statement.kind) {
    case Kind::Use: {
      Status s = useDatabase(statement.useDatabase.value);
      if (s) {
        writeOk(protocol::OkPacket{0, 0, statusFlags(), 0, {}});
      } else {
        writeError(s);
      }
      co_return;
    }
    case Kind::Show:
      if (statement.show.kind == parser::ast::ShowStatement::Kind::Databases) {
        if (statement.show.filterSpan.empty() || statement.show.like != parser::ast::kNone) {
          showDatabases(statement);
        } else {
          co_await showDatabasesWhere(statement);
        }
        co_return;
      }
      if (statement.show.kind == parser::ast::ShowStatement::Kind::Tables) {
        co_await showTables(statement);
        co_return;
      }
      break;
    case Kind::Select:
      if (auto column = selectDatabaseColumn(statement)) {
        selectDatabase(*column);
        co_return;
      }
      break;
    case Kind::Kill:
      kill(statement);
      co_return;
    default:
      break;
  }
  co_await passThrough(sql, &statement);
}

Result<Session::Target> Session::route() {
  Target t;
  if (database_.empty()) {
    // Statements outside any database (SELECT 1, SELECT @@version ...) go to the first
    // database the user may use.
    for (const auto& [name, db] : topology_->databases) {
      if (topology_->authority.mayAccess(*user_, name) && db.defaultDataSource()) {
        t.database = &db;
        break;
      }
    }
    if (!t.database) return Status(er::kNoDb, "3D000", "No database selected");
    t.noDatabase = true;
  } else {
    t.database = topology_->findDatabase(database_);
    if (!t.database) return unknownDatabase(database_);
  }
  t.dataSource = t.database->defaultDataSource();
  if (!t.dataSource) {
    return makeError(er::kUnknownError,
                     "database '" + t.database->name + "' has no data source configured");
  }
  return t;
}

awaitable<Result<HeldConnection>> Session::acquire(const Target& target) {
  auto key = heldKey(target);
  HeldConnection held;
  // A sharded database's transactions are LOCAL: one per data source, committed together.
  // Elsewhere a transaction stays on its one connection.
  bool local = target.database && context_.rules.count(target.database->name) &&
               !context_.rules.at(target.database->name)->empty();
  for (const auto& [otherKey, other] : held_) {
    bool sameDatabase = otherKey.first == key.first;
    if (otherKey != key && (other.conn->serverStatus() & pstatus::kInTrans) &&
        !(local && sameDatabase)) {
      co_return Status(er::kNotSupportedYet, "42000",
                       "unsupported: a transaction cannot span databases or data sources; "
                       "COMMIT or ROLLBACK it first");
    }
  }
  auto it = held_.find(key);
  if (it != held_.end()) {
    held = std::move(it->second);
    held_.erase(it);
    held.pinned = true;
  } else {
    backend::ConnectFlags flags{(capabilities_ & cap::kFoundRows) != 0, target.noDatabase};
    backend::Pool& pool = worker_.pools().pool(target.database->name, *target.dataSource, flags);
    auto conn = co_await pool.acquire(lastConnection_);
    if (!conn) co_return conn.status();
    held.pool = &pool;
    held.conn = std::move(conn.value());
  }
  Status s = co_await held.conn->setMultiStatements(multiStatements_);
  if (s) {
    bool noBackslashEscapes = held.conn->serverStatus() & pstatus::kNoBackslashEscapes;
    std::string sync = variables_.syncStatement(held.conn->appliedVariables(), noBackslashEscapes);
    if (!sync.empty()) {
      if (topology_->props.sqlShow) {
        spdlog::info("Actual SQL: {} ::: {}", target.dataSource->name, sync);
      }
      s = co_await held.conn->execute(sync);
      if (s) held.conn->appliedVariables() = variables_.values;
    }
  }
  // Inside a LOCAL transaction a data source joins it when first touched; inside an XA one it
  // starts a branch. With autocommit off, a connection new to the session joins the transaction
  // its first statement begins.
  bool joinsXa =
      s && xa_ && target.database && target.database->name == localDatabase_ && !xa_->has(key);
  bool joinsLocal = s && !xa_ && localBegin_ && target.database &&
                    target.database->name == localDatabase_ &&
                    !(held.conn->serverStatus() & pstatus::kInTrans);
  bool joinsImplicit = s && !localBegin_ && !held.pinned && target.database &&
                       target.database->name == database_ && !target.noDatabase &&
                       !(statusFlags() & pstatus::kAutocommit) && activeRules();
  bool joins = joinsXa || joinsLocal || joinsImplicit;
  if (joins && nextTransaction_) {
    if (topology_->props.sqlShow) {
      spdlog::info("Actual SQL: {} ::: {}", target.dataSource->name, *nextTransaction_);
    }
    s = co_await held.conn->execute(*nextTransaction_);
  }
  if (s && joinsXa) {
    txn::Xid xid{xa_->gtrid, target.dataSource->name};
    if (!txn::xidFits(xid)) {
      s = Status(er::kNotSupportedYet, "42000",
                 "unsupported: XA with a data source name longer than 64 bytes");
    } else {
      if (xa_->readOnly) {
        if (topology_->props.sqlShow) {
          spdlog::info("Actual SQL: {} ::: SET TRANSACTION READ ONLY", target.dataSource->name);
        }
        s = co_await held.conn->execute("SET TRANSACTION READ ONLY");
      }
      std::string start = "XA START " + txn::xidSql(xid);
      if (topology_->props.sqlShow) {
        spdlog::info("Actual SQL: {} ::: {}", target.dataSource->name, start);
      }
      if (s) s = co_await held.conn->execute(start);
      if (s) xa_->branches.push_back(key);
    }
  } else if (s && joinsLocal) {
    if (topology_->props.sqlShow) {
      spdlog::info("Actual SQL: {} ::: {}", target.dataSource->name, *localBegin_);
    }
    s = co_await held.conn->execute(*localBegin_);
  }
  // The savepoints set before it joined exist on it too, at the point it joined.
  for (size_t i = 0; s && joins && i < savepoints_.size(); ++i) {
    std::string sp = "SAVEPOINT " + quoteIdentifier(savepoints_[i]);
    if (topology_->props.sqlShow)
      spdlog::info("Actual SQL: {} ::: {}", target.dataSource->name, sp);
    s = co_await held.conn->execute(sp);
  }
  if (!s) {
    // The state this connection carried (a transaction, variables) is lost with it: as when it
    // breaks in finish(), the client loses its connection rather than go on without it.
    if (held.pinned || held.sticky) stopRequested_ = true;
    held.pool->discard(std::move(held.conn));
    co_return s;
  }
  co_return std::move(held);
}

void Session::finish(const Target& target, HeldConnection held, bool sticky) {
  backend::Connection& conn = *held.conn;
  lastConnection_ = &conn;
  if (conn.broken() || !conn.idleClean()) {
    // A connection that carried this client's transaction or state is gone: as with a server
    // that went away, the client loses its connection rather than go on without that state.
    if (conn.broken() && (held.pinned || held.sticky)) stopRequested_ = true;
    lastConnection_ = nullptr;
    held.pool->release(std::move(held.conn));
    return;
  }
  uint16_t s = conn.serverStatus();
  bool inTransaction =
      (s & pstatus::kInTrans) || !(s & pstatus::kAutocommit) || (xa_ && xa_->has(heldKey(target)));
  held.sticky = held.sticky || sticky;
  if (held.sticky || inTransaction) {
    auto key = heldKey(target);
    if (auto existing = held_.find(key); existing != held_.end()) {
      // One connection per data source carries the session's state; a second one cannot be
      // kept beside it (lanes are limited to one in a transaction, so this is a safety net).
      spdlog::warn("a second connection to {} held state; closing it", target.dataSource->name);
      held.pool->discard(std::move(held.conn));
      return;
    }
    held_[key] = std::move(held);
  } else {
    held.pool->release(std::move(held.conn));
  }
}

awaitable<std::optional<HeldConnection>> Session::acquireOrReport(const Target& target) {
  auto held = co_await acquire(target);
  if (!held) {
    writeError(held.status());
    co_return std::nullopt;
  }
  co_return std::move(held.value());
}

awaitable<void> Session::passThrough(std::string_view sql,
                                     const parser::ast::Statement* statement) {
  auto target = route();
  if (!target) {
    writeError(target.status());
    co_return;
  }
  co_await runOn(*target, sql, statement);
}

awaitable<bool> Session::runOn(const Target& targetRef, std::string_view sql,
                               const parser::ast::Statement* statement) {
  const Target* target = &targetRef;
  auto held = co_await acquireOrReport(*target);
  if (!held) co_return false;
  backend::Connection& conn = *held->conn;
  std::optional<std::string> substituted;
  // (Only the statement as the client wrote it: a rewritten unit's text is not `statement`'s.)
  if (statement && sql == statement->sql) {
    bool noBackslashEscapes = conn.serverStatus() & pstatus::kNoBackslashEscapes;
    substituted =
        substituteSessionFunctions(*statement, database_, connectionId_, noBackslashEscapes);
    if (substituted) sql = *substituted;
  }
  if (topology_->props.sqlShow) {
    spdlog::info("Actual SQL: {} ::: {}", target->dataSource->name, sql);
  }
  running_ = {Running{target->database->name, target->dataSource, conn.threadId()}};
  Status s = co_await conn.query(sql);
  bool stateChanged = false;
  bool executed = s.isOk();
  if (!s) {
    writeError(s);
  } else {
    s = co_await relayResults(conn, *target, nullptr, true, stateChanged);
  }
  running_.clear();
  // The connection stays with this client when the statement may have left state on it that
  // cannot be replayed elsewhere. Text the grammar did not take is judged by what it could
  // have done: anything, unless the server refused it before running any of it.
  bool sticky;
  if (statement) {
    sticky = leavesConnectionState(*statement) ||
             (stateChanged && !setsOnlySessionVariables(*statement));
  } else {
    sticky = executed;
  }
  finish(*target, std::move(*held), sticky);
  co_return s.isOk();
}

protocol::ColumnDefinitionRef Session::columnDefinition(const MYSQL_FIELD& f,
                                                        const Target& target) {
  protocol::ColumnDefinitionRef c;
  c.catalog = f.catalog ? std::string_view(f.catalog, f.catalog_length) : "def";
  c.schema = std::string_view(f.db ? f.db : "", f.db_length);
  // Clients see the logical database, not the data source's actual one.
  if (!c.schema.empty() && c.schema == target.dataSource->database) {
    c.schema = target.database->name;
  }
  c.table = std::string_view(f.table ? f.table : "", f.table_length);
  c.orgTable = std::string_view(f.org_table ? f.org_table : "", f.org_table_length);
  c.name = std::string_view(f.name ? f.name : "", f.name_length);
  c.orgName = std::string_view(f.org_name ? f.org_name : "", f.org_name_length);
  c.collation = static_cast<uint16_t>(f.charsetnr);
  c.length = static_cast<uint32_t>(f.length);
  c.type = static_cast<protocol::ColumnType>(f.type);
  c.flags = backend::serverFlags(f);
  c.decimals = static_cast<uint8_t>(f.decimals);
  return c;
}

void Session::writeColumnDefinitions(const backend::Connection& conn, const Target& target,
                                     const std::map<std::string, std::string>* renameColumns) {
  unsigned count = conn.fieldCount();
  const MYSQL_FIELD* fields = conn.fields();
  writeColumnCount(count);
  for (unsigned i = 0; i < count; ++i) {
    protocol::ColumnDefinitionRef c = columnDefinition(fields[i], target);
    if (renameColumns) {
      auto it = renameColumns->find(std::string(c.name));
      if (it != renameColumns->end()) c.name = it->second;
    }
    writeColumn(c);
  }
}

void Session::writeColumnCount(size_t count) {
  result_.clear();
  std::string& out = capture_ ? capture_->header.emplace_back() : io_.begin();
  protocol::encodeColumnCount(out, count);
  if (!capture_) io_.end();
}

void Session::writeColumn(const protocol::ColumnDefinitionRef& c) {
  result_.add(c);
  std::string& out = capture_ ? capture_->header.emplace_back() : io_.begin();
  protocol::encodeColumnDefinition(out, c);
  if (!capture_) io_.end();
}

void Session::writeColumnsEnd(uint16_t statusFlags) {
  if (capture_) {
    // The EOF after the definitions is how the client learns that a cursor is open; it is sent
    // even under CLIENT_DEPRECATE_EOF, as MySQL does.
    protocol::encodeEof(
        capture_->header.emplace_back(),
        protocol::EofPacket{0, static_cast<uint16_t>(statusFlags | pstatus::kCursorExists)});
    return;
  }
  if (!(capabilities_ & cap::kDeprecateEof)) {
    protocol::encodeEof(io_.begin(), protocol::EofPacket{0, statusFlags});
    io_.end();
  }
}

std::string& Session::beginRow() { return capture_ ? capture_->rows.emplace_back() : io_.begin(); }

void Session::endRow(bool valid) {
  if (!capture_) {
    if (valid) {
      io_.end();
    } else {
      io_.cancel();
    }
    return;
  }
  if (!valid) {
    capture_->rows.pop_back();
    return;
  }
  // A cursor's rows are held in memory, within the same bound as a merge's.
  if (capture_->rows.size() > static_cast<size_t>(topology_->props.proxyMergeMaxMemoryRows)) {
    capture_->tooLarge = true;
    capture_->rows.pop_back();
  }
}

awaitable<Status> Session::relayResults(backend::Connection& conn, const Target& target,
                                        const std::map<std::string, std::string>* renameColumns,
                                        bool trackVariables, bool& stateChanged,
                                        const ValueTransform* transform) {
  const size_t flushRows =
      static_cast<size_t>(std::max(1, topology_->props.proxyFrontendFlushThreshold));
  for (;;) {
    if (conn.fieldCount() > 0) {
      writeColumnDefinitions(conn, target, renameColumns);
      writeColumnsEnd(clientVisible(conn.serverStatus()));
      const unsigned columns = conn.fieldCount();
      size_t rows = 0;
      for (;;) {
        MYSQL_ROW row;
        Status s = co_await conn.fetchRow(row);
        if (!s) {
          writeError(s);
          co_return s;
        }
        if (!row) break;
        const unsigned long* lengths = conn.rowLengths();
        ResultRow out(beginRow(), result_);
        bool valid = true;
        for (unsigned i = 0; i < columns; ++i) {
          if (row[i] && transform) {
            std::string value(row[i], lengths[i]);
            (*transform)(i, value);
            valid = out.value(value) && valid;
          } else if (row[i]) {
            valid = out.value(std::string_view(row[i], lengths[i])) && valid;
          } else {
            out.null();
          }
        }
        endRow(valid);
        if (!valid) {
          Status bad = badValue(conn.dataSourceName());
          writeError(bad);
          co_await conn.drain();
          co_return bad;
        }
        if (++rows >= flushRows || io_.buffered() >= kFlushBytes) {
          rows = 0;
          Status f = co_await io_.flush();
          if (!f) co_return f;
        }
      }
      auto ok = conn.okInfo();
      writeEnd(clientVisible(ok.statusFlags), ok.warnings);
    } else {
      backend::OkInfo ok = conn.okInfo();
      if (trackVariables && (ok.statusFlags & pstatus::kSessionStateChanged)) {
        stateChanged = true;
        for (auto& [name, value] : conn.takeChangedVariables()) {
          conn.appliedVariables()[name] = value;
          // One-shot variables apply to the next statement only: never replayed.
          if (name == "insert_id" || name == "rand_seed1" || name == "rand_seed2") continue;
          variables_.values[name] = value;
        }
      }
      uint64_t insertId = ok.lastInsertId;
      if (insertIdOverride_) {
        insertId = *insertIdOverride_;
        insertIdOverride_.reset();
      }
      writeOk(protocol::OkPacket{ok.affectedRows, insertId, clientVisible(ok.statusFlags),
                                 ok.warnings, std::move(ok.info)});
    }
    if (!conn.moreResults()) break;
    Status s = co_await conn.nextResult();
    if (!s) {
      writeError(s);
      co_return s;
    }
  }
  co_return Status::ok();
}

void Session::writeOk(const protocol::OkPacket& ok) {
  protocol::encodeOk(io_.begin(), ok);
  io_.end();
}

void Session::writeError(const Status& s) {
  if (capture_) capture_->failed = true;
  protocol::encodeErr(io_.begin(), protocol::ErrPacket{s.code(), s.sqlState(), s.message()});
  io_.end();
}

void Session::writeEnd(uint16_t statusFlags, uint16_t warnings) {
  if (capture_) return;  // a cursor's end is sent by the COM_STMT_FETCH that reaches it
  if (capabilities_ & cap::kDeprecateEof) {
    protocol::encodeOk(io_.begin(), protocol::OkPacket{0, 0, statusFlags, warnings, {}}, true);
  } else {
    protocol::encodeEof(io_.begin(), protocol::EofPacket{warnings, statusFlags});
  }
  io_.end();
}

}  // namespace shardproxy::frontend
