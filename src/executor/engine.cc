#include "executor/engine.h"

#include <strings.h>

#include <algorithm>

#include "common/log.h"
#include "common/run_all.h"
#include "executor/explain.h"
#include "executor/logical_names.h"
#include "executor/schema_loader.h"
#include "executor/statement_facts.h"
#include "executor/table_commands.h"
#include "executor/unit_stream.h"
#include "merger/plan.h"
#include "protocol/charset.h"
#include "protocol/constants.h"
#include "txn/coordinator.h"

namespace shardproxy::executor {

namespace ast = parser::ast;
namespace pstatus = protocol::status;

namespace {

bool isWrite(const ast::Statement& s) { return s.kind != ast::StatementKind::Select; }

// A value a backend sent that is not of its column's type: the binary row cannot be made.
Status badValue(const std::string& dataSource) {
  return Status(er::kUnknownError, "HY000",
                "data source " + dataSource + " sent a value that does not match its column type");
}

// Flags the client may see: session tracking is not offered to clients.
uint16_t clientVisible(uint16_t backendStatus) {
  return backendStatus & static_cast<uint16_t>(~pstatus::kSessionStateChanged);
}

protocol::ColumnDefinition owned(const protocol::ColumnDefinitionRef& c) {
  protocol::ColumnDefinition d;
  d.catalog = c.catalog;
  d.schema = c.schema;
  d.table = c.table;
  d.orgTable = c.orgTable;
  d.name = c.name;
  d.orgName = c.orgName;
  d.collation = c.collation;
  d.length = c.length;
  d.type = c.type;
  d.flags = c.flags;
  d.decimals = c.decimals;
  return d;
}

// SET [SESSION] autocommit = 1 | ON | TRUE (any item of the SET).
bool turnsAutocommitOn(const ast::Statement& s) {
  if (s.kind != ast::StatementKind::Set) return false;
  for (const ast::SetItem& item : s.set.items) {
    if (item.kind != ast::SetItem::Kind::Variable ||
        item.scope != ast::VariableScope::Session ||
        strcasecmp(item.name.value.c_str(), "autocommit") != 0) {
      continue;
    }
    std::string value(item.valueKeyword.empty() ? item.valueSpan.text(s.sql)
                                                : std::string_view(item.valueKeyword));
    if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"')) {
      value = value.substr(1, value.size() - 2);
    }
    for (const char* on : {"1", "ON", "TRUE"}) {
      if (strcasecmp(value.c_str(), on) == 0) return true;
    }
  }
  return false;
}

}  // namespace

namespace {

void writeTextColumns(ResultSink& sink, const std::vector<std::string>& columns,
                      uint16_t statusFlags) {
  sink.columnCount(columns.size());
  for (const std::string& name : columns) {
    protocol::ColumnDefinitionRef c;
    c.name = name;
    c.orgName = name;
    c.collation = protocol::kUtf8mb4GeneralCi;
    c.length = 4 * 1024;
    c.type = protocol::ColumnType::kVarString;
    sink.column(c);
  }
  sink.columnsEnd(statusFlags);
}

}  // namespace

void writeTextResult(ResultSink& sink, const std::vector<std::string>& columns,
                     const std::vector<std::vector<std::string>>& rows, uint16_t statusFlags) {
  writeTextColumns(sink, columns, statusFlags);
  for (const auto& row : rows) {
    sink.beginRow();
    for (const std::string& value : row) sink.value(value);  // strings: always valid
    sink.endRow();
  }
  sink.end(statusFlags, 0);
}

void writeNullableTextResult(ResultSink& sink, const std::vector<std::string>& columns,
                             const std::vector<std::vector<std::optional<std::string>>>& rows,
                             uint16_t statusFlags) {
  writeTextColumns(sink, columns, statusFlags);
  for (const auto& row : rows) {
    sink.beginRow();
    for (const std::optional<std::string>& value : row) {
      if (value) {
        sink.value(*value);
      } else {
        sink.null();
      }
    }
    sink.endRow();
  }
  sink.end(statusFlags, 0);
}

Status Engine::backendError(const Status& s, const Target& target) const {
  return logicalError(s, *target.database, session_.rulesOf(target.database->name));
}

protocol::ColumnDefinitionRef Engine::clientColumn(protocol::ColumnDefinitionRef c,
                                                   const Target& target) {
  // Clients see the logical database, not the data source's actual one.
  if (!c.schema.empty() && c.schema == target.dataSource->database) {
    c.schema = target.database->name;
  }
  return c;
}

awaitable<bool> Engine::executeSharded(const ast::Statement& s) {
  txn::Transaction& txn = session_.transaction();
  using Tcl = ast::TclKind;
  bool tcl = s.kind == ast::StatementKind::Tcl;
  bool savepoint = tcl && (s.tclKind == Tcl::Savepoint || s.tclKind == Tcl::RollbackToSavepoint ||
                           s.tclKind == Tcl::ReleaseSavepoint);
  bool beginOrEnd =
      tcl && (s.tclKind == Tcl::Begin || s.tclKind == Tcl::Commit || s.tclKind == Tcl::Rollback);
  // The transaction is the session's, over every logical database: its statements are answered
  // here whichever database is in use (or none). A savepoint outside any transaction is the
  // backend's to answer, as MySQL does (SAVEPOINT succeeds, ROLLBACK TO fails).
  if (beginOrEnd || (savepoint && session_.transactional())) {
    co_await transactionStatement(s);
    co_return true;
  }
  // SET TRANSACTION for the next transaction: each participant it touches gets it.
  if (tcl && s.tclKind == Tcl::SetTransaction &&
      s.transaction.scope == ast::TransactionStatement::Scope::Next) {
    if (Status st = txn.setNext(s.sql, session_.statusFlags() & pstatus::kInTrans); !st) {
      sink_.error(st);
    } else {
      sink_.ok(protocol::OkPacket{0, 0, session_.statusFlags(), 0, {}});
    }
    co_return true;
  }
  // DDL (but temporary tables), LOCK TABLES and turning autocommit on while it is off commit
  // the transaction first, on every participant, as MySQL does.
  bool commitsFirst = (s.kind == ast::StatementKind::Ddl && !s.ddl.temporary) ||
                      (tcl && s.tclKind == Tcl::LockTables) ||
                      (turnsAutocommitOn(s) && !(session_.statusFlags() & pstatus::kAutocommit));
  if (commitsFirst && session_.transactional()) {
    if (Status st = co_await session_.endTransaction(true); !st) {
      sink_.error(st);
      co_return true;
    }
  }
  // Statements on whole tables (locks, FLUSH, maintenance) and EXPLAIN, per actual table.
  if (co_await TableCommands(session_, sink_, *this).execute(s)) co_return true;
  if (s.kind == ast::StatementKind::Explain &&
      co_await Explain(session_, sink_, *this).execute(s)) {
    co_return true;
  }
  // With autocommit off every statement is in a transaction: in XA mode, an XA one.
  if (txn.type() == txn::TransactionType::Xa && !txn.open() &&
      !(session_.statusFlags() & pstatus::kAutocommit) && session_.services().coordinator &&
      (isDml(s) || s.kind == ast::StatementKind::LoadData)) {
    session_.beginImplicitTransaction();
  }
  const router::ShardingRule* rules = session_.activeRules();
  if (!rules) co_return false;
  if (isDml(s)) {
    co_await executeRouted(s, *rules, false);
    co_return true;
  }
  if (s.kind == ast::StatementKind::Ddl && !s.ddl.tables.empty()) {
    co_await executeRouted(s, *rules, false);
    co_return true;
  }
  co_return false;
}

awaitable<void> Engine::transactionStatement(const ast::Statement& s) {
  using Tcl = ast::TclKind;
  txn::Transaction& txn = session_.transaction();
  if (s.tclKind == Tcl::Savepoint || s.tclKind == Tcl::RollbackToSavepoint ||
      s.tclKind == Tcl::ReleaseSavepoint) {
    txn::SavepointOp op = s.tclKind == Tcl::Savepoint             ? txn::SavepointOp::Set
                          : s.tclKind == Tcl::RollbackToSavepoint ? txn::SavepointOp::RollbackTo
                                                                  : txn::SavepointOp::Release;
    Status st = co_await session_.savepoint(op, s.transaction.savepoint.value);
    if (!st) {
      sink_.error(st);
    } else {
      sink_.ok(protocol::OkPacket{0, 0, session_.statusFlags(), 0, {}});
    }
    co_return;
  }
  if (s.tclKind == Tcl::Begin) {
    // BEGIN lets go of the session's table locks, as MySQL does.
    if (session_.tablesLocked()) {
      if (Status st = co_await session_.unlockTables(); !st) {
        sink_.error(st);
        co_return;
      }
    }
    // BEGIN inside a transaction commits it first, as MySQL does.
    if (Status st = co_await session_.endTransaction(true); !st) {
      sink_.error(st);
      co_return;
    }
    session_.beginTransaction(s.sql, s.transaction.access == ast::AccessMode::ReadOnly);
    sink_.ok(protocol::OkPacket{0, 0, session_.statusFlags(), 0, {}});
    co_return;
  }
  // Participants get a plain COMMIT / ROLLBACK: AND CHAIN is the session's (the next
  // transaction begins on each data source when touched), RELEASE ends the client's session,
  // not the pooled backend connections.
  bool chain = s.transaction.chain == ast::Completion::Yes;
  bool release = s.transaction.release == ast::Completion::Yes;
  std::string begin = txn.open() ? txn.beginStatement() : "BEGIN";
  bool readOnly = txn.open() && txn.readOnly();
  if (Status st = co_await session_.endTransaction(s.tclKind == Tcl::Commit); !st) {
    sink_.error(st);
    co_return;
  }
  if (chain) session_.beginTransaction(begin, readOnly);
  sink_.ok(protocol::OkPacket{0, 0, session_.statusFlags(), 0, {}});
  if (release) session_.requestClose();
}

awaitable<std::optional<HeldConnection>> Engine::acquireOrReport(const Target& target) {
  auto held = co_await session_.acquire(target);
  if (!held) {
    sink_.error(held.status());
    co_return std::nullopt;
  }
  co_return std::move(held.value());
}

awaitable<void> Engine::passThrough(std::string_view sql, const ast::Statement* statement) {
  auto target = session_.route();
  if (!target) {
    sink_.error(target.status());
    co_return;
  }
  co_await runOn(*target, sql, statement);
}

awaitable<bool> Engine::runOn(const Target& target, std::string_view sql,
                              const ast::Statement* statement, const ResultColumns* columns) {
  auto held = co_await acquireOrReport(target);
  if (!held) co_return false;
  ShardConnection& conn = *held->conn;
  std::optional<std::string> substituted;
  // (Only the statement as the client wrote it: a rewritten unit's text is not `statement`'s.)
  if (statement && sql == statement->sql) {
    bool noBackslashEscapes = conn.serverStatus() & pstatus::kNoBackslashEscapes;
    substituted = substituteSessionFunctions(*statement, session_.identity(), noBackslashEscapes);
    if (substituted) sql = *substituted;
  }
  session_.logSql(target.dataSource->name, sql);
  session_.notRunning();
  session_.running(target, conn);
  Status s = co_await conn.query(sql);
  bool stateChanged = false;
  bool executed = s.isOk();
  if (!s) {
    sink_.error(backendError(s, target));
  } else {
    // SHOW WARNINGS | ERRORS: the backend's messages in logical names, as its errors.
    RelayOptions options;
    options.columns = columns;
    ValueTransform logicalMessages;
    if (statement && statement->kind == ast::StatementKind::Show &&
        statement->show.kind == ast::ShowStatement::Kind::Warnings) {
      const router::ShardingRule* rule = session_.rulesOf(target.database->name);
      logicalMessages = [&target, rule](unsigned column, std::string& value) {
        if (column == 2) value = logicalText(value, *target.database, rule);
      };
      options.transform = &logicalMessages;
    }
    std::string sqlModeBefore = session_.variables.value("sql_mode");
    s = co_await relayResults(conn, target, options, true, stateChanged);
    // The session's sql_mode decides how its next statements are read. Session tracking reports
    // the new value; when it did not (tracking turned off, or the same value), it is read back.
    if (s && statement && setsSessionSqlMode(*statement) &&
        session_.variables.value("sql_mode") == sqlModeBefore) {
      s = co_await readBackSqlMode(conn, target);
    }
  }
  session_.notRunning();
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
  session_.finish(target, std::move(*held), sticky);
  co_return s.isOk();
}

awaitable<Status> Engine::readBackSqlMode(ShardConnection& conn, const Target& target) {
  const std::string sql = "SELECT @@SESSION.sql_mode";
  session_.logSql(target.dataSource->name, sql);
  Status s = co_await conn.query(sql);
  std::optional<std::string> value;
  if (s && conn.fieldCount() == 1) {
    s = co_await conn.fetchRow();
    const RowView row = conn.row();
    if (s && row.values && row.values[0]) value.emplace(row.values[0], row.lengths[0]);
  }
  if (s && !conn.idleClean()) s = co_await conn.drain();
  if (s && value) {
    conn.appliedVariables()["sql_mode"] = *value;
    session_.variables.set("sql_mode", std::move(*value));
    co_return Status::ok();
  }
  // Without it the session's next statements could be read otherwise than the backend reads
  // them; the SET's own answer has gone out, so the session ends here.
  spdlog::warn("closing a session whose sql_mode cannot be read back from {}: {}",
               target.dataSource->name, s ? "no value" : s.message());
  session_.requestClose();
  co_return Status::ok();
}

awaitable<void> Engine::queryAndRelay(const Target& target, const std::string& sql,
                                      const RelayOptions& options) {
  auto held = co_await acquireOrReport(target);
  if (!held) co_return;
  ShardConnection& conn = *held->conn;
  session_.logSql(target.dataSource->name, sql);
  Status st = co_await conn.query(sql);
  bool stateChanged = false;
  if (!st) {
    if (options.errorText) st = Status(st.code(), st.sqlState(), options.errorText(st.message()));
    sink_.error(st);
  } else {
    co_await relayResults(conn, target, options, false, stateChanged);
  }
  session_.finish(target, std::move(*held), false);
}

awaitable<Status> Engine::relayResults(ShardConnection& conn, const Target& target,
                                       const RelayOptions& options, bool trackVariables,
                                       bool& stateChanged) {
  // The connection's flags, in a transaction when the session is: its transaction may be open
  // on other participants while this one has not begun one (autocommit off, no table touched).
  auto visible = [this](uint16_t backendStatus) {
    return static_cast<uint16_t>(clientVisible(backendStatus) |
                                 (session_.statusFlags() & pstatus::kInTrans));
  };
  for (;;) {
    if (const unsigned columns = conn.fieldCount(); columns > 0) {
      sink_.columnCount(columns);
      for (unsigned i = 0; i < columns; ++i) {
        protocol::ColumnDefinitionRef c = clientColumn(conn.column(i), target);
        if (options.columns) options.columns->apply(i, c);
        if (options.renameColumns) {
          auto it = options.renameColumns->find(std::string(c.name));
          if (it != options.renameColumns->end()) c.name = it->second;
        }
        if (options.column) options.column(c);
        sink_.column(c);
      }
      sink_.columnsEnd(visible(conn.serverStatus()));
      for (;;) {
        Status s = co_await conn.fetchRow();
        if (!s) {
          sink_.error(backendError(s, target));
          co_return s;
        }
        const RowView row = conn.row();
        if (!row.values) break;
        sink_.beginRow();
        bool valid = true;
        for (unsigned i = 0; i < columns; ++i) {
          if (row.values[i] && options.transform) {
            std::string value(row.values[i], row.lengths[i]);
            (*options.transform)(i, value);
            valid = sink_.value(value) && valid;
          } else if (row.values[i]) {
            valid = sink_.value(std::string_view(row.values[i], row.lengths[i])) && valid;
          } else {
            sink_.null();
          }
        }
        sink_.endRow(valid);
        if (!valid) {
          Status bad = badValue(conn.dataSource());
          sink_.error(bad);
          co_await conn.drain();
          co_return bad;
        }
        if (sink_.rowWritten()) {
          if (Status f = co_await sink_.flush(); !f) co_return f;
        }
      }
      OkInfo ok = conn.okInfo();
      sink_.end(visible(ok.statusFlags), ok.warnings);
    } else {
      OkInfo ok = conn.okInfo();
      if (trackVariables && (ok.statusFlags & pstatus::kSessionStateChanged)) {
        stateChanged = true;
        for (auto& [name, value] : conn.takeChangedVariables()) {
          conn.appliedVariables()[name] = value;
          // One-shot variables apply to the next statement only: never replayed.
          if (name == "insert_id" || name == "rand_seed1" || name == "rand_seed2") continue;
          // The proxy's own (client timeouts): never replayed on other backend connections.
          if (proxyVariable(name)) continue;
          session_.variables.set(name, value);
        }
      }
      uint64_t insertId = ok.lastInsertId;
      if (session_.insertIdOverride) {
        insertId = *session_.insertIdOverride;
        session_.insertIdOverride.reset();
      }
      sink_.ok(protocol::OkPacket{ok.affectedRows, insertId, visible(ok.statusFlags),
                                  ok.warnings, std::move(ok.info)});
    }
    if (!conn.moreResults()) break;
    Status s = co_await conn.nextResult();
    if (!s) {
      sink_.error(backendError(s, target));
      co_return s;
    }
  }
  co_return Status::ok();
}

awaitable<Result<Engine::Rows>> Engine::fetch(const Target& target, const std::string& sql) {
  auto held = co_await session_.acquire(target);
  if (!held) co_return held.status();
  ShardConnection& conn = *held->conn;
  session_.logSql(target.dataSource->name, sql);
  Rows out;
  Status s = co_await conn.query(sql);
  if (s) {
    for (unsigned i = 0; i < conn.fieldCount(); ++i) out.columns.push_back(owned(conn.column(i)));
    while (conn.fieldCount() > 0) {
      s = co_await conn.fetchRow();
      const RowView row = conn.row();
      if (!s || !row.values) break;
      auto& values = out.rows.emplace_back();
      for (unsigned i = 0; i < conn.fieldCount(); ++i) {
        if (row.values[i]) {
          values.emplace_back(std::string(row.values[i], row.lengths[i]));
        } else {
          values.emplace_back(std::nullopt);
        }
      }
    }
  }
  if (!conn.idleClean()) {
    Status d = co_await conn.drain();
    if (s) s = d;
  }
  session_.finish(target, std::move(*held), false);
  if (!s) co_return s;
  co_return out;
}

awaitable<void> Engine::executeRouted(const ast::Statement& s, const router::ShardingRule& rule,
                                      bool preview) {
  const std::string& database = session_.database;
  const config::LogicalDatabase* db = session_.topology().findDatabase(database);
  if (!db) {
    sink_.error(unknownDatabase(database));
    co_return;
  }
  const config::DataSource* fallback = db->defaultDataSource();
  std::shared_ptr<const router::TableLocations> locations =
      session_.services().tables.locations(database);
  router::Router router(rule, *locations, fallback ? fallback->name : std::string());
  router::RouteOptions options;
  options.database = database;
  std::shared_ptr<const metadata::DatabaseSchema> schema =
      session_.services().schemas.database(database);
  options.schema = schema.get();
  options.normalizeStrings = session_.topology().props.proxyNormalizeShardingStrings;
  // A read that any data source can answer goes to one this session already holds (its
  // transaction's, or where its state lives).
  if (auto held = session_.heldDataSource(database)) options.preferredDataSource = *held;
  auto route = router.route(s, options);
  if (!route) {
    sink_.error(route.status());
    co_return;
  }
  rewriter::RewriteOptions rewriteOptions;
  rewriteOptions.database = database;
  // Strings the rewriter writes are read by the backends in the session's sql_mode.
  rewriteOptions.noBackslashEscapes = session_.variables.lexMode().noBackslashEscapes();
  // The session functions answer with the proxy's values here too.
  SessionIdentity identity = session_.identity();
  identity.database = database;
  rewriteOptions.extra = sessionFunctionSplices(s, identity, rewriteOptions.noBackslashEscapes);
  merger::MergeSpec merge;
  auto units = rewriter::rewrite(s, *route, rewriteOptions, &merge);
  if (!units) {
    sink_.error(units.status());
    co_return;
  }
  if (preview) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& u : *units) rows.push_back({u.dataSource, u.sql});
    writeTextResult(sink_, {"data_source_name", "actual_sql"}, rows, session_.statusFlags());
    co_return;
  }
  // Under LOCK TABLES a statement runs where the session holds its locks: a data source holding
  // none has none of its tables locked (MySQL's 1100, naming the statement's first table).
  if (session_.tablesLocked()) {
    for (const rewriter::SqlUnit& unit : *units) {
      if (session_.holds(database, unit.dataSource)) continue;
      std::string table;
      for (const ast::ObjectName& o : s.objects) {
        if (o.kind == ast::ObjectName::Kind::Table) {
          table = o.name.value;
          break;
        }
      }
      if (table.empty()) break;  // no table: nothing to have locked (SELECT 1)
      sink_.error(Status(1100, "HY000", "Table '" + table + "' was not locked with LOCK TABLES"));
      co_return;
    }
  }
  // An UPDATE of a sharding column that keeps rows in place on one node: the other nodes its
  // WHERE reaches must hold no row it would have to move.
  for (const rewriter::SqlUnit& guard : rewriter::guardQueries(s, *route, rewriteOptions)) {
    auto target = session_.targetFor(*db, guard.dataSource);
    if (!target) {
      sink_.error(target.status());
      co_return;
    }
    auto rows = co_await fetch(*target, guard.sql);
    if (!rows) {
      sink_.error(backendError(rows.status(), *target));
      co_return;
    }
    if (!rows->rows.empty()) {
      const std::string& table = route->units.front().tables.front().logicTable;
      sink_.error(Status(er::kSsShardingValueUpdated, "44000",
                         "Can not update sharding value for table `" + table + "`."));
      co_return;
    }
  }
  std::optional<uint64_t> generatedId;
  if (route->generatedKeys && !route->generatedKeys->values.empty() &&
      route->generatedKeys->values.front().isIntegral()) {
    generatedId = static_cast<uint64_t>(route->generatedKeys->values.front().integer);
  }
  // Route units joined into one statement with UNION ALL answer the query as it is only when
  // the rows need no merging: no aggregates, grouping, DISTINCT, order or limit across them.
  bool needsMerge = route->units.size() > 1 && !isWrite(s) &&
                    (!merge.aggregates.empty() || merge.distinct || !merge.groupBy.empty() ||
                     !merge.orderBy.empty() || merge.offset || merge.count || merge.hasHaving ||
                     !merge.unsupported.empty());
  if (units->size() == 1 && !needsMerge) {
    auto target = session_.targetFor(*db, units->front().dataSource);
    if (!target) {
      sink_.error(target.status());
      co_return;
    }
    session_.insertIdOverride = generatedId;
    ResultColumns columns(s, route->units, database, schema.get(),
                          route->units.size() > units->size());
    bool ok = co_await runOn(*target, units->front().sql, &s, &columns);
    session_.insertIdOverride.reset();
    if (ok) {
      noteTablesChanged(s, *route);
      co_await refreshSchemas(*db, s, *route);
    }
    co_return;
  }
  if (!isWrite(s)) {
    if (!merge.unsupported.empty()) {
      sink_.error(Status(er::kNotSupportedYet, "42000", "unsupported: " + merge.unsupported));
      co_return;
    }
    ResultColumns columns(s, route->units, database, schema.get(),
                          route->units.size() > units->size());
    co_await executeMerged(*db, s, *route, *units, merge, columns);
    co_return;
  }
  co_await executeWrite(*db, s, *route, *units, generatedId);
}

awaitable<void> Engine::executeWrite(const config::LogicalDatabase& db, const ast::Statement& s,
                                     const router::RouteResult& route,
                                     const std::vector<rewriter::SqlUnit>& units,
                                     std::optional<uint64_t> generatedId) {
  // A write on several units: each runs in turn; the client gets one OK with the sums. Without
  // a transaction each unit commits on its own, as with ShardingSphere's LOCAL transactions.
  // Copies of broadcast tables are one table to the client: their counts are not added up.
  bool accumulate = route.kind != router::RouteResult::Kind::Broadcast;
  uint64_t affected = 0;
  uint32_t warnings = 0;
  bool first = true;
  for (const auto& unit : units) {
    auto target = session_.targetFor(db, unit.dataSource);
    if (!target) {
      sink_.error(target.status());
      co_return;
    }
    auto held = co_await acquireOrReport(*target);
    if (!held) co_return;
    ShardConnection& conn = *held->conn;
    session_.logSql(unit.dataSource, unit.sql);
    session_.notRunning();
    session_.running(*target, conn);
    Status st = co_await conn.query(unit.sql);
    // Results of a write are OK packets; anything else is read and dropped.
    while (st) {
      if (conn.fieldCount() > 0) {
        do {
          st = co_await conn.fetchRow();
        } while (st && conn.row().values);
        if (!st) break;
      } else {
        OkInfo ok = conn.okInfo();
        if (accumulate || first) {
          affected += ok.affectedRows;
          warnings += ok.warnings;
        }
      }
      if (!conn.moreResults()) break;
      st = co_await conn.nextResult();
    }
    session_.notRunning();
    first = false;
    session_.finish(*target, std::move(*held), leavesConnectionState(s));
    if (!st) {
      sink_.error(backendError(st, *target));
      co_return;
    }
  }
  noteTablesChanged(s, route);
  co_await refreshSchemas(db, s, route);
  sink_.ok(protocol::OkPacket{affected,
                              generatedId.value_or(0),
                              session_.statusFlags(),
                              static_cast<uint16_t>(std::min<uint32_t>(warnings, 0xffff)),
                              {}});
}

awaitable<void> Engine::refreshSchemas(const config::LogicalDatabase& db, const ast::Statement& s,
                                       const router::RouteResult& route) {
  using K = ast::DdlKind;
  if (s.kind != ast::StatementKind::Ddl || route.units.empty() ||
      (s.ddlKind != K::CreateTable && s.ddlKind != K::AlterTable && s.ddlKind != K::DropTable &&
       s.ddlKind != K::RenameTable && s.ddlKind != K::CreateIndex && s.ddlKind != K::DropIndex)) {
    co_return;
  }
  metadata::SchemaStore& schemas = session_.services().schemas;
  for (const ast::DdlTable& d : s.ddl.tables) {
    const std::string& name = s.tableRef(d.table).name.value;
    bool gone = d.role == ast::DdlTable::Role::Target &&
                (s.ddlKind == K::DropTable || s.ddlKind == K::RenameTable);
    if (gone) {
      schemas.drop(db.name, name);
      continue;
    }
    if (d.role != ast::DdlTable::Role::Target && d.role != ast::DdlTable::Role::RenameTo) continue;
    // One actual table describes the logical one: a sharded table's in the first unit, else
    // the table itself.
    const router::RouteUnit* unit = &route.units.front();
    std::string actual = name;
    for (const router::RouteUnit& u : route.units) {
      if (const std::string* a = u.actualTable(name)) {
        unit = &u;
        actual = *a;
        break;
      }
    }
    auto target = session_.targetFor(db, unit->dataSource);
    if (!target) continue;
    Result<Rows> columns = co_await fetch(*target, columnsQuery(actual));
    if (!columns) {
      spdlog::warn("database {}: cannot read the definition of `{}` after DDL: {}", db.name, name,
                   columns.status().message());
      continue;
    }
    Result<Rows> indexes = co_await fetch(*target, indexesQuery(actual));
    if (!indexes) {
      spdlog::warn("database {}: cannot read the indexes of `{}` after DDL: {}", db.name, name,
                   indexes.status().message());
      continue;
    }
    auto described = schemasFromRows(columns->rows, indexes->rows);
    auto it = described.find(router::lowerAscii(actual));
    if (it == described.end()) {
      schemas.drop(db.name, name);
      continue;
    }
    auto schema = std::make_shared<metadata::TableSchema>(std::move(it->second));
    schema->name = name;
    schemas.put(db.name, std::move(schema));
  }
}

void Engine::noteTablesChanged(const ast::Statement& s, const router::RouteResult& route) {
  // Single tables created, dropped or renamed through the proxy: the catalog follows, so later
  // statements find them where they now are.
  if (s.kind != ast::StatementKind::Ddl || route.kind != router::RouteResult::Kind::Single ||
      route.units.empty()) {
    return;
  }
  metadata::TableCatalog& tables = session_.services().tables;
  const std::string& database = session_.database;
  const std::string& ds = route.units.front().dataSource;
  for (const ast::DdlTable& d : s.ddl.tables) {
    const std::string& name = s.tableRef(d.table).name.value;
    if (s.ddlKind == ast::DdlKind::CreateTable && d.role == ast::DdlTable::Role::Target) {
      tables.added(database, name, ds);
    } else if (s.ddlKind == ast::DdlKind::DropTable && d.role == ast::DdlTable::Role::Target) {
      tables.dropped(database, name);
    } else if (s.ddlKind == ast::DdlKind::RenameTable || s.ddlKind == ast::DdlKind::AlterTable) {
      if (d.role == ast::DdlTable::Role::RenameTo) {
        tables.added(database, name, ds);
      } else if (d.role == ast::DdlTable::Role::Target && s.ddlKind == ast::DdlKind::RenameTable) {
        tables.dropped(database, name);
      }
    }
  }
}

// One backend connection of a merged SELECT and the units it runs, one after another: all but
// the last read into memory, the last streamed (ShardingSphere's connection-strictly mode when
// a data source has more units than max-connections-size-per-query allows connections).
struct Engine::Lane {
  Target target;
  std::optional<HeldConnection> held;
  std::vector<size_t> units;  // indices into the statement's SQL units, in order
  Status status = Status::ok();
};

awaitable<void> Engine::runLane(Lane& lane, const std::vector<rewriter::SqlUnit>& units,
                                std::vector<std::unique_ptr<merger::RowStream>>& streams,
                                size_t maxMemoryRows, MemoryTracker& memory) {
  auto held = co_await session_.acquire(lane.target);
  if (!held) {
    lane.status = held.status();
    co_return;
  }
  lane.held = std::move(*held);
  ShardConnection& conn = *lane.held->conn;
  session_.running(lane.target, conn);
  for (size_t k = 0; k < lane.units.size(); ++k) {
    const rewriter::SqlUnit& unit = units[lane.units[k]];
    session_.logSql(unit.dataSource, unit.sql);
    Status st = co_await conn.query(unit.sql);
    if (st && conn.fieldCount() == 0) {
      st = makeError(er::kUnknownError, "a shard answered a SELECT without a result set");
    }
    if (!st) {
      lane.status = backendError(st, lane.target);
      co_return;
    }
    if (k + 1 < lane.units.size()) {
      auto rows = co_await readAll(conn, maxMemoryRows, &memory);
      if (!rows) {
        lane.status = rows.status();
        co_return;
      }
      streams[lane.units[k]] =
          std::make_unique<MemoryStream>(std::move(rows->rows), &memory, rows->bytes);
    } else {
      streams[lane.units[k]] = std::make_unique<ConnectionStream>(conn);
    }
  }
}

Result<std::vector<Engine::Lane>> Engine::planLanes(const config::LogicalDatabase& db,
                                                    const std::vector<rewriter::SqlUnit>& units) {
  // Per data source, up to max-connections-size-per-query connections (one when the session
  // already holds that data source's connection: its transaction lives there), units dealt
  // round-robin.
  size_t perDataSource =
      static_cast<size_t>(std::max(1, session_.topology().props.maxConnectionsSizePerQuery));
  std::vector<Lane> lanes;
  std::map<std::string, std::vector<size_t>> lanesOf;  // data source -> lane indices
  std::map<std::string, size_t> dealt;
  for (size_t i = 0; i < units.size(); ++i) {
    const std::string& ds = units[i].dataSource;
    auto target = session_.targetFor(db, ds);
    if (!target) return target.status();
    std::vector<size_t>& mine = lanesOf[ds];
    // Inside a transaction (or with state on a held connection) a data source has one
    // connection: the transaction's.
    bool held = session_.holds(db.name, target->dataSource->name);
    size_t limit =
        (held || session_.transactional() || session_.tablesLocked()) ? 1 : perDataSource;
    if (mine.size() < limit) {
      mine.push_back(lanes.size());
      lanes.push_back(Lane{*target, std::nullopt, {}, Status::ok()});
    }
    lanes[mine[dealt[ds]++ % mine.size()]].units.push_back(i);
  }
  return lanes;
}

uint16_t Engine::mergedStatus(const std::vector<Lane>& lanes) const {
  // The lanes' connections join the session only after the merge: until then their
  // transaction status is theirs to report (autocommit=0 begins one on each).
  uint16_t flags = session_.statusFlags();
  for (const Lane& lane : lanes) {
    if (!lane.held || !lane.held->conn) continue;
    uint16_t st = lane.held->conn->serverStatus();
    if (st & pstatus::kInTrans) flags |= pstatus::kInTrans;
    if (!(st & pstatus::kAutocommit)) flags &= static_cast<uint16_t>(~pstatus::kAutocommit);
  }
  return flags;
}

awaitable<bool> Engine::streamMerged(merger::RowStream& rows, size_t visibleColumns,
                                     const std::vector<Lane>& lanes,
                                     const merger::AggregateNotes& notes, bool& failed) {
  merger::Row row;
  for (;;) {
    auto more = co_await rows.next(row);
    if (!more) {
      failed = true;
      sink_.error(more.status());  // an ERR ends the result set, as a server does
      co_return true;
    }
    if (!*more) {
      // Each GROUP_CONCAT value cut at group_concat_max_len is a warning (1260), as on a server.
      sink_.end(mergedStatus(lanes),
                static_cast<uint16_t>(std::min<uint64_t>(notes.cutValues, 0xffff)));
      co_return true;
    }
    sink_.beginRow();
    bool valid = true;
    for (size_t i = 0; i < visibleColumns && i < row.size(); ++i) {
      if (row[i].null) {
        sink_.null();
      } else {
        valid = sink_.value(row[i].text) && valid;
      }
    }
    sink_.endRow(valid);
    if (!valid) {
      failed = true;
      sink_.error(
          Status(er::kUnknownError, "HY000", "a merged value does not match its column type"));
      co_return true;
    }
    if (Status stop = sink_.stopped(); !stop) {
      failed = true;
      sink_.error(stop);
      co_return true;
    }
    if (sink_.rowWritten()) {
      if (Status f = co_await sink_.flush(); !f) co_return false;
    }
  }
}

awaitable<void> Engine::executeMerged(const config::LogicalDatabase& db, const ast::Statement& s,
                                      const router::RouteResult& route,
                                      const std::vector<rewriter::SqlUnit>& units,
                                      const merger::MergeSpec& merge,
                                      const ResultColumns& columns) {
  auto planned = planLanes(db, units);
  if (!planned) {
    sink_.error(planned.status());
    co_return;
  }
  std::vector<Lane>& lanes = *planned;
  // Every lane starts at once; the merge begins when all have their first results.
  merger::MergeLimits limits;
  limits.maxMemoryRows = static_cast<size_t>(session_.topology().props.proxyMergeMaxMemoryRows);
  limits.maxMemoryBytes = session_.topology().props.proxyMergeMaxMemoryBytes;
  // The session's value as the servers reported it (MariaDB's default until the client sets one).
  limits.groupConcatMaxLen = 1048576;
  if (auto it = session_.variables.values.find("group_concat_max_len");
      it != session_.variables.values.end()) {
    limits.groupConcatMaxLen = std::strtoull(it->second.c_str(), nullptr, 10);
  }
  // What the statement holds (rows read ahead, the merge's buffers), within
  // proxy-merge-max-memory-bytes and the process's proxy-memory-limit; declared before the
  // streams that charge it.
  MemoryTracker memory(session_.topology().props.proxyMergeMaxMemoryBytes,
                       session_.services().memory.get());
  limits.memory = &memory;
  std::vector<std::unique_ptr<merger::RowStream>> streams(units.size());
  session_.notRunning();
  co_await runAll(co_await asio::this_coro::executor, lanes.size(), [&](size_t i) {
    return runLane(lanes[i], units, streams, limits.maxMemoryRows, memory);
  });
  Status status = Status::ok();
  for (const Lane& lane : lanes) {
    if (!lane.status && status) status = lane.status;  // the first failure is the answer
  }
  std::optional<merger::MergePlan> plan;
  const Lane& first = lanes.front();
  if (status) {
    auto built =
        merger::buildMergePlan(merge, columnInfo(*first.held->conn), std::move(streams), limits);
    if (built) {
      plan = std::move(*built);
    } else {
      status = built.status();
    }
  }
  bool clientGone = false;
  bool mergeFailed = false;
  if (!status) {
    sink_.error(status);
  } else {
    writeMergedColumns(*first.held->conn, first.target, columns, plan->visibleColumns,
                       mergedStatus(lanes));
    clientGone =
        !co_await streamMerged(*plan->rows, plan->visibleColumns, lanes, *plan->notes, mergeFailed);
  }
  // What the merge held goes before the connections are drained.
  plan.reset();
  streams.clear();
  // A merge that stopped at an error, or a unit over the memory budgets while reading ahead:
  // the other units may have much left to send.
  bool stoppedEarly =
      mergeFailed || status.code() == er::kOutOfSortMemory || status.code() == er::kOutOfResources;
  // Connections go back clean: what the merge did not read is read and dropped.
  for (Lane& lane : lanes) {
    if (!lane.held) continue;
    ShardConnection& conn = *lane.held->conn;
    // Nobody reads the rest (the client went, or the merge stopped at an error such as its
    // memory limit): closing the connection stops the statement on the server rather than
    // reading everything it still has to send. After an error, a connection that carries the
    // session's transaction or state is kept, and drained.
    bool disposable = clientGone || (stoppedEarly && !lane.held->pinned &&
                                     !session_.transactional() && !leavesConnectionState(s));
    if (disposable && !conn.idleClean()) {
      session_.discard(std::move(*lane.held));
      continue;
    }
    // (Through the connection, not the stream: a plan that failed to build took its streams.)
    if (!conn.idleClean()) co_await conn.drain();
    session_.finish(lane.target, std::move(*lane.held), leavesConnectionState(s));
  }
  session_.notRunning();
  // glibc keeps what a big merge freed; the process's resident size comes back down only when
  // it is handed back.
  if (memory.peak() >= kReturnMemoryAfter) returnFreedMemory();
}

void Engine::writeMergedColumns(const ShardConnection& conn, const Target& target,
                                const ResultColumns& columns, size_t visible,
                                uint16_t statusFlags) {
  // The column definitions of one unit, with the logical names of its tables.
  sink_.columnCount(visible);
  for (size_t i = 0; i < visible && i < conn.fieldCount(); ++i) {
    protocol::ColumnDefinitionRef c = clientColumn(conn.column(static_cast<unsigned>(i)), target);
    columns.apply(static_cast<unsigned>(i), c);
    sink_.column(c);
  }
  sink_.columnsEnd(statusFlags);
}

}  // namespace shardproxy::executor
