// Admin, information_schema: SELECTs over the logical information_schema tables (the rows read
// from the data sources and mapped by admin/information_schema.h, then evaluated by a backend
// as derived tables), and the SHOW statements MySQL defines over them (SHOW TABLE STATUS,
// SHOW TRIGGERS).
#include <algorithm>
#include <map>

#include "admin/admin.h"
#include "admin/information_schema.h"
#include "binder/binder.h"
#include "common/like.h"
#include "common/sql_text.h"
#include "executor/statement_facts.h"
#include "protocol/constants.h"

namespace shardproxy::admin {

namespace ast = parser::ast;
using executor::Target;

namespace {

CatalogRows catalogRows(executor::Engine::Rows rows) {
  return CatalogRows{std::move(rows.columns), std::move(rows.rows)};
}

}  // namespace

std::vector<binder::Replacement> Admin::sessionFunctions(const ast::Statement& s,
                                                         bool noBackslashEscapes) const {
  executor::SessionIdentity identity = session_.identity();
  identity.logicalCatalog = true;
  std::vector<binder::Replacement> out;
  for (rewriter::TextSplice& splice :
       executor::sessionFunctionSplices(s, identity, noBackslashEscapes)) {
    out.push_back(binder::Replacement{ast::Span{splice.begin, splice.end}, std::move(splice.text)});
  }
  return out;
}

Result<Target> Admin::evaluator() const {
  // Where the session's statements go; outside a logical database, the first one the user may
  // use (information_schema's own tables are the same on every backend).
  if (session_.topology().findDatabase(session_.database)) return session_.route();
  std::string database = std::exchange(session_.database, std::string());
  Result<Target> target = session_.route();
  session_.database = std::move(database);
  return target;
}

awaitable<Result<CatalogRows>> Admin::logicalRows(
    const std::string& table, const std::optional<std::set<std::string>>& databases,
    const Target& evaluator) {
  const config::Topology& topology = session_.topology();
  const config::User& user = *session_.user;
  auto wanted = [&](const std::string& name) {
    return !databases || databases->count(router::lowerAscii(name)) > 0;
  };
  LogicalCatalog catalog(table);
  std::string_view column = databaseColumn(table);
  if (column.empty()) {
    // Rows the proxy makes itself, in the backend's columns.
    auto shape =
        co_await engine_.fetch(evaluator, "SELECT * FROM information_schema." + table + " WHERE 0");
    if (!shape) co_return shape.status();
    CatalogRows out = catalogRows(std::move(*shape));
    if (table == "PROCESSLIST") out.rows = processlistRows(out.columns);
    if (table == "SCHEMA_PRIVILEGES" || table == "USER_PRIVILEGES") {
      out.rows = privilegeRows(table, out.columns);
    }
    co_return out;
  }
  if (table == "SCHEMATA" && wanted("information_schema")) {
    auto own =
        co_await engine_.fetch(evaluator,
                               "SELECT * FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = "
                               "'information_schema'");
    if (!own) co_return own.status();
    catalog.addVerbatim(catalogRows(std::move(*own)));
  }
  for (const auto& [name, db] : topology.databases) {
    if (!wanted(name) || !topology.authority.mayAccess(user, name)) continue;
    const router::ShardingRule* rules = session_.rulesOf(name);
    for (const config::DataSource& ds : db.dataSources) {
      // A database's SCHEMATA line is its default data source's.
      if (table == "SCHEMATA" && &ds != db.defaultDataSource()) continue;
      auto target = session_.targetFor(db, ds.name);
      if (!target) co_return target.status();
      auto rows = co_await engine_.fetch(*target, "SELECT * FROM information_schema." + table +
                                                      " WHERE " + std::string(column) + " = " +
                                                      quoteString(ds.database, false));
      if (!rows) co_return rows.status();
      catalog.add(db, rules, ds, catalogRows(std::move(*rows)));
    }
  }
  CatalogRows out = catalog.take();
  if (out.columns.empty()) {
    auto shape =
        co_await engine_.fetch(evaluator, "SELECT * FROM information_schema." + table + " WHERE 0");
    if (!shape) co_return shape.status();
    out.columns = std::move(shape->columns);
  }
  co_return out;
}

std::vector<std::vector<std::optional<std::string>>> Admin::processlistRows(
    const std::vector<protocol::ColumnDefinition>& columns) const {
  // The sessions SHOW PROCESSLIST shows; the columns MariaDB adds (TIME_MS, STAGE, ...) as an
  // idle server has them.
  auto now = std::chrono::steady_clock::now();
  std::vector<std::vector<std::optional<std::string>>> rows;
  for (const SessionLine& line : visibleSessions()) {
    const Activity::Snapshot& a = line.activity;
    const uint32_t id = line.id;
    auto elapsed = now - a.since;
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
    std::vector<std::optional<std::string>> row;
    for (const protocol::ColumnDefinition& c : columns) {
      std::string name = router::lowerAscii(c.name);
      std::optional<std::string> v;
      if (name == "id") {
        v = std::to_string(id);
      } else if (name == "user") {
        v = line.user;
      } else if (name == "host") {
        v = line.host;
      } else if (name == "db") {
        if (!a.database.empty()) v = a.database;
      } else if (name == "command") {
        v = a.command;
      } else if (name == "time") {
        v = std::to_string(seconds);
      } else if (name == "time_ms") {
        v = std::to_string(micros / 1000) + "." + std::to_string(micros % 1000 / 100);
      } else if (name == "state") {
        v = a.info.empty() ? "" : "executing";
      } else if (name == "info" || name == "info_binary") {
        if (!a.info.empty()) v = a.info;
      } else if (name == "progress") {
        v = "0.000";
      } else if (name == "tid") {
        v = std::to_string(id);
      } else {
        v = "0";  // STAGE, MAX_STAGE, MEMORY_USED, EXAMINED_ROWS, QUERY_ID ...
      }
      row.push_back(std::move(v));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::vector<std::optional<std::string>>> Admin::privilegeRows(
    const std::string& table, const std::vector<protocol::ColumnDefinition>& columns) const {
  // What the proxy's authority grants, as MySQL lists grants: an admin holds every privilege
  // on *.* (USER_PRIVILEGES); another user holds the database privileges on each logical
  // database it may use (SCHEMA_PRIVILEGES). Nothing of the backends' accounts.
  static const char* kDatabasePrivileges[] = {
      "SELECT",        "INSERT",     "UPDATE",      "DELETE",        "CREATE",
      "DROP",          "REFERENCES", "INDEX",       "ALTER",         "CREATE TEMPORARY TABLES",
      "LOCK TABLES",   "EXECUTE",    "CREATE VIEW", "SHOW VIEW",     "CREATE ROUTINE",
      "ALTER ROUTINE", "EVENT",      "TRIGGER",     "DELETE HISTORY"};
  const config::Topology& topology = session_.topology();
  const config::User& user = *session_.user;
  std::string grantee = "'" + user.name + "'@'" + user.host + "'";
  std::vector<std::vector<std::optional<std::string>>> rows;
  auto add = [&](const std::string& database, const char* privilege) {
    std::vector<std::optional<std::string>> row;
    for (const protocol::ColumnDefinition& c : columns) {
      std::string name = router::lowerAscii(c.name);
      if (name == "grantee") {
        row.emplace_back(grantee);
      } else if (name == "table_catalog") {
        row.emplace_back("def");
      } else if (name == "table_schema") {
        row.emplace_back(database);
      } else if (name == "privilege_type") {
        row.emplace_back(privilege);
      } else if (name == "is_grantable") {
        row.emplace_back(user.admin ? "YES" : "NO");
      } else {
        row.emplace_back(std::nullopt);
      }
    }
    rows.push_back(std::move(row));
  };
  if (table == "USER_PRIVILEGES") {
    if (!user.admin) {
      add("", "USAGE");
      return rows;
    }
    for (const char* p : kDatabasePrivileges) add("", p);
    for (const char* p :
         {"RELOAD", "SHUTDOWN", "PROCESS", "FILE", "SHOW DATABASES", "SUPER", "REPLICATION SLAVE",
          "BINLOG MONITOR", "CREATE USER", "CREATE TABLESPACE"}) {
      add("", p);
    }
    return rows;
  }
  if (user.admin) return rows;  // everything is granted on *.*, nothing per database
  for (const auto& [name, db] : topology.databases) {
    if (!topology.authority.mayAccess(user, name)) continue;
    for (const char* p : kDatabasePrivileges) add(name, p);
  }
  return rows;
}

awaitable<bool> Admin::informationSchema(const ast::Statement& s) {
  using Kind = ast::StatementKind;
  // SHOW and DESCRIBE of information_schema's tables describe their structure, which is the
  // backend's: as written.
  if (s.kind == Kind::Show || s.kind == Kind::Explain) co_return false;
  if (s.kind != Kind::Select) {
    sink_.error(Status(er::kNotSupportedYet, "42000",
                       "unsupported: information_schema's tables in a statement other than "
                       "SELECT"));
    co_return true;
  }
  // Only information_schema (and CTEs) may be read with it: the rows are evaluated on one
  // backend, which holds no logical table.
  std::set<std::string> ctes;
  for (const ast::Select& q : s.selects) {
    for (const ast::Cte& cte : q.with) ctes.insert(router::lowerAscii(cte.name.value));
  }
  bool inInformationSchema = binder::isInformationSchema(session_.database);
  for (const ast::ObjectName& o : s.objects) {
    if (o.kind != ast::ObjectName::Kind::Table) continue;
    bool ours = o.schema.empty()
                    ? inInformationSchema || ctes.count(router::lowerAscii(o.name.value)) > 0
                    : binder::isSystemSchema(o.schema.value);
    if (!ours) {
      sink_.error(Status(er::kNotSupportedYet, "42000",
                         "unsupported: information_schema and tables of a logical database in "
                         "one statement"));
      co_return true;
    }
  }
  Result<Target> target = evaluator();
  if (!target) {
    sink_.error(target.status());
    co_return true;
  }
  std::vector<InformationSchemaRef> refs = informationSchemaRefs(s, session_.database);
  // The same table limited to the same databases is read once.
  using Key = std::pair<std::string, std::optional<std::set<std::string>>>;
  std::map<Key, CatalogRows> read;
  for (const InformationSchemaRef& ref : refs) {
    Key key(ref.table, ref.databases);
    if (read.count(key) > 0) continue;
    auto rows = co_await logicalRows(ref.table, ref.databases, *target);
    if (!rows) {
      sink_.error(rows.status());
      co_return true;
    }
    read.emplace(std::move(key), std::move(*rows));
  }
  auto held = co_await engine_.acquireOrReport(*target);
  if (!held) co_return true;
  executor::ShardConnection& conn = *held->conn;
  bool noBackslashEscapes = conn.serverStatus() & protocol::status::kNoBackslashEscapes;
  std::vector<binder::Replacement> replacements;
  std::map<std::string, std::string> origin;  // the name columns show as their table -> real one
  for (const InformationSchemaRef& ref : refs) {
    // (The reference's span holds its alias and index hints: the alias is written again.)
    std::string shownAs = ref.alias.empty() ? ref.table : ref.alias;
    std::string text =
        derivedTable(ref.table, read.at(Key(ref.table, ref.databases)), noBackslashEscapes) +
        " AS " + quoteIdentifier(shownAs);
    origin[shownAs] = ref.table;
    replacements.push_back(binder::Replacement{ref.span, std::move(text)});
  }
  for (binder::Replacement& r : sessionFunctions(s, noBackslashEscapes)) {
    replacements.push_back(std::move(r));
  }
  // (Stable: an insertion stays after the replacement that ends where it stands.)
  std::stable_sort(replacements.begin(), replacements.end(),
                   [](const binder::Replacement& a, const binder::Replacement& b) {
                     return a.span.begin < b.span.begin;
                   });
  read.clear();
  std::string sql = binder::applyReplacements(s, replacements);
  replacements.clear();
  executor::Engine::RelayOptions options;
  options.column = [&origin](protocol::ColumnDefinitionRef& c) {
    // A derived table's column has no origin: show it as information_schema's.
    auto it = origin.find(std::string(c.table));
    if (it == origin.end() || !c.schema.empty() || !c.orgTable.empty()) return;
    c.schema = "information_schema";
    c.orgTable = it->second;
  };
  co_await queryOn(*held, *target, sql, options);
  co_return true;
}

awaitable<void> Admin::showInformationSchemaTables(const ast::Statement& s) {
  // Its tables are the same on every backend: listed as one lists them.
  Result<Target> target = evaluator();
  if (!target) {
    sink_.error(target.status());
    co_return;
  }
  std::string sql = std::string("SHOW ") + (s.show.full ? "FULL " : "") +
                    "TABLES FROM information_schema " + std::string(s.text(s.show.filterSpan));
  executor::Engine::RelayOptions options;  // (named: GCC 12 and temporaries in a co_await)
  co_await engine_.queryAndRelay(*target, sql, options);
}

awaitable<void> Admin::informationSchemaDatabaseStatement(const ast::Statement& s) {
  using Kind = ast::StatementKind;
  // Its tables are listed as the backend lists them (they are the same everywhere); anything
  // else runs as without a database (SELECT 1, SET ...).
  if (s.kind == Kind::Show && s.show.kind == ast::ShowStatement::Kind::Tables &&
      s.show.database.empty()) {
    co_await showInformationSchemaTables(s);
    co_return;
  }
  if (s.kind == Kind::Select) {
    if (auto column = executor::selectDatabaseColumn(s)) {
      selectDatabase(*column);
      co_return;
    }
  }
  // SHOW COLUMNS / INDEX / CREATE TABLE and DESCRIBE of one of its tables: the backend's
  // connection is in another database, so the table is named with its own.
  if ((s.kind == Kind::Show || s.kind == Kind::Explain) && s.show.table != ast::kNone &&
      s.tableRef(s.show.table).schema.empty()) {
    const ast::TableRef& ref = s.tableRef(s.show.table);
    std::string sql(s.sql);
    sql.replace(ref.span.begin, ref.span.end - ref.span.begin,
                "information_schema." + quoteIdentifier(ref.name.value));
    Result<Target> target = evaluator();
    if (!target) {
      sink_.error(target.status());
      co_return;
    }
    executor::Engine::RelayOptions options;  // (named: GCC 12 and temporaries in a co_await)
    co_await engine_.queryAndRelay(*target, sql, options);
    co_return;
  }
  std::string database = std::exchange(session_.database, std::string());
  bool handled = co_await handleStatement(s);
  if (!handled) co_await engine_.passThrough(s.sql, &s);
  if (session_.database.empty()) session_.database = std::move(database);
}

awaitable<void> Admin::showOverInformationSchema(const ast::Statement& s, const std::string& table,
                                                 std::string_view selectList,
                                                 std::string_view likeColumn,
                                                 std::string_view orderBy,
                                                 std::string_view rowFilter) {
  // One database (the SHOW's, else the session's), or every one when `rowFilter` is given.
  std::string database = s.show.database.empty() ? session_.database : s.show.database.value;
  if (database.empty() && rowFilter.empty()) {
    sink_.error(Status(er::kNoDb, "3D000", "No database selected"));
    co_return;
  }
  Result<Target> target = evaluator();
  if (!target) {
    sink_.error(target.status());
    co_return;
  }
  std::optional<std::set<std::string>> only;
  if (rowFilter.empty()) only = std::set<std::string>{router::lowerAscii(database)};
  auto rows = co_await logicalRows(table, only, *target);
  if (!rows) {
    sink_.error(rows.status());
    co_return;
  }
  auto held = co_await engine_.acquireOrReport(*target);
  if (!held) co_return;
  executor::ShardConnection& conn = *held->conn;
  bool noBackslashEscapes = conn.serverStatus() & protocol::status::kNoBackslashEscapes;
  // SELECT <the SHOW's columns> FROM <the logical rows> WHERE <its database> [AND LIKE], then
  // the SHOW's WHERE over its own column names.
  std::string sql =
      "SELECT " + std::string(selectList) + " FROM " +
      derivedTable(table, *rows, noBackslashEscapes) + " AS " + quoteIdentifier(table) + " WHERE " +
      (rowFilter.empty()
           ? std::string(databaseColumn(table)) + " = " + quoteString(database, noBackslashEscapes)
           : std::string(rowFilter));
  rows->rows.clear();
  if (s.show.like != ast::kNone) {
    sql += " AND " + std::string(likeColumn) + " LIKE " +
           quoteString(s.expr(s.show.like).value, noBackslashEscapes);
  }
  sql = "SELECT * FROM (" + sql + ") AS " + quoteIdentifier(table);
  if (s.show.like == ast::kNone && !s.show.filterSpan.empty()) {
    // The WHERE as written, with DATABASE(), USER() and CONNECTION_ID() the session's.
    const ast::Span& filter = s.show.filterSpan;
    std::string where;
    uint32_t at = filter.begin;
    for (const binder::Replacement& r : sessionFunctions(s, noBackslashEscapes)) {
      if (r.span.begin < at || r.span.end > filter.end) continue;
      where += s.sql.substr(at, r.span.begin - at) + r.text;
      at = r.span.end;
    }
    where += s.sql.substr(at, filter.end - at);
    sql += " " + where;
  }
  sql += " ORDER BY " + std::string(orderBy);
  executor::Engine::RelayOptions options;
  options.column = [](protocol::ColumnDefinitionRef& c) {
    // As MySQL shows a SHOW's columns: no database or table of origin.
    c.schema = c.table = c.orgTable = {};
  };
  co_await queryOn(*held, *target, sql, options);
}

awaitable<void> Admin::showTableStatus(const ast::Statement& s) {
  co_await showOverInformationSchema(
      s, "TABLES",
      "TABLE_NAME AS `Name`, ENGINE AS `Engine`, VERSION AS `Version`, ROW_FORMAT AS "
      "`Row_format`, TABLE_ROWS AS `Rows`, AVG_ROW_LENGTH AS `Avg_row_length`, DATA_LENGTH AS "
      "`Data_length`, MAX_DATA_LENGTH AS `Max_data_length`, INDEX_LENGTH AS `Index_length`, "
      "DATA_FREE AS `Data_free`, AUTO_INCREMENT AS `Auto_increment`, CREATE_TIME AS "
      "`Create_time`, UPDATE_TIME AS `Update_time`, CHECK_TIME AS `Check_time`, TABLE_COLLATION "
      "AS `Collation`, CHECKSUM AS `Checksum`, CREATE_OPTIONS AS `Create_options`, TABLE_COMMENT "
      "AS `Comment`, MAX_INDEX_LENGTH AS `Max_index_length`, TEMPORARY AS `Temporary`",
      "TABLE_NAME", "`Name`");
}

awaitable<void> Admin::showTriggers(const ast::Statement& s) {
  co_await showOverInformationSchema(
      s, "TRIGGERS",
      "TRIGGER_NAME AS `Trigger`, EVENT_MANIPULATION AS `Event`, EVENT_OBJECT_TABLE AS `Table`, "
      "ACTION_STATEMENT AS `Statement`, ACTION_TIMING AS `Timing`, CREATED AS `Created`, "
      "SQL_MODE AS `sql_mode`, DEFINER AS `Definer`, CHARACTER_SET_CLIENT AS "
      "`character_set_client`, COLLATION_CONNECTION AS `collation_connection`, "
      "DATABASE_COLLATION AS `Database Collation`",
      "EVENT_OBJECT_TABLE", "`Table`");
}

awaitable<void> Admin::showRoutineStatus(const ast::Statement& s, std::string_view type) {
  std::string filter = "ROUTINE_TYPE = '" + std::string(type) + "'";
  co_await showOverInformationSchema(
      s, "ROUTINES",
      "ROUTINE_SCHEMA AS `Db`, ROUTINE_NAME AS `Name`, ROUTINE_TYPE AS `Type`, DEFINER AS "
      "`Definer`, LAST_ALTERED AS `Modified`, CREATED AS `Created`, SECURITY_TYPE AS "
      "`Security_type`, ROUTINE_COMMENT AS `Comment`, CHARACTER_SET_CLIENT AS "
      "`character_set_client`, COLLATION_CONNECTION AS `collation_connection`, "
      "DATABASE_COLLATION AS `Database Collation`",
      "ROUTINE_NAME", "`Db`, `Name`", filter);
}

}  // namespace shardproxy::admin
