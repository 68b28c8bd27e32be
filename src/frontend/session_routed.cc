// Session, statements on sharded databases: routed by the rules, rewritten per route unit, run
// on the units' data sources; and PREVIEW, which shows the units without running them.
#include <strings.h>

#include <algorithm>

#include "common/like.h"
#include "common/log.h"
#include "common/run_all.h"
#include "executor/unit_stream.h"
#include "frontend/authenticator.h"
#include "frontend/session.h"
#include "frontend/statement_facts.h"
#include "merger/plan.h"
#include "protocol/charset.h"
#include "protocol/column_definition.h"
#include "protocol/constants.h"
#include "rewriter/rewriter.h"
#include "router/router.h"

namespace shardproxy::frontend {

namespace ast = parser::ast;
namespace cap = protocol::cap;
namespace pstatus = protocol::status;

namespace {

bool isWrite(const ast::Statement& s) { return s.kind != ast::StatementKind::Select; }

}  // namespace

const router::ShardingRule* Session::activeRules() const {
  if (database_.empty()) return nullptr;
  auto it = context_.rules.find(database_);
  if (it == context_.rules.end() || it->second->empty()) return nullptr;
  return it->second.get();
}

Result<Session::Target> Session::targetFor(const config::LogicalDatabase& db,
                                           const std::string& dataSource) const {
  Target t;
  t.database = &db;
  t.dataSource = db.findDataSource(dataSource);
  if (!t.dataSource) {
    // A readwrite-splitting group: its write data source, until reads are split.
    auto group = db.logicalDataSources.find(dataSource);
    if (group != db.logicalDataSources.end()) t.dataSource = db.findDataSource(group->second);
  }
  if (!t.dataSource) {
    return makeError(er::kUnknownError, "data source '" + dataSource + "' of database '" + db.name +
                                            "' cannot be reached");
  }
  return t;
}

awaitable<void> Session::executeRouted(const ast::Statement& s, const router::ShardingRule& rule,
                                       bool preview) {
  const config::LogicalDatabase* db = topology_->findDatabase(database_);
  if (!db) {
    writeError(unknownDatabase(database_));
    co_return;
  }
  const config::DataSource* fallback = db->defaultDataSource();
  std::shared_ptr<const router::TableLocations> locations = context_.tables.locations(database_);
  router::Router router(rule, *locations, fallback ? fallback->name : std::string());
  router::RouteOptions options;
  options.database = database_;
  // A read that any data source can answer goes to one this session already holds (its
  // transaction's, or where its state lives).
  for (const auto& [key, held] : held_) {
    if (key.first == database_) {
      options.preferredDataSource = key.second;
      break;
    }
  }
  auto route = router.route(s, options);
  if (!route) {
    writeError(route.status());
    co_return;
  }
  rewriter::RewriteOptions rewriteOptions;
  rewriteOptions.database = database_;
  // DATABASE() / CONNECTION_ID() in the select list answer with the proxy's values here too.
  rewriteOptions.extra = sessionFunctionSplices(s, database_, connectionId_, false);
  rewriter::MergeContext merge;
  auto units = rewriter::rewrite(s, *route, rewriteOptions, &merge);
  if (!units) {
    writeError(units.status());
    co_return;
  }
  if (preview) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& u : *units) rows.push_back({u.dataSource, u.sql});
    writeTextResult({"data_source_name", "actual_sql"}, rows);
    co_return;
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
                     !merge.orderBy.empty() || merge.offset || merge.count || merge.hasHaving);
  if (units->size() == 1 && !needsMerge) {
    auto target = targetFor(*db, units->front().dataSource);
    if (!target) {
      writeError(target.status());
      co_return;
    }
    insertIdOverride_ = generatedId;
    bool ok = co_await runOn(*target, units->front().sql, &s);
    insertIdOverride_.reset();
    if (ok) noteTablesChanged(s, *route);
    co_return;
  }
  if (!isWrite(s)) {
    if (!merge.unsupported.empty()) {
      writeError(Status(er::kNotSupportedYet, "42000", "unsupported: " + merge.unsupported));
      co_return;
    }
    co_await executeMerged(*db, s, *route, *units, merge);
    co_return;
  }
  // A write on several units: each runs in turn; the client gets one OK with the sums. Without
  // a transaction each unit commits on its own, as with ShardingSphere's LOCAL transactions.
  // Copies of broadcast tables are one table to the client: their counts are not added up.
  bool accumulate = route->kind != router::RouteResult::Kind::Broadcast;
  uint64_t affected = 0;
  uint32_t warnings = 0;
  bool first = true;
  for (const auto& unit : *units) {
    auto target = targetFor(*db, unit.dataSource);
    if (!target) {
      writeError(target.status());
      co_return;
    }
    auto held = co_await acquireOrReport(*target);
    if (!held) co_return;
    backend::Connection& conn = *held->conn;
    if (topology_->props.sqlShow) spdlog::info("Actual SQL: {} ::: {}", unit.dataSource, unit.sql);
    running_ = {Running{db->name, target->dataSource, conn.threadId()}};
    Status st = co_await conn.query(unit.sql);
    // Results of a write are OK packets; anything else is read and dropped.
    while (st) {
      if (conn.fieldCount() > 0) {
        MYSQL_ROW row;
        do {
          st = co_await conn.fetchRow(row);
        } while (st && row);
        if (!st) break;
      } else {
        backend::OkInfo ok = conn.okInfo();
        if (accumulate || first) {
          affected += ok.affectedRows;
          warnings += ok.warnings;
        }
      }
      if (!conn.moreResults()) break;
      st = co_await conn.nextResult();
    }
    running_.clear();
    first = false;
    finish(*target, std::move(*held), leavesConnectionState(s));
    if (!st) {
      writeError(st);
      co_return;
    }
  }
  noteTablesChanged(s, *route);
  writeOk(protocol::OkPacket{affected,
                             generatedId.value_or(0),
                             statusFlags(),
                             static_cast<uint16_t>(std::min<uint32_t>(warnings, 0xffff)),
                             {}});
}

awaitable<void> Session::showTableMetadata(const ast::Statement& s,
                                           const router::ShardingRule& rule) {
  const ast::TableRef& ref = s.tableRef(s.show.table);
  const std::string& schema = !s.show.database.empty() ? s.show.database.value : ref.schema.value;
  const config::LogicalDatabase* db = topology_->findDatabase(database_);
  if (!db || (!schema.empty() && router::lowerAscii(schema) != router::lowerAscii(database_))) {
    co_await passThrough(s.sql, &s);  // another schema's table: the backend's business
    co_return;
  }
  // Where to ask: the first actual table of a sharded table, any data source for a broadcast
  // table, where a single table lives.
  std::string dataSource;
  std::string actual = ref.name.value;
  const router::TableRule* sharded = rule.findTableRule(ref.name.value);
  if (sharded) {
    dataSource = sharded->dataNodes.front().dataSource;
    actual = sharded->dataNodes.front().table;
  } else {
    std::shared_ptr<const router::TableLocations> locations = context_.tables.locations(database_);
    auto it = locations->find(router::lowerAscii(ref.name.value));
    if (it != locations->end() && !it->second.empty()) {
      dataSource = it->second.front();
    } else if (const config::DataSource* fallback = db->defaultDataSource()) {
      dataSource = fallback->name;
    }
  }
  auto target = targetFor(*db, dataSource);
  if (!target) {
    writeError(target.status());
    co_return;
  }
  std::string table = quoteIdentifier(actual);
  std::string sql;
  std::string_view filter = s.text(s.show.filterSpan);
  switch (s.show.kind) {
    case ast::ShowStatement::Kind::Columns:
      if (s.kind == ast::StatementKind::Explain) {
        // DESCRIBE t [column]: the rest after the table as written.
        sql = "DESCRIBE " + table + std::string(std::string_view(s.sql).substr(ref.span.end));
      } else {
        sql = std::string("SHOW ") + (s.show.full ? "FULL " : "") + "COLUMNS FROM " + table + " " +
              std::string(filter);
      }
      break;
    case ast::ShowStatement::Kind::Index:
      sql = "SHOW INDEX FROM " + table + " " + std::string(filter);
      break;
    default:
      sql = "SHOW CREATE TABLE " + table;
      break;
  }
  // The output names the actual table and its suffixed index names: back to the logical ones.
  std::string logic = sharded ? sharded->logicTable : ref.name.value;
  std::string suffix = "_" + actual;
  ValueTransform restore = [&](unsigned column, std::string& value) {
    if (!sharded) return;
    auto stripSuffix = [&](std::string& name) {
      if (name.size() > suffix.size() &&
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
        name.resize(name.size() - suffix.size());
      }
    };
    if (s.show.kind == ast::ShowStatement::Kind::CreateTable) {
      if (column == 0) value = logic;
      if (column != 1) return;
      std::string quotedActual = "`" + actual + "`";
      if (size_t at = value.find(quotedActual); at != std::string::npos) {
        value.replace(at, quotedActual.size(), "`" + logic + "`");
      }
      std::string quotedSuffix = suffix + "`";
      for (size_t at = value.find(quotedSuffix); at != std::string::npos;
           at = value.find(quotedSuffix, at)) {
        value.replace(at, quotedSuffix.size(), "`");
      }
    } else if (s.show.kind == ast::ShowStatement::Kind::Index &&
               s.kind == ast::StatementKind::Show) {
      if (column == 0) value = logic;
      if (column == 2) stripSuffix(value);
    }
  };
  auto held = co_await acquireOrReport(*target);
  if (!held) co_return;
  backend::Connection& conn = *held->conn;
  if (topology_->props.sqlShow) spdlog::info("Actual SQL: {} ::: {}", dataSource, sql);
  Status st = co_await conn.query(sql);
  bool stateChanged = false;
  if (!st) {
    // Errors name the actual table: say the logical one.
    std::string message = st.message();
    if (size_t at = message.find(actual); sharded && at != std::string::npos) {
      message.replace(at, actual.size(), logic);
    }
    writeError(Status(st.code(), st.sqlState(), message));
  } else {
    co_await relayResults(conn, *target, nullptr, false, stateChanged, &restore);
  }
  finish(*target, std::move(*held), false);
}

void Session::noteTablesChanged(const ast::Statement& s, const router::RouteResult& route) {
  // Single tables created, dropped or renamed through the proxy: the catalog follows, so later
  // statements find them where they now are.
  if (s.kind != ast::StatementKind::Ddl || route.kind != router::RouteResult::Kind::Single ||
      route.units.empty()) {
    return;
  }
  const std::string& ds = route.units.front().dataSource;
  for (const ast::DdlTable& d : s.ddl.tables) {
    const std::string& name = s.tableRef(d.table).name.value;
    if (s.ddlKind == ast::DdlKind::CreateTable && d.role == ast::DdlTable::Role::Target) {
      context_.tables.added(database_, name, ds);
    } else if (s.ddlKind == ast::DdlKind::DropTable && d.role == ast::DdlTable::Role::Target) {
      context_.tables.dropped(database_, name);
    } else if (s.ddlKind == ast::DdlKind::RenameTable || s.ddlKind == ast::DdlKind::AlterTable) {
      if (d.role == ast::DdlTable::Role::RenameTo) {
        context_.tables.added(database_, name, ds);
      } else if (d.role == ast::DdlTable::Role::Target && s.ddlKind == ast::DdlKind::RenameTable) {
        context_.tables.dropped(database_, name);
      }
    }
  }
}

// One backend connection of a merged SELECT and the units it runs, one after another: all but
// the last read into memory, the last streamed (ShardingSphere's connection-strictly mode when
// a data source has more units than max-connections-size-per-query allows connections).
struct Session::Lane {
  Target target;
  std::optional<HeldConnection> held;
  std::vector<size_t> units;  // indices into the statement's SQL units, in order
  Status status = Status::ok();
  executor::ConnectionStream* streaming = nullptr;  // owned by the merge plan
};

awaitable<void> Session::runLane(Lane& lane, const std::vector<rewriter::SqlUnit>& units,
                                 std::vector<std::unique_ptr<merger::RowStream>>& streams,
                                 size_t maxMemoryRows) {
  auto held = co_await acquire(lane.target);
  if (!held) {
    lane.status = held.status();
    co_return;
  }
  lane.held = std::move(*held);
  backend::Connection& conn = *lane.held->conn;
  running_.push_back(Running{lane.target.database->name, lane.target.dataSource, conn.threadId()});
  for (size_t k = 0; k < lane.units.size(); ++k) {
    const rewriter::SqlUnit& unit = units[lane.units[k]];
    if (topology_->props.sqlShow) spdlog::info("Actual SQL: {} ::: {}", unit.dataSource, unit.sql);
    Status st = co_await conn.query(unit.sql);
    if (st && conn.fieldCount() == 0) {
      st = makeError(er::kUnknownError, "a shard answered a SELECT without a result set");
    }
    if (!st) {
      lane.status = st;
      co_return;
    }
    if (k + 1 < lane.units.size()) {
      auto rows = co_await executor::readAll(conn, maxMemoryRows);
      if (!rows) {
        lane.status = rows.status();
        co_return;
      }
      streams[lane.units[k]] = std::make_unique<executor::MemoryStream>(std::move(*rows));
    } else {
      auto stream = std::make_unique<executor::ConnectionStream>(conn);
      lane.streaming = stream.get();
      streams[lane.units[k]] = std::move(stream);
    }
  }
}

awaitable<void> Session::executeMerged(const config::LogicalDatabase& db, const ast::Statement& s,
                                       const router::RouteResult& route,
                                       const std::vector<rewriter::SqlUnit>& units,
                                       const rewriter::MergeContext& merge) {
  // Lanes: per data source, up to max-connections-size-per-query connections (one when the
  // session already holds that data source's connection: its transaction lives there), units
  // dealt round-robin.
  size_t perDataSource =
      static_cast<size_t>(std::max(1, topology_->props.maxConnectionsSizePerQuery));
  std::vector<Lane> lanes;
  std::map<std::string, std::vector<size_t>> lanesOf;  // data source -> lane indices
  std::map<std::string, size_t> dealt;
  for (size_t i = 0; i < units.size(); ++i) {
    const std::string& ds = units[i].dataSource;
    auto target = targetFor(db, ds);
    if (!target) {
      writeError(target.status());
      co_return;
    }
    std::vector<size_t>& mine = lanesOf[ds];
    // Inside a transaction (or with state on a held connection) a data source has one
    // connection: the transaction's.
    bool held = held_.count({db.name, target->dataSource->name}) > 0;
    bool transactional = localBegin_.has_value() || !(statusFlags() & pstatus::kAutocommit);
    size_t limit = (held || transactional) ? 1 : perDataSource;
    if (mine.size() < limit) {
      mine.push_back(lanes.size());
      lanes.push_back(Lane{*target, std::nullopt, {}, Status::ok(), nullptr});
    }
    lanes[mine[dealt[ds]++ % mine.size()]].units.push_back(i);
  }
  // Every lane starts at once; the merge begins when all have their first results.
  merger::MergeLimits limits;
  limits.maxMemoryRows = static_cast<size_t>(topology_->props.proxyMergeMaxMemoryRows);
  std::vector<std::unique_ptr<merger::RowStream>> streams(units.size());
  co_await runAll(worker_.io().get_executor(), lanes.size(), [&](size_t i) {
    return runLane(lanes[i], units, streams, limits.maxMemoryRows);
  });
  Status status = Status::ok();
  for (const Lane& lane : lanes) {
    if (!lane.status && status) status = lane.status;  // the first failure is the answer
  }
  std::optional<merger::MergePlan> plan;
  bool clientGone = false;
  const Lane& first = lanes.front();
  if (status) {
    auto built = merger::buildMergePlan(merge, executor::columnInfo(*first.held->conn),
                                        std::move(streams), limits);
    if (built) {
      plan = std::move(*built);
    } else {
      status = built.status();
    }
  }
  if (!status) {
    writeError(status);
  } else {
    // The lanes' connections join held_ only after the merge: until then their transaction
    // status is theirs to report (autocommit=0 begins one on each).
    auto mergedStatus = [&] {
      uint16_t flags = statusFlags();
      for (const Lane& lane : lanes) {
        if (!lane.held || !lane.held->conn) continue;
        uint16_t st = lane.held->conn->serverStatus();
        if (st & pstatus::kInTrans) flags |= pstatus::kInTrans;
        if (!(st & pstatus::kAutocommit)) flags &= static_cast<uint16_t>(~pstatus::kAutocommit);
      }
      return flags;
    };
    writeMergedColumns(*first.held->conn, first.target, route.units[first.units.back()],
                       plan->visibleColumns, merge, mergedStatus());
    const size_t flushRows =
        static_cast<size_t>(std::max(1, topology_->props.proxyFrontendFlushThreshold));
    merger::Row row;
    size_t sinceFlush = 0;
    clientGone = false;
    for (;;) {
      auto more = co_await plan->rows->next(row);
      if (!more) {
        writeError(more.status());  // an ERR ends the result set, as a server does
        break;
      }
      if (!*more) {
        writeEnd(mergedStatus(), 0);
        break;
      }
      ResultRow out(beginRow(), result_);
      bool valid = true;
      for (size_t i = 0; i < plan->visibleColumns && i < row.size(); ++i) {
        if (row[i].null) {
          out.null();
        } else {
          valid = out.value(row[i].text) && valid;
        }
      }
      endRow(valid);
      if (!valid) {
        writeError(
            Status(er::kUnknownError, "HY000", "a merged value does not match its column type"));
        break;
      }
      if (++sinceFlush >= flushRows || io_.buffered() >= 256 * 1024) {
        sinceFlush = 0;
        if (Status f = co_await io_.flush(); !f) {
          clientGone = true;
          break;
        }
      }
    }
  }
  // Connections go back clean: what the merge did not read is read and dropped.
  for (Lane& lane : lanes) {
    if (!lane.held) continue;
    backend::Connection& conn = *lane.held->conn;
    if (clientGone && !conn.idleClean()) {
      // Nobody reads the rest: closing the connection stops the statement on the server
      // rather than reading everything it still has to send.
      lane.held->pool->discard(std::move(lane.held->conn));
      continue;
    }
    // (Through the connection, not the stream: a plan that failed to build took its streams.)
    if (!conn.idleClean()) co_await conn.drain();
    finish(lane.target, std::move(*lane.held), leavesConnectionState(s));
  }
  running_.clear();
}

void Session::writeMergedColumns(const backend::Connection& conn, const Target& target,
                                 const router::RouteUnit& unit, size_t visible,
                                 const rewriter::MergeContext& merge, uint16_t statusFlags) {
  // The column definitions of one unit, with the logical names of its tables.
  const MYSQL_FIELD* fields = conn.fields();
  writeColumnCount(visible);
  for (size_t i = 0; i < visible && i < conn.fieldCount(); ++i) {
    protocol::ColumnDefinitionRef c = columnDefinition(fields[i], target);
    for (const router::TableMapping& m : unit.tables) {
      if (c.table == m.actualTable) c.table = m.logicTable;
      if (c.orgTable == m.actualTable) c.orgTable = m.logicTable;
    }
    // COUNT / SUM / AVG (DISTINCT x): the units returned x itself; the client gets the
    // aggregate's type, as MySQL gives it.
    for (const auto& a : merge.aggregates) {
      if (!a.distinct || strcasecmp(a.label.c_str(), std::string(c.name).c_str()) != 0) continue;
      if (!a.clientName.empty()) c.name = a.clientName;
      c.table = c.orgTable = c.schema = c.orgName = {};
      c.collation = 63;  // binary
      c.flags = protocol::colflag::kBinary;
      if (a.kind == ast::AggregateKind::Count) {
        c.type = protocol::ColumnType::kLongLong;
        c.length = 21;
        c.decimals = 0;
        c.flags |= protocol::colflag::kNotNull;
      } else {
        uint8_t scale = a.kind == ast::AggregateKind::Avg
                            ? static_cast<uint8_t>(std::min<int>(c.decimals + 4, 30))
                            : c.decimals;
        if (c.type != protocol::ColumnType::kFloat && c.type != protocol::ColumnType::kDouble) {
          c.type = protocol::ColumnType::kNewDecimal;
          c.length = 65 + (scale > 0 ? 2 : 1);
          c.decimals = scale;
        } else {
          c.type = protocol::ColumnType::kDouble;
          c.length = 23;
          c.decimals = 31;
        }
      }
    }
    writeColumn(c);
  }
  writeColumnsEnd(statusFlags);
}

awaitable<void> Session::localTransaction(const ast::Statement& s, std::string_view sql) {
  if (s.tclKind == ast::TclKind::Begin) {
    // BEGIN inside a transaction commits it first, as MySQL does.
    if (!(co_await endLocalTransaction("COMMIT", true))) co_return;
    localBegin_ = std::string(sql);
    localDatabase_ = database_;
    // XA START takes no options: READ ONLY reaches each branch as SET TRANSACTION READ ONLY
    // (WITH CONSISTENT SNAPSHOT has no XA form; each branch's first read takes its snapshot).
    if (transactionType_ == TransactionType::Xa && context_.xids) {
      beginXa(s.transaction.access == ast::AccessMode::ReadOnly);
    }
    writeOk(protocol::OkPacket{0, 0, statusFlags(), 0, {}});
    co_return;
  }
  bool chain = s.transaction.chain == ast::Completion::Yes;
  bool release = s.transaction.release == ast::Completion::Yes;
  std::string begin = localBegin_.value_or("BEGIN");
  // Participants get a plain COMMIT / ROLLBACK: AND CHAIN is the session's (the next
  // transaction begins on each data source when touched), RELEASE ends the client's session,
  // not the pooled backend connections.
  const char* end = s.tclKind == ast::TclKind::Commit ? "COMMIT" : "ROLLBACK";
  if (!(co_await endLocalTransaction(end, true))) co_return;
  if (chain) {
    localBegin_ = begin;
    if (transactionType_ == TransactionType::Xa && context_.xids) beginXa();
  }
  writeOk(protocol::OkPacket{0, 0, statusFlags(), 0, {}});
  if (release) stopRequested_ = true;
}

awaitable<bool> Session::endLocalTransaction(const std::string& statement, bool report) {
  savepoints_.clear();
  // SET TRANSACTION applies to the next transaction: it is used up when one ends (not by the
  // implicit commit of a BEGIN that has nothing to commit).
  if (localBegin_ || xa_ || !participants().empty()) nextTransaction_.reset();
  if (xa_) co_return co_await endXaTransaction(statement == "COMMIT", report);
  Status first = Status::ok();
  std::vector<std::pair<std::string, std::string>> done;
  for (auto& [key, held] : held_) {
    uint16_t status = held.conn->serverStatus();
    if (!(status & pstatus::kInTrans) && (status & pstatus::kAutocommit)) continue;
    if (topology_->props.sqlShow) spdlog::info("Actual SQL: {} ::: {}", key.second, statement);
    Status st = co_await held.conn->execute(statement);
    if (!st && first) first = st;
    done.push_back(key);
  }
  localBegin_.reset();
  // Participants that hold nothing else go back to their pools.
  for (const auto& key : done) {
    auto it = held_.find(key);
    if (it == held_.end()) continue;
    HeldConnection& held = it->second;
    uint16_t status = held.conn->serverStatus();
    bool inTransaction = (status & pstatus::kInTrans) || !(status & pstatus::kAutocommit);
    if (held.sticky || inTransaction) continue;
    if (held.conn->broken()) {
      held.pool->discard(std::move(held.conn));
    } else {
      held.pool->release(std::move(held.conn));
    }
    held_.erase(it);
  }
  if (!first) {
    if (report) writeError(first);
    co_return false;
  }
  co_return true;
}

awaitable<void> Session::preview(std::string_view sql) {
  Result<ast::Statement> parsed = worker_.statements().get(sql);
  if (!parsed) {
    writeError(parsed.status());
    co_return;
  }
  const ast::Statement& s = parsed.value();
  const router::ShardingRule* rules = activeRules();
  bool routed =
      rules && (s.kind == ast::StatementKind::Select || s.kind == ast::StatementKind::Insert ||
                s.kind == ast::StatementKind::Replace || s.kind == ast::StatementKind::Update ||
                s.kind == ast::StatementKind::Delete ||
                (s.kind == ast::StatementKind::Ddl && !s.ddl.tables.empty()));
  if (routed) {
    co_await executeRouted(s, *rules, true);
    co_return;
  }
  // Everything else goes as written to where the session sends unsharded statements.
  auto target = route();
  if (!target) {
    writeError(target.status());
    co_return;
  }
  writeTextResult({"data_source_name", "actual_sql"},
                  {{target->dataSource->name, std::string(sql)}});
}

awaitable<void> Session::showLogicalTables(const ast::Statement& s,
                                           const config::LogicalDatabase& db,
                                           const router::ShardingRule& rule) {
  // Every data source's tables, each actual table of a sharded table shown once under its logic
  // name; broadcast and single tables as they are.
  std::map<std::string, std::string> tables;  // name -> Table_type
  for (const config::DataSource& ds : db.dataSources) {
    auto target = targetFor(db, ds.name);
    if (!target) continue;
    auto held = co_await acquireOrReport(*target);
    if (!held) co_return;
    backend::Connection& conn = *held->conn;
    Status st = co_await conn.query("SHOW FULL TABLES");
    while (st && conn.fieldCount() >= 2) {
      MYSQL_ROW row;
      st = co_await conn.fetchRow(row);
      if (!st || !row) break;
      const unsigned long* lengths = conn.rowLengths();
      std::string name(row[0], lengths[0]);
      std::string type = row[1] ? std::string(row[1], lengths[1]) : "BASE TABLE";
      for (const router::TableRule& t : rule.tableRules()) {
        const auto& actual = t.tablesOn(ds.name);
        if (std::any_of(actual.begin(), actual.end(), [&](const std::string& a) {
              return router::lowerAscii(a) == router::lowerAscii(name);
            })) {
          name = t.logicTable;
          break;
        }
      }
      tables.emplace(name, type);
    }
    finish(*target, std::move(*held), false);
    if (!st) {
      writeError(st);
      co_return;
    }
  }
  // Sharded tables whose actual tables do not exist yet are still the database's tables.
  for (const router::TableRule& t : rule.tableRules()) tables.emplace(t.logicTable, "BASE TABLE");
  std::string column = "Tables_in_" + db.name;
  std::optional<std::string> like;
  if (s.show.like != ast::kNone) like = s.expr(s.show.like).value;
  if (!s.show.filterSpan.empty() && !like) {
    // WHERE: the backend evaluates it over the logical names.
    auto target = targetFor(db, db.defaultDataSource() ? db.defaultDataSource()->name : "");
    if (!target) {
      writeError(target.status());
      co_return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& [name, type] : tables) rows.push_back({name, type});
    std::vector<std::string> columns{column, std::string("Table_type")};
    co_await filterOnBackend(*target, columns, s.show.full ? 2 : 1, rows, "TABLES",
                             s.text(s.show.filterSpan));
    co_return;
  }
  std::vector<std::string> columns{like ? column + " (" + *like + ")" : column};
  if (s.show.full) columns.push_back("Table_type");
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, type] : tables) {
    if (like && !likeMatch(name, *like, true)) continue;
    if (s.show.full) {
      rows.push_back({name, type});
    } else {
      rows.push_back({name});
    }
  }
  writeTextResult(columns, rows);
}

void Session::writeTextResult(const std::vector<std::string>& columns,
                              const std::vector<std::vector<std::string>>& rows) {
  writeColumnCount(columns.size());
  for (const std::string& name : columns) {
    protocol::ColumnDefinitionRef c;
    c.name = name;
    c.orgName = name;
    c.collation = protocol::kUtf8mb4GeneralCi;
    c.length = 4 * 1024;
    c.type = protocol::ColumnType::kVarString;
    writeColumn(c);
  }
  writeColumnsEnd(statusFlags());
  for (const auto& row : rows) {
    ResultRow out(beginRow(), result_);
    for (const std::string& value : row) out.value(value);  // strings: always valid
    endRow();
  }
  writeEnd(statusFlags(), 0);
}

}  // namespace shardproxy::frontend
