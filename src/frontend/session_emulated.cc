// Session, statements and commands the proxy answers itself: SHOW DATABASES, SELECT DATABASE(),
// SHOW TABLES (renamed to the logical database), COM_FIELD_LIST, COM_STATISTICS, KILL and
// COM_RESET_CONNECTION.
#include <strings.h>

#include <charconv>
#include <cstdio>

#include "common/like.h"
#include "common/log.h"
#include "frontend/authenticator.h"
#include "frontend/session.h"
#include "protocol/charset.h"
#include "protocol/column_definition.h"
#include "protocol/constants.h"

namespace shardproxy::frontend {

namespace cap = protocol::cap;
namespace pstatus = protocol::status;

namespace ast = parser::ast;

namespace {

// The pattern of SHOW ... LIKE 'pattern' (unescaped as MySQL does, `\%` and `\_` kept), or
// nullopt when there is no LIKE.
std::optional<std::string> likePattern(const ast::Statement& s) {
  if (s.show.like == ast::kNone) return std::nullopt;
  return s.expr(s.show.like).value;
}

}  // namespace

void Session::showDatabases(const ast::Statement& s) {
  std::optional<std::string> like = likePattern(s);
  std::string header = "Database";
  if (like) header += " (" + *like + ")";
  writeColumnCount(1);
  protocol::ColumnDefinitionRef c;
  c.schema = "information_schema";
  c.table = "SCHEMATA";
  c.orgTable = "SCHEMATA";
  c.name = header;
  c.orgName = "SCHEMA_NAME";
  c.collation = protocol::kUtf8mb4GeneralCi;
  c.length = 256;
  c.type = protocol::ColumnType::kVarString;
  c.flags = protocol::colflag::kNotNull | protocol::colflag::kNoDefaultValue;
  writeColumn(c);
  writeColumnsEnd(statusFlags());
  for (const auto& [name, db] : topology_->databases) {
    if (!topology_->authority.mayAccess(*user_, name)) continue;
    if (like && !likeMatch(name, *like, true)) continue;
    ResultRow out(beginRow(), result_);
    out.value(name);
    endRow();
  }
  writeEnd(statusFlags(), 0);
}

awaitable<void> Session::showDatabasesWhere(const ast::Statement& s) {
  auto target = route();
  if (!target) {
    writeError(target.status());
    co_return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, db] : topology_->databases) {
    if (topology_->authority.mayAccess(*user_, name)) rows.push_back({name});
  }
  // (Named, not braced, arguments: GCC 12 cannot pass braced lists of literals to a co_await.)
  std::vector<std::string> columns{std::string("Database")};
  co_await filterOnBackend(*target, columns, 1, rows, "SCHEMATA", s.text(s.show.filterSpan));
}

awaitable<void> Session::filterOnBackend(const Target& target,
                                         const std::vector<std::string>& columns, size_t shown,
                                         const std::vector<std::vector<std::string>>& rows,
                                         std::string_view derivedName, std::string_view filter) {
  auto held = co_await acquireOrReport(target);
  if (!held) co_return;
  backend::Connection& conn = *held->conn;
  bool noBackslashEscapes = conn.serverStatus() & pstatus::kNoBackslashEscapes;
  // SELECT 'a' AS `c1`, 'x' AS `c2` UNION ALL SELECT 'b', 'y' ...: the first row names the
  // columns; no rows is one NULL row filtered away.
  std::string derived;
  for (const auto& row : rows) {
    bool first = derived.empty();
    derived += first ? "SELECT " : " UNION ALL SELECT ";
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) derived += ", ";
      derived += quoteString(row[i], noBackslashEscapes);
      if (first) derived += " AS " + quoteIdentifier(columns[i]);
    }
  }
  if (derived.empty()) {
    derived = "SELECT ";
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) derived += ", ";
      derived += "CAST(NULL AS CHAR(64)) AS " + quoteIdentifier(columns[i]);
    }
    derived += " FROM DUAL WHERE FALSE";
  }
  std::string sql = "SELECT ";
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) sql += ", ";
    sql += quoteIdentifier(columns[i]);
  }
  sql += " FROM (" + derived + ") AS " + quoteIdentifier(derivedName) + " " + std::string(filter);
  if (topology_->props.sqlShow) spdlog::info("Actual SQL: {} ::: {}", target.dataSource->name, sql);
  Status status = co_await conn.query(sql);
  bool stateChanged = false;
  if (!status) {
    writeError(status);
  } else {
    co_await relayResults(conn, target, nullptr, false, stateChanged);
  }
  finish(target, std::move(*held), false);
}

void Session::selectDatabase(const std::string& columnName) {
  writeColumnCount(1);
  protocol::ColumnDefinitionRef c;
  c.name = columnName;
  c.collation = protocol::kUtf8mb4GeneralCi;
  c.length = 256;
  c.type = protocol::ColumnType::kVarString;
  c.decimals = 39;  // "not a fixed number of decimals", as the server marks string functions
  writeColumn(c);
  writeColumnsEnd(statusFlags());
  ResultRow out(beginRow(), result_);
  if (database_.empty()) {
    out.null();
  } else {
    out.value(database_);
  }
  endRow();
  writeEnd(statusFlags(), 0);
}

awaitable<void> Session::showTables(const ast::Statement& s) {
  std::string logical = s.show.database.empty() ? database_ : s.show.database.value;
  if (logical.empty()) {
    writeError(Status(er::kNoDb, "3D000", "No database selected"));
    co_return;
  }
  if (!topology_->authority.mayAccess(*user_, logical)) {
    writeError(databaseAccessDenied(user_->name, user_->host, logical));
    co_return;
  }
  const config::LogicalDatabase* db = topology_->findDatabase(logical);
  if (!db) {
    writeError(unknownDatabase(logical));
    co_return;
  }
  if (auto rule = context_.rules.find(logical);
      rule != context_.rules.end() && !rule->second->empty()) {
    co_await showLogicalTables(s, *db, *rule->second);
    co_return;
  }
  Target target{db, db->defaultDataSource()};
  if (!target.dataSource) {
    writeError(makeError(er::kUnknownError, "database '" + logical + "' has no data source"));
    co_return;
  }
  std::string sql = s.show.full ? "SHOW FULL TABLES" : "SHOW TABLES";
  if (!s.show.filterSpan.empty()) {
    // A WHERE clause names the column after the logical database; the backend's is named
    // after the actual one.
    std::string tail(s.text(s.show.filterSpan));
    std::string logicalColumn = "Tables_in_" + logical;
    std::string actualColumn = "Tables_in_" + target.dataSource->database;
    for (size_t at = tail.find(logicalColumn); at != std::string::npos;
         at = tail.find(logicalColumn, at + actualColumn.size())) {
      tail.replace(at, logicalColumn.size(), actualColumn);
    }
    sql += " " + tail;
  }
  auto held = co_await acquireOrReport(target);
  if (!held) co_return;
  if (topology_->props.sqlShow) spdlog::info("Actual SQL: {} ::: {}", target.dataSource->name, sql);
  backend::Connection& conn = *held->conn;
  Status status = co_await conn.query(sql);
  bool stateChanged = false;
  if (!status) {
    writeError(status);
  } else {
    // The header names the database: Tables_in_<actual> becomes Tables_in_<logical>.
    std::optional<std::string> like = likePattern(s);
    std::string suffix = like ? " (" + *like + ")" : "";
    std::map<std::string, std::string> rename{
        {"Tables_in_" + target.dataSource->database + suffix, "Tables_in_" + logical + suffix}};
    status = co_await relayResults(conn, target, &rename, false, stateChanged);
  }
  finish(target, std::move(*held), false);
}

awaitable<void> Session::handleFieldList(std::string_view table, std::string_view wildcard) {
  auto target = route();
  if (!target) {
    writeError(target.status());
    co_return;
  }
  auto held = co_await acquireOrReport(*target);
  if (!held) co_return;
  backend::Connection& conn = *held->conn;
  Status s = co_await conn.listFields(std::string(table), std::string(wildcard));
  if (s) {
    unsigned count = conn.listedFieldCount();
    const MYSQL_FIELD* fields = conn.listedFields();
    for (unsigned i = 0; i < count; ++i) {
      const MYSQL_FIELD& f = fields[i];
      protocol::ColumnDefinitionRef c = columnDefinition(f, *target);
      if (f.def) {
        c.defaultValue = std::string_view(f.def, f.def_length);
      } else {
        c.nullDefault = true;
      }
      protocol::encodeColumnDefinition(io_.begin(), c);
      io_.end();
    }
    writeEnd(statusFlags(), 0);
  } else {
    writeError(s);
  }
  finish(*target, std::move(*held), false);
}

void Session::kill(const ast::Statement& s) {
  // Ids are the proxy's connection ids (the greeting's, CONNECTION_ID()); a backend's thread
  // ids mean nothing to clients.
  const ast::Expr& e = s.expr(s.kill.target);
  uint64_t killId = 0;
  if (e.kind == ast::ExprKind::Literal && e.literalType == ast::LiteralType::Integer) {
    auto [end, ec] = std::from_chars(e.value.data(), e.value.data() + e.value.size(), killId);
    if (ec != std::errc() || end != e.value.data() + e.value.size()) killId = UINT64_MAX;
  } else if (e.kind == ast::ExprKind::Function && e.args.empty() &&
             strcasecmp(e.name.c_str(), "CONNECTION_ID") == 0) {
    killId = connectionId_;
  } else {
    writeError(Status(er::kNotSupportedYet, "42000",
                      "unsupported: KILL takes a connection id number or CONNECTION_ID()"));
    return;
  }
  bool killQuery = s.kill.query;
  if (killId == connectionId_) {
    if (killQuery) {
      writeOk(protocol::OkPacket{0, 0, statusFlags(), 0, {}});
    } else {
      stopRequested_ = true;  // the client sees its connection go, as with MySQL
    }
    return;
  }
  std::optional<SessionRegistry::Entry> target;
  if (killId <= UINT32_MAX) target = context_.sessions.find(static_cast<uint32_t>(killId));
  if (!target) {
    writeError(Status(1094, "HY000", "Unknown thread id: " + e.value));
    return;
  }
  if (!user_->admin && target->user != user_->name) {
    writeError(Status(1095, "HY000", "You are not owner of thread " + std::to_string(killId)));
    return;
  }
  // The target lives on its own worker: it is looked up again there, where it cannot go away
  // while being told.
  uint32_t id = static_cast<uint32_t>(killId);
  bool connection = !killQuery;
  ServerContext& context = context_;
  asio::post(target->worker->io(), [&context, id, connection, session = target->session] {
    auto again = context.sessions.find(id);
    if (again && again->session == session) session->killedBy(connection);
  });
  writeOk(protocol::OkPacket{0, 0, statusFlags(), 0, {}});
}

void Session::killedBy(bool connection) {
  if (connection) requestStop();
  // The backends stop the statement when asked on other connections to the same servers.
  for (const Running& r : running_) {
    backend::Pool& pool = worker_.pools().pool(r.database, *r.dataSource, {});
    asio::co_spawn(
        worker_.io(),
        [&pool, threadId = r.threadId]() -> awaitable<void> {
          auto conn = co_await pool.acquire();
          if (!conn) co_return;
          Status s = co_await conn.value()->execute("KILL QUERY " + std::to_string(threadId));
          if (!s) spdlog::warn("KILL QUERY on the backend failed: {}", s.toString());
          pool.release(std::move(conn.value()));
        },
        asio::detached);
  }
}

void Session::statistics() {
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                 context_.startedAt)
                    .count();
  uint64_t questions = context_.questions.load(std::memory_order_relaxed);
  double qps = uptime > 0 ? static_cast<double>(questions) / static_cast<double>(uptime) : 0.0;
  char text[256];
  std::snprintf(text, sizeof text,
                "Uptime: %lld  Threads: %d  Questions: %llu  Slow queries: 0  Opens: 0  "
                "Open tables: 0  Queries per second avg: %.3f",
                static_cast<long long>(uptime), context_.connections.load(),
                static_cast<unsigned long long>(questions), qps);
  io_.write(text);
}

void Session::resetConnection() {
  for (auto& [key, held] : held_) held.pool->discard(std::move(held.conn));
  held_.clear();
  localBegin_.reset();
  if (xa_) context_.xaActive.remove(xa_->gtrid);
  xa_.reset();
  savepoints_.clear();
  nextTransaction_.reset();
  variables_.values = charsetVariables(collation_);
  // Prepared statements go too, as MySQL closes them on COM_RESET_CONNECTION.
  statements_.clear();
  namedStatements_.clear();
}

}  // namespace shardproxy::frontend
