// Engine::prepare: how a statement to prepare is checked and described by a backend.
#include <strings.h>

#include <algorithm>

#include "common/log.h"
#include "executor/engine.h"
#include "executor/statement_facts.h"
#include "rewriter/rewriter.h"

namespace shardproxy::executor {

namespace ast = parser::ast;

namespace {

// One route unit in which every sharded table of `s` has an actual table, all on one data source
// where the rules allow it: the form a backend can prepare to describe `s`. Any actual table
// will do, since they all have the logical table's columns. Empty `dataSource` when `s` names no
// sharded table.
router::RouteUnit describeUnit(const ast::Statement& s, const router::ShardingRule& rules,
                               const std::string& database) {
  router::RouteUnit unit;
  for (const ast::TableRef& t : s.tableRefs) {
    if (t.kind != ast::TableRef::Kind::Table) continue;
    if (!t.schema.empty() && strcasecmp(t.schema.value.c_str(), database.c_str()) != 0) continue;
    const router::TableRule* rule = rules.findTableRule(t.name.value);
    if (!rule || rule->dataNodes.empty() || unit.actualTable(rule->logicTable)) continue;
    const router::DataNode* node = &rule->dataNodes.front();
    if (unit.dataSource.empty()) {
      unit.dataSource = node->dataSource;
    } else {
      for (const router::DataNode& n : rule->dataNodes) {
        if (n.dataSource == unit.dataSource) {
          node = &n;
          break;
        }
      }
    }
    unit.tables.push_back({rule->logicTable, node->table});
  }
  return unit;
}

}  // namespace

awaitable<Result<std::optional<Engine::Prepared>>> Engine::prepare(const ast::Statement* parsed,
                                                                   std::string_view sql) {
  const std::string& database = session_.database;
  // A SHOW naming a database (SHOW TABLES FROM db, SHOW TABLE STATUS IN db) names a logical
  // one, which no backend knows; the proxy answers it at execution and describes it then.
  if (parsed && parsed->kind == ast::StatementKind::Show &&
      std::any_of(parsed->objects.begin(), parsed->objects.end(), [](const ast::ObjectName& o) {
        return o.kind == ast::ObjectName::Kind::Database;
      })) {
    co_return std::nullopt;
  }
  // Where and in which form a backend describes it: statements on sharded tables as one route
  // unit would run them, everything else as written where the session's statements go.
  std::string form(sql);
  std::optional<Target> target;
  router::RouteUnit unit;
  const router::ShardingRule* rules = session_.activeRules();
  if (parsed && rules) {
    const config::LogicalDatabase* db = session_.topology().findDatabase(database);
    if (!db) co_return unknownDatabase(database);
    if (isDml(*parsed)) {
      unit = describeUnit(*parsed, *rules, database);
      router::RouteResult route;
      if (unit.dataSource.empty()) {
        // No sharded table: single and broadcast tables route without the parameters.
        const config::DataSource* fallback = db->defaultDataSource();
        std::shared_ptr<const router::TableLocations> locations =
            session_.services().tables.locations(database);
        router::Router router(*rules, *locations, fallback ? fallback->name : std::string());
        router::RouteOptions options;
        options.database = database;
        auto routed = router.route(*parsed, options);
        if (!routed) co_return routed.status();
        if (routed->units.empty()) co_return makeError(er::kUnknownError, "statement has no route");
        unit = routed->units.front();
      }
      route.kind = router::RouteResult::Kind::Standard;
      route.units = {unit};
      rewriter::RewriteOptions options;
      options.database = database;
      auto units = rewriter::rewrite(*parsed, route, options, nullptr);
      if (!units) co_return units.status();
      form = units->front().sql;
      auto t = session_.targetFor(*db, unit.dataSource);
      if (!t) co_return t.status();
      target = *t;
    } else if (parsed->kind == ast::StatementKind::Ddl || parsed->show.table != ast::kNone) {
      co_return std::nullopt;
    }
  }
  if (!target) {
    auto t = session_.route();
    if (!t) co_return t.status();
    target = *t;
  }

  auto held = co_await session_.acquire(*target);
  if (!held) co_return held.status();
  session_.logSql(target->dataSource->name, "PREPARE " + form);
  auto described = co_await held->conn->describe(form);
  session_.finish(*target, std::move(*held), false);
  if (!described) co_return described.status();
  // SHOW GRANTS, which the proxy answers with its own user's grants: the backend's description
  // names the data source account; the result set at execution describes itself.
  if (parsed && parsed->kind == ast::StatementKind::Show && described->columns.size() == 1 &&
      described->columns[0].name.rfind("Grants for ", 0) == 0) {
    co_return std::nullopt;
  }
  Prepared out;
  out.params = described->params;
  out.columns = std::move(described->columns);
  for (protocol::ColumnDefinition& c : out.columns) {
    // Clients see the logical database and tables, as in result sets.
    if (!c.schema.empty() && c.schema == target->dataSource->database) {
      c.schema = target->database->name;
    }
    for (const router::TableMapping& m : unit.tables) {
      if (c.table == m.actualTable) c.table = m.logicTable;
      if (c.orgTable == m.actualTable) c.orgTable = m.logicTable;
    }
  }
  co_return std::optional<Prepared>(std::move(out));
}

}  // namespace shardproxy::executor
