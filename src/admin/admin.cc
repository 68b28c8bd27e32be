#include "admin/admin.h"

#include <strings.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <utility>
#include <variant>

#include "admin/session_status.h"
#include "admin/system_tables.h"
#include "binder/binder.h"
#include "common/instance.h"
#include "common/like.h"
#include "common/log.h"
#include "common/sql_text.h"
#include "common/version.h"
#include "executor/logical_names.h"
#include "executor/session_variables.h"
#include "executor/statement_facts.h"
#include "parser/normalizer.h"
#include "protocol/charset.h"
#include "protocol/constants.h"
#include "txn/coordinator.h"

namespace shardproxy::admin {

namespace ast = parser::ast;
namespace pstatus = protocol::status;
using executor::Target;

namespace {

// The pattern of SHOW ... LIKE 'pattern' (unescaped as MySQL does, `\%` and `\_` kept), or
// nullopt when there is no LIKE.
std::optional<std::string> likePattern(const ast::Statement& s) {
  if (s.show.like == ast::kNone) return std::nullopt;
  return s.expr(s.show.like).value;
}

// SHOW [GLOBAL | SESSION | LOCAL] VARIABLES ...: whether GLOBAL; nullopt for any other
// statement. (The statement model has no kind for it: its first tokens tell.)
std::optional<bool> showVariables(const ast::Statement& s) {
  if (s.kind != ast::StatementKind::Show || s.show.kind != ast::ShowStatement::Kind::Other) {
    return std::nullopt;
  }
  std::vector<std::pair<uint32_t, uint32_t>> tokens;
  if (!parser::tokenBounds(s.text(s.span), tokens, {}) || tokens.size() < 2) return std::nullopt;
  std::string_view text = s.text(s.span);
  auto word = [&](size_t i) {
    return upperAscii(
        std::string(text.substr(tokens[i].first, tokens[i].second - tokens[i].first)));
  };
  bool global = word(1) == "GLOBAL";
  size_t at = global || word(1) == "SESSION" || word(1) == "LOCAL" ? 2 : 1;
  if (at >= tokens.size() || word(at) != "VARIABLES") return std::nullopt;
  return global;
}

// How the server describes a string column for this session: in character_set_results (its
// default collation, and its longest character for the length of `chars` characters), as MariaDB
// does; utf8mb4 when the session's character set is not one of these.
struct ResultCharset {
  uint16_t collation = protocol::kUtf8mb4GeneralCi;
  uint32_t maxBytes = 4;
};

ResultCharset resultCharset(const executor::SessionVariables& variables) {
  static const std::map<std::string, ResultCharset, std::less<>> kCharsets = {
      {"utf8mb4", {45, 4}}, {"utf8mb3", {33, 3}}, {"utf8", {33, 3}},   {"latin1", {8, 1}},
      {"ascii", {11, 1}},   {"binary", {63, 1}},  {"latin2", {9, 1}},  {"cp1250", {26, 1}},
      {"ucs2", {35, 2}},    {"utf16", {54, 4}},   {"utf32", {60, 4}},  {"gbk", {28, 2}},
      {"big5", {1, 2}},     {"sjis", {13, 2}},    {"euckr", {19, 2}},  {"cp1251", {51, 1}},
      {"koi8r", {7, 1}},    {"greek", {25, 1}},   {"hebrew", {16, 1}}, {"cp1256", {57, 1}},
  };
  auto it = variables.values.find("character_set_results");
  if (it == variables.values.end()) return {};
  auto found = kCharsets.find(router::lowerAscii(it->second));
  return found == kCharsets.end() ? ResultCharset{} : found->second;
}

// The words after SHOW of a SHOW the statement model has no kind for (TRIGGERS, FULL TRIGGERS,
// PROCEDURE STATUS ...), upper case; empty for other statements.
std::string showWords(const ast::Statement& s, size_t count) {
  if (s.kind != ast::StatementKind::Show || s.show.kind != ast::ShowStatement::Kind::Other) {
    return {};
  }
  std::vector<std::pair<uint32_t, uint32_t>> tokens;
  std::string_view text = s.text(s.span);
  if (!parser::tokenBounds(text, tokens, {}) || tokens.size() < 2) return {};
  std::string out;
  for (size_t i = 1; i < tokens.size() && i <= count; ++i) {
    if (!out.empty()) out += ' ';
    out +=
        upperAscii(std::string(text.substr(tokens[i].first, tokens[i].second - tokens[i].first)));
  }
  return out;
}

// SHOW [FULL] TRIGGERS [FROM db] [LIKE | WHERE].
bool showsTriggers(const ast::Statement& s) {
  std::string words = showWords(s, 2);
  return words == "TRIGGERS" || words.rfind("TRIGGERS ", 0) == 0 || words == "FULL TRIGGERS";
}

// What PREVIEW shows as routed: DML, and DDL naming tables.
bool routable(const ast::Statement& s) {
  return executor::isDml(s) || (s.kind == ast::StatementKind::Ddl && !s.ddl.tables.empty());
}

}  // namespace

void Admin::ok() { sink_.ok(protocol::OkPacket{0, 0, session_.statusFlags(), 0, {}}); }

awaitable<bool> Admin::handleText(std::string_view sql) {
  std::optional<DistSqlStatement> statement = parseDistSql(sql);
  if (!statement) co_return false;
  if (const auto* previewed = std::get_if<distsql::Preview>(&*statement)) {
    co_await preview(sql.substr(previewed->offset));
    co_return true;
  }
  if (std::optional<DistVariableStatement> variable = admin::distVariable(*statement)) {
    answerDistVariable(*variable);
    co_return true;
  }
  // DistSQL the grammar knows but the proxy does not answer yet (SHOW DIST VARIABLES LIKE, the
  // rule and resource queries): the MySQL path, as before the grammar knew them.
  co_return false;
}

awaitable<bool> Admin::handle(const ast::Statement& s) {
  if (binder::isShardingSphereSchema(session_.database)) {
    co_await shardingSphereStatement(s);
    co_return true;
  }
  if (binder::isInformationSchema(session_.database)) {
    co_await informationSchemaDatabaseStatement(s);
    co_return true;
  }
  co_return co_await handleStatement(s);
}

awaitable<void> Admin::shardingSphereStatement(const ast::Statement& s) {
  using Kind = ast::StatementKind;
  if (s.kind == Kind::Select) {
    if (std::string name = selectedSystemTable(s); !name.empty()) {
      const config::Topology& topology = session_.topology();
      const config::User& user = *session_.user;
      SystemTable table = systemTable(
          name, kVersion, *server_.systemTables.statistics(),
          [&](std::string_view db) { return topology.authority.mayAccess(user, std::string(db)); });
      auto result = co_await selectSystemTable(s, table);
      if (!result) {
        sink_.error(result.status());
        co_return;
      }
      uint16_t flags = session_.statusFlags();
      ResultCharset charset = resultCharset(session_.variables);
      sink_.columnCount(result->columns.size());
      for (protocol::ColumnDefinition& c : result->columns) {
        // VARCHAR(64) in the client's character set, as the server converts a table's column.
        if (c.collation != protocol::kBinaryCollation) {
          c.collation = charset.collation;
          c.length = 64 * charset.maxBytes;
        }
        sink_.column(protocol::refOf(c));
      }
      sink_.columnsEnd(flags);
      for (const merger::Row& row : result->rows) {
        sink_.beginRow();
        bool valid = true;
        for (const merger::Cell& cell : row) {
          if (cell.null) {
            sink_.null();
          } else {
            valid = sink_.value(cell.text) && valid;
          }
        }
        sink_.endRow(valid);
      }
      sink_.end(flags, 0);
      co_return;
    }
  }
  if (s.kind == Kind::Show && s.show.kind == ast::ShowStatement::Kind::Tables) {
    showSystemTables(s);
    co_return;
  }
  if ((s.kind == Kind::Show || s.kind == Kind::Explain) && s.show.table != ast::kNone) {
    sink_.error(Status(er::kNotSupportedYet, "42000",
                       "unsupported: SHOW and DESCRIBE of ShardingSphere's system tables; SELECT "
                       "them"));
    co_return;
  }
  if (s.kind == Kind::Select) {
    if (auto column = executor::selectDatabaseColumn(s)) {
      selectDatabase(*column);
      co_return;
    }
  }
  // Nothing of the schema (SELECT 1, SET ...): as in a session without a database.
  std::string database = std::exchange(session_.database, std::string());
  bool handled = co_await handleStatement(s);
  if (!handled) co_await engine_.passThrough(s.sql, &s);
  if (session_.database.empty()) session_.database = std::move(database);
}

void Admin::showSystemTables(const ast::Statement& s) {
  std::optional<std::string> like = likePattern(s);
  if (!s.show.filterSpan.empty() && !like) {
    sink_.error(Status(er::kNotSupportedYet, "42000",
                       "unsupported: SHOW TABLES ... WHERE in ShardingSphere's schema; use LIKE"));
    return;
  }
  std::string column = "Tables_in_" + std::string(binder::kShardingSphereSchema);
  std::vector<std::string> columns{like ? column + " (" + *like + ")" : column};
  if (s.show.full) columns.push_back("Table_type");
  std::vector<std::vector<std::string>> rows;
  for (const std::string& name : systemTableNames()) {
    if (like && !likeMatch(name, *like, true)) continue;
    if (s.show.full) {
      rows.push_back({name, "BASE TABLE"});
    } else {
      rows.push_back({name});
    }
  }
  executor::writeTextResult(sink_, columns, rows, session_.statusFlags());
}

awaitable<bool> Admin::handleStatement(const ast::Statement& s) {
  using Kind = ast::StatementKind;
  if ((s.kind == Kind::Show || s.kind == Kind::Explain) && s.show.table != ast::kNone) {
    if (const router::ShardingRule* rules = session_.activeRules()) {
      co_await showTableMetadata(s, *rules);
      co_return true;
    }
  }
  switch (s.kind) {
    case Kind::Show:
      if (s.show.kind == ast::ShowStatement::Kind::Databases) {
        if (s.show.filterSpan.empty() || s.show.like != ast::kNone) {
          showDatabases(s);
        } else {
          co_await showDatabasesWhere(s);
        }
        co_return true;
      }
      if (s.show.kind == ast::ShowStatement::Kind::Tables) {
        co_await showTables(s);
        co_return true;
      }
      if (std::string words = showWords(s, 2);
          words == "PROCEDURE STATUS" || words == "FUNCTION STATUS") {
        co_await showRoutineStatus(s, words == "PROCEDURE STATUS" ? "PROCEDURE" : "FUNCTION");
        co_return true;
      }
      if (s.show.kind == ast::ShowStatement::Kind::TableStatus || showsTriggers(s)) {
        // Logical tables only, with a sharded table's sizes summed over its actual tables.
        std::string logical = s.show.database.empty() ? session_.database : s.show.database.value;
        if (logical.empty() || session_.topology().findDatabase(logical)) {
          if (s.show.kind == ast::ShowStatement::Kind::TableStatus) {
            co_await showTableStatus(s);
          } else {
            co_await showTriggers(s);
          }
          co_return true;
        }
        break;
      }
      if (s.show.kind == ast::ShowStatement::Kind::Processlist) {
        showProcesslist(s.show.full);
        co_return true;
      }
      if (auto grants = grantsRequest(s, session_.variables.lexMode())) {
        showGrants(*grants);
        co_return true;
      }
      if (auto create = createDatabaseRequest(s, session_.variables.lexMode())) {
        if (co_await showCreateDatabase(*create)) co_return true;
        break;
      }
      if (std::optional<bool> global = showVariables(s)) {
        // The proxy's own variables show the proxy's values: the session's, or the props'.
        const config::Props& props = session_.topology().props;
        const auto& values = session_.variables.proxyValues;
        const std::string& version = session_.services().serverVersion;
        SessionStatusSink variables(
            sink_, [&props, &values, &version, global = *global](std::string_view name) {
              std::optional<std::string> out;
              if (name == "version" && !version.empty()) out = version;
              if (const executor::ProxyVariable* v = executor::proxyVariable(name)) {
                auto it = values.find(v->name);
                if (global) {
                  out = std::to_string(executor::proxyGlobalValue(props, v->name));
                } else if (it != values.end()) {
                  out = std::to_string(it->second);
                }
              }
              return out;
            });
        executor::Engine engine(session_, variables);
        co_await engine.passThrough(s.sql, &s);
        co_return true;
      }
      if (s.show.kind == ast::ShowStatement::Kind::Status && !s.show.global) {
        SessionStatusSink status(sink_, session_.tlsVersion, session_.tlsCipher);
        executor::Engine engine(session_, status);
        co_await engine.passThrough(s.sql, &s);
        co_return true;
      }
      break;
    case Kind::Select:
      if (auto column = executor::selectDatabaseColumn(s)) {
        selectDatabase(*column);
        co_return true;
      }
      break;
    case Kind::Kill:
      kill(s);
      co_return true;
    default:
      break;
  }
  co_return false;
}

awaitable<void> Admin::preview(std::string_view sql) {
  // PREVIEW shows data sources and actual tables: the physical layout is for admins only.
  if (!session_.user || !session_.user->admin) {
    sink_.error(Status(1227, "42000",
                       "Access denied; PREVIEW shows the physical layout and is for admin users "
                       "only"));
    co_return;
  }
  Result<ast::Statement> parsed = statements_.get(sql, session_.variables.lexMode());
  if (!parsed) {
    sink_.error(parsed.status());
    co_return;
  }
  const ast::Statement& s = parsed.value();
  // The previewed statement passes the same gate as when it runs.
  binder::Context context{session_.topology(), session_.services().rules, *session_.user,
                          session_.database};
  if (Result<binder::BoundStatement> bound = binder::bind(s, context); !bound) {
    sink_.error(bound.status());
    co_return;
  }
  const router::ShardingRule* rules = session_.activeRules();
  if (rules && routable(s)) {
    co_await engine_.executeRouted(s, *rules, true);
    co_return;
  }
  // Everything else goes as written to where the session sends unsharded statements.
  auto target = session_.route();
  if (!target) {
    sink_.error(target.status());
    co_return;
  }
  executor::writeTextResult(sink_, {"data_source_name", "actual_sql"},
                            {{target->dataSource->name, std::string(sql)}}, session_.statusFlags());
}

void Admin::answerDistVariable(const DistVariableStatement& s) {
  txn::Transaction& transaction = session_.transaction();
  if (s.set) {
    if (s.name != "transaction_type") {
      sink_.error(
          Status(er::kUnknownSystemVariable, "HY000", "Unknown system variable '" + s.name + "'"));
      return;
    }
    std::string value = upperAscii(s.value);
    if (value == "BASE") {
      sink_.error(Status(er::kNotSupportedYet, "42000",
                         "unsupported: transaction type BASE (LOCAL and XA are available)"));
      return;
    }
    if (value != "LOCAL" && value != "XA") {
      sink_.error(
          Status(er::kWrongValueForVar, "42000",
                 "Variable 'transaction_type' can't be set to the value of '" + s.value + "'"));
      return;
    }
    Status set =
        transaction.setType(value == "XA" ? txn::TransactionType::Xa : txn::TransactionType::Local,
                            (session_.statusFlags() & pstatus::kInTrans) != 0);
    if (!set) {
      sink_.error(set);
    } else {
      ok();
    }
    return;
  }
  std::vector<std::pair<std::string, std::string>> all = {
      {"transaction_type", transaction.type() == txn::TransactionType::Xa ? "XA" : "LOCAL"}};
  if (const txn::Coordinator* coordinator = session_.services().coordinator.get()) {
    const txn::RecoveryCounters& r = coordinator->counters();
    all.insert(all.end(), {
                              {"xa_recovery_runs", std::to_string(r.runs.load())},
                              {"xa_recovery_in_doubt", std::to_string(r.inDoubt.load())},
                              {"xa_recovery_committed", std::to_string(r.committed.load())},
                              {"xa_recovery_rolled_back", std::to_string(r.rolledBack.load())},
                              {"xa_recovery_unreachable", std::to_string(r.unreachable.load())},
                          });
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, value] : all) {
    if (!s.name.empty() && s.name != name) continue;
    rows.push_back(s.dist ? std::vector<std::string>{name, value}
                          : std::vector<std::string>{value});
  }
  if (rows.empty()) {
    sink_.error(
        Status(er::kUnknownSystemVariable, "HY000", "Unknown system variable '" + s.name + "'"));
    return;
  }
  if (s.dist) {
    executor::writeTextResult(sink_, {"variable_name", "variable_value"}, rows,
                              session_.statusFlags());
  } else {
    executor::writeTextResult(sink_, {s.name}, rows, session_.statusFlags());
  }
}

void Admin::showDatabases(const ast::Statement& s) {
  const config::Topology& topology = session_.topology();
  std::optional<std::string> like = likePattern(s);
  std::string header = "Database";
  if (like) header += " (" + *like + ")";
  uint16_t flags = session_.statusFlags();
  sink_.columnCount(1);
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
  sink_.column(c);
  sink_.columnsEnd(flags);
  // information_schema first, as MySQL lists it, then the logical databases the user may use.
  std::vector<std::string_view> names{"information_schema"};
  for (const auto& [name, db] : topology.databases) {
    if (topology.authority.mayAccess(*session_.user, name)) names.push_back(name);
  }
  for (std::string_view name : names) {
    if (like && !likeMatch(name, *like, true)) continue;
    sink_.beginRow();
    sink_.value(name);
    sink_.endRow();
  }
  sink_.end(flags, 0);
}

awaitable<void> Admin::showDatabasesWhere(const ast::Statement& s) {
  const config::Topology& topology = session_.topology();
  auto target = session_.route();
  if (!target) {
    sink_.error(target.status());
    co_return;
  }
  std::vector<std::vector<std::string>> rows{{"information_schema"}};
  for (const auto& [name, db] : topology.databases) {
    if (topology.authority.mayAccess(*session_.user, name)) rows.push_back({name});
  }
  // (Named, not braced, arguments: GCC 12 cannot pass braced lists of literals to a co_await.)
  std::vector<std::string> columns{std::string("Database")};
  co_await filterOnBackend(*target, columns, 1, rows, "SCHEMATA", s.text(s.show.filterSpan));
}

awaitable<void> Admin::filterOnBackend(const Target& target,
                                       const std::vector<std::string>& columns, size_t shown,
                                       const std::vector<std::vector<std::string>>& rows,
                                       std::string_view derivedName, std::string_view filter) {
  auto held = co_await engine_.acquireOrReport(target);
  if (!held) co_return;
  executor::ShardConnection& conn = *held->conn;
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
  // (A named, not braced, argument: GCC 12 copies temporaries in a co_await bitwise.)
  executor::Engine::RelayOptions options;
  co_await queryOn(*held, target, sql, options);
}

awaitable<void> Admin::queryOn(executor::HeldConnection& held, const Target& target,
                               const std::string& sql,
                               const executor::Engine::RelayOptions& options) {
  executor::ShardConnection& conn = *held.conn;
  session_.logSql(target.dataSource->name, sql);
  Status status = co_await conn.query(sql);
  bool stateChanged = false;
  if (!status) {
    sink_.error(status);
  } else {
    co_await engine_.relayResults(conn, target, options, false, stateChanged);
  }
  session_.finish(target, std::move(held), false);
}

void Admin::selectDatabase(const std::string& columnName) {
  uint16_t flags = session_.statusFlags();
  sink_.columnCount(1);
  protocol::ColumnDefinitionRef c;
  c.name = columnName;
  ResultCharset charset = resultCharset(session_.variables);
  c.collation = charset.collation;
  c.length = 64 * charset.maxBytes;
  c.type = protocol::ColumnType::kVarString;
  c.decimals = 39;  // "not a fixed number of decimals", as the server marks string functions
  sink_.column(c);
  sink_.columnsEnd(flags);
  sink_.beginRow();
  if (session_.database.empty()) {
    sink_.null();
  } else {
    sink_.value(session_.database);
  }
  sink_.endRow();
  sink_.end(flags, 0);
}

awaitable<void> Admin::showTables(const ast::Statement& s) {
  const config::Topology& topology = session_.topology();
  std::string logical = s.show.database.empty() ? session_.database : s.show.database.value;
  if (logical.empty()) {
    sink_.error(Status(er::kNoDb, "3D000", "No database selected"));
    co_return;
  }
  if (binder::isInformationSchema(logical)) {
    co_await showInformationSchemaTables(s);
    co_return;
  }
  if (!topology.authority.mayAccess(*session_.user, logical)) {
    sink_.error(databaseAccessDenied(session_.user->name, session_.user->host, logical));
    co_return;
  }
  const config::LogicalDatabase* db = topology.findDatabase(logical);
  if (!db) {
    sink_.error(unknownDatabase(logical));
    co_return;
  }
  if (const router::ShardingRule* rule = session_.rulesOf(logical)) {
    co_await showLogicalTables(s, *db, *rule);
    co_return;
  }
  Target target{db, db->defaultDataSource()};
  if (!target.dataSource) {
    sink_.error(makeError(er::kUnknownError, "database '" + logical + "' has no data source"));
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
  // The header names the database: Tables_in_<actual> becomes Tables_in_<logical>.
  std::optional<std::string> like = likePattern(s);
  std::string suffix = like ? " (" + *like + ")" : "";
  std::map<std::string, std::string> rename{
      {"Tables_in_" + target.dataSource->database + suffix, "Tables_in_" + logical + suffix}};
  executor::Engine::RelayOptions options;
  options.renameColumns = &rename;
  co_await engine_.queryAndRelay(target, sql, options);
}

awaitable<void> Admin::showLogicalTables(const ast::Statement& s, const config::LogicalDatabase& db,
                                         const router::ShardingRule& rule) {
  // Every data source's tables, each actual table of a sharded table shown once under its logic
  // name; broadcast and single tables as they are.
  std::map<std::string, std::string> tables;  // name -> Table_type
  for (const config::DataSource& ds : db.dataSources) {
    auto target = session_.targetFor(db, ds.name);
    if (!target) continue;
    auto listed = co_await engine_.fetch(*target, "SHOW FULL TABLES");
    if (!listed) {
      sink_.error(listed.status());
      co_return;
    }
    if (listed->columns.size() < 2) continue;
    for (const auto& row : listed->rows) {
      if (!row[0]) continue;
      std::string name = *row[0];
      std::string type = row[1].value_or("BASE TABLE");
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
  }
  // (A sharded table none of whose actual tables exists is not listed, as information_schema
  // does not list it: until CREATE TABLE, reading it gets 1146.)
  std::string column = "Tables_in_" + db.name;
  std::optional<std::string> like = likePattern(s);
  if (!s.show.filterSpan.empty() && !like) {
    // WHERE: the backend evaluates it over the logical names.
    auto target =
        session_.targetFor(db, db.defaultDataSource() ? db.defaultDataSource()->name : "");
    if (!target) {
      sink_.error(target.status());
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
  executor::writeTextResult(sink_, columns, rows, session_.statusFlags());
}

awaitable<void> Admin::showTableMetadata(const ast::Statement& s,
                                         const router::ShardingRule& rule) {
  const std::string& database = session_.database;
  const ast::TableRef& ref = s.tableRef(s.show.table);
  const std::string& schema = !s.show.database.empty() ? s.show.database.value : ref.schema.value;
  const config::LogicalDatabase* db = session_.topology().findDatabase(database);
  if (!db || (!schema.empty() && router::lowerAscii(schema) != router::lowerAscii(database))) {
    co_await engine_.passThrough(s.sql, &s);  // another schema's table: the backend's business
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
    std::shared_ptr<const router::TableLocations> locations =
        session_.services().tables.locations(database);
    auto it = locations->find(router::lowerAscii(ref.name.value));
    if (it != locations->end() && !it->second.empty()) {
      dataSource = it->second.front();
    } else if (const config::DataSource* fallback = db->defaultDataSource()) {
      dataSource = fallback->name;
    }
  }
  auto target = session_.targetFor(*db, dataSource);
  if (!target) {
    sink_.error(target.status());
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
  executor::Engine::ValueTransform restore = [&](unsigned column, std::string& value) {
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
      // A foreign key names the referenced table's actual table on the same data source.
      const std::string references = "REFERENCES `";
      for (size_t at = value.find(references); at != std::string::npos;
           at = value.find(references, at + 1)) {
        size_t begin = at + references.size();
        size_t end = value.find('`', begin);
        if (end == std::string::npos) break;
        if (const router::TableRule* t = rule.findByActualTable(value.substr(begin, end - begin))) {
          value.replace(begin, end - begin, t->logicTable);
        }
      }
    } else if (s.show.kind == ast::ShowStatement::Kind::Index &&
               s.kind == ast::StatementKind::Show) {
      if (column == 0) value = logic;
      if (column == 2) stripSuffix(value);
    }
  };
  executor::Engine::RelayOptions options;
  options.transform = &restore;
  // Errors name the actual table: say the logical one.
  options.errorText = [&](std::string message) {
    if (size_t at = message.find(actual); sharded && at != std::string::npos) {
      message.replace(at, actual.size(), logic);
    }
    return message;
  };
  co_await engine_.queryAndRelay(*target, sql, options);
}

awaitable<void> Admin::fieldList(std::string_view table, std::string_view wildcard) {
  if (binder::isShardingSphereSchema(session_.database)) {
    // The columns of a system table (the mariadb client lists them for its completion).
    if (!binder::isShardingSphereTable(table)) {
      sink_.error(Status(1146, "42S02",
                         "Table '" + std::string(binder::kShardingSphereSchema) + "." +
                             std::string(table) + "' doesn't exist"));
      co_return;
    }
    SystemTable t = systemTable(table, kVersion, {}, [](std::string_view) { return false; });
    for (const protocol::ColumnDefinition& c : t.columns) {
      if (!wildcard.empty() && !likeMatch(c.name, wildcard, true)) continue;
      protocol::ColumnDefinitionRef ref = protocol::refOf(c);
      ref.nullDefault = true;
      sink_.column(ref);
    }
    sink_.end(session_.statusFlags(), 0);
    co_return;
  }
  auto target = session_.route();
  if (!target) {
    sink_.error(target.status());
    co_return;
  }
  // A sharded database's logic table is listed from its first actual table; its actual tables
  // are not tables of the logical database.
  std::string listed(table);
  const router::ShardingRule* rules = session_.activeRules();
  if (rules) {
    if (const router::TableRule* t = rules->findTableRule(table); t && !t->dataNodes.empty()) {
      auto unitTarget = session_.targetFor(*target->database, t->dataNodes.front().dataSource);
      if (!unitTarget) {
        sink_.error(unitTarget.status());
        co_return;
      }
      target = std::move(unitTarget);
      listed = t->dataNodes.front().table;
    } else if (!rules->isBroadcast(table) && rules->findByActualTable(table)) {
      sink_.error(Status(
          1146, "42S02",
          "Table '" + target->database->name + "." + std::string(table) + "' doesn't exist"));
      co_return;
    }
  }
  auto held = co_await engine_.acquireOrReport(*target);
  if (!held) co_return;
  executor::ShardConnection& conn = *held->conn;
  Status s = co_await conn.listFields(listed, std::string(wildcard));
  if (s) {
    for (unsigned i = 0; i < conn.listedFieldCount(); ++i) {
      protocol::ColumnDefinitionRef c =
          executor::Engine::clientColumn(conn.listedField(i), *target);
      if (listed != table) {
        c.table = table;
        c.orgTable = table;
      }
      sink_.column(c);
    }
    sink_.end(session_.statusFlags(), 0);
  } else {
    sink_.error(executor::logicalError(s, *target->database, rules));
  }
  session_.finish(*target, std::move(*held), false);
}

std::vector<Admin::SessionLine> Admin::visibleSessions() const {
  const config::User& user = *session_.user;
  std::vector<SessionLine> lines;
  for (const auto& [id, entry] : server_.sessions.all()) {
    if (!user.admin && entry.user != user.name) continue;
    SessionLine& line = lines.emplace_back();
    line.id = id;
    line.user = entry.user;
    line.host = entry.host;
    if (entry.activity) line.activity = entry.activity->get();
    if (id == session_.connectionId()) line.activity.command = "Query";
  }
  return lines;
}

void Admin::showProcesslist(bool full) {
  // Logical databases only; nothing of the backends.
  auto now = std::chrono::steady_clock::now();
  std::vector<std::vector<std::optional<std::string>>> rows;
  for (SessionLine& line : visibleSessions()) {
    Activity::Snapshot& a = line.activity;
    if (line.id == session_.connectionId()) {
      a.info = full ? "SHOW FULL PROCESSLIST" : "SHOW PROCESSLIST";
    }
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - a.since).count();
    std::optional<std::string> info;
    if (!a.info.empty()) info = full ? a.info : a.info.substr(0, 100);
    rows.push_back({std::to_string(line.id), line.user, line.host,
                    a.database.empty() ? std::nullopt : std::optional<std::string>(a.database),
                    a.command, std::to_string(seconds),
                    std::string(a.info.empty() ? "" : "executing"), info, std::string("0.000")});
  }
  // The columns as MariaDB types them: Id BIGINT, Time INT, Progress DOUBLE(7,3), the rest
  // strings in the result character set (NOT NULL where it never is NULL); FULL's Info a LONGTEXT.
  struct Column {
    const char* name;
    protocol::ColumnType type;
    uint32_t length;
    uint16_t flags;
    uint8_t decimals;
  };
  namespace colflag = protocol::colflag;
  const uint16_t number = colflag::kNotNull | colflag::kBinary;
  const Column kColumns[] = {
      {"Id", protocol::ColumnType::kLongLong, 11, number, 0},
      {"User", protocol::ColumnType::kVarString, 128, colflag::kNotNull, 39},
      {"Host", protocol::ColumnType::kVarString, 64, colflag::kNotNull, 39},
      {"db", protocol::ColumnType::kVarString, 64, 0, 39},
      {"Command", protocol::ColumnType::kVarString, 16, colflag::kNotNull, 39},
      {"Time", protocol::ColumnType::kLong, 7, number, 0},
      {"State", protocol::ColumnType::kVarString, 30, 0, 39},
      {"Info", protocol::ColumnType::kVarString, 100, 0, 39},
      {"Progress", protocol::ColumnType::kDouble, 7, number, 3}};
  ResultCharset charset = resultCharset(session_.variables);
  uint16_t flags = session_.statusFlags();
  sink_.columnCount(std::size(kColumns));
  for (const Column& column : kColumns) {
    protocol::ColumnDefinitionRef c;
    c.name = column.name;
    c.type = column.type;
    c.flags = column.flags;
    c.decimals = column.decimals;
    if (full && std::string_view(column.name) == "Info") {
      // The whole statement: a LONGTEXT, as MariaDB sends it.
      c.type = protocol::ColumnType::kLongBlob;
      c.collation = charset.collation;
      c.length = 4294967295u;
    } else if (column.type == protocol::ColumnType::kVarString) {
      c.collation = charset.collation;
      c.length = column.length * charset.maxBytes;
    } else {
      c.collation = protocol::kBinaryCollation;
      c.length = column.length;
    }
    sink_.column(c);
  }
  sink_.columnsEnd(flags);
  for (const auto& row : rows) {
    sink_.beginRow();
    bool valid = true;
    for (const std::optional<std::string>& value : row) {
      if (value) {
        valid = sink_.value(*value) && valid;
      } else {
        sink_.null();
      }
    }
    sink_.endRow(valid);
  }
  sink_.end(flags, 0);
}

void Admin::kill(const ast::Statement& s) {
  // Ids are the proxy's connection ids (the greeting's, CONNECTION_ID()); a backend's thread
  // ids mean nothing to clients.
  const ast::Expr& e = s.expr(s.kill.target);
  const uint32_t self = session_.connectionId();
  uint64_t killId = 0;
  if (e.kind == ast::ExprKind::Literal && e.literalType == ast::LiteralType::Integer) {
    auto [end, ec] = std::from_chars(e.value.data(), e.value.data() + e.value.size(), killId);
    if (ec != std::errc() || end != e.value.data() + e.value.size()) killId = UINT64_MAX;
  } else if (e.kind == ast::ExprKind::Function && e.args.empty() &&
             strcasecmp(e.name.c_str(), "CONNECTION_ID") == 0) {
    killId = self;
  } else {
    sink_.error(Status(er::kNotSupportedYet, "42000",
                       "unsupported: KILL takes a connection id number or CONNECTION_ID()"));
    return;
  }
  bool killQuery = s.kill.query;
  if (killId == self) {
    if (killQuery) {
      ok();
    } else {
      session_.requestClose();  // the client sees its connection go, as with MySQL
    }
    return;
  }
  std::optional<SessionRegistry::Entry> target;
  // An id with another instance's worker bits belongs to another proxy (a client, or JDBC's
  // statement cancel, reached the wrong replica): unknown here, never one of ours.
  if (killId <= UINT32_MAX && workerIdOfConnection(killId) == server_.workerId) {
    target = server_.sessions.find(static_cast<uint32_t>(killId));
  }
  if (!target) {
    sink_.error(Status(er::kNoSuchThread, "HY000", "Unknown thread id: " + e.value));
    return;
  }
  const config::User& user = *session_.user;
  if (!user.admin && target->user != user.name) {
    sink_.error(
        Status(er::kKillDenied, "HY000", "You are not owner of thread " + std::to_string(killId)));
    return;
  }
  // The target lives on its own worker: it is looked up again there, where it cannot go away
  // while being told.
  uint32_t id = static_cast<uint32_t>(killId);
  bool connection = !killQuery;
  asio::post(target->executor,
             [&sessions = server_.sessions, id, connection, session = target->session] {
               auto again = sessions.find(id);
               if (again && again->session == session) again->kill(connection);
             });
  ok();
}

std::string Admin::statistics() const {
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                 server_.startedAt)
                    .count();
  uint64_t questions = server_.questions.load(std::memory_order_relaxed);
  double qps = uptime > 0 ? static_cast<double>(questions) / static_cast<double>(uptime) : 0.0;
  char text[256];
  std::snprintf(text, sizeof text,
                "Uptime: %lld  Threads: %d  Questions: %llu  Slow queries: 0  Opens: 0  "
                "Open tables: 0  Queries per second avg: %.3f",
                static_cast<long long>(uptime), server_.connections.load(),
                static_cast<unsigned long long>(questions), qps);
  return text;
}

}  // namespace shardproxy::admin
