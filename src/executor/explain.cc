#include "executor/explain.h"

#include <memory>
#include <string>
#include <vector>

#include "executor/engine.h"
#include "executor/logical_names.h"
#include "executor/statement_facts.h"
#include "merger/merge_spec.h"
#include "parser/table_statement.h"
#include "protocol/constants.h"
#include "rewriter/rewriter.h"
#include "router/router.h"

namespace shardproxy::executor {

namespace ast = parser::ast;

awaitable<bool> Explain::execute(const ast::Statement& s) {
  const router::ShardingRule* rule = session_.activeRules();
  if (!rule) co_return false;
  parser::LexMode mode = session_.variables.lexMode();
  std::optional<parser::ExplainShape> shape = parser::explainShape(s, mode);
  if (!shape) co_return false;
  const std::string& database = session_.database;
  const config::LogicalDatabase* db = session_.topology().findDatabase(database);
  if (!db) co_return false;
  // The explained statement on its own, routed and rewritten as it would run.
  auto inner = ast::parseAst(
      std::string_view(s.sql).substr(shape->statement, s.span.end - shape->statement), mode);
  if (!inner) {
    sink_.error(inner.status());
    co_return true;
  }
  if (!isDml(*inner)) co_return false;
  const config::DataSource* fallback = db->defaultDataSource();
  std::shared_ptr<const router::TableLocations> locations =
      session_.services().tables.locations(database);
  router::Router router(*rule, *locations, fallback ? fallback->name : std::string());
  router::RouteOptions options;
  options.database = database;
  std::shared_ptr<const metadata::DatabaseSchema> schema =
      session_.services().schemas.database(database);
  options.schema = schema.get();
  options.normalizeStrings = session_.topology().props.proxyNormalizeShardingStrings;
  if (auto held = session_.heldDataSource(database)) options.preferredDataSource = *held;
  auto route = router.route(*inner, options);
  if (!route) {
    sink_.error(route.status());
    co_return true;
  }
  rewriter::RewriteOptions rewriteOptions;
  rewriteOptions.database = database;
  rewriteOptions.noBackslashEscapes = mode.noBackslashEscapes();
  SessionIdentity identity = session_.identity();
  identity.database = database;
  rewriteOptions.extra =
      sessionFunctionSplices(*inner, identity, rewriteOptions.noBackslashEscapes);
  // (With the merge's needs, as it would run: units of one data source may be one statement.)
  merger::MergeSpec merge;
  auto units = rewriter::rewrite(*inner, *route, rewriteOptions, &merge);
  if (!units) {
    sink_.error(units.status());
    co_return true;
  }
  const std::string prefix =
      std::string(s.text(shape->keyword)) + std::string(s.text(shape->options));
  std::vector<protocol::ColumnDefinition> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  for (const rewriter::SqlUnit& unit : *units) {
    auto target = session_.targetFor(*db, unit.dataSource);
    if (!target) {
      sink_.error(target.status());
      co_return true;
    }
    auto plan = co_await engine_.fetch(*target, prefix + unit.sql);
    if (!plan) {
      sink_.error(logicalError(plan.status(), *db, rule));
      co_return true;
    }
    if (columns.empty()) columns = plan->columns;
    if (plan->columns.size() != columns.size()) {
      sink_.error(Status(er::kUnknownError, "HY000",
                         "data sources answered EXPLAIN with different columns"));
      co_return true;
    }
    for (auto& row : plan->rows) {
      for (std::optional<std::string>& value : row) {
        if (value) *value = logicalText(*value, *db, rule);
      }
      rows.push_back(std::move(row));
    }
  }
  const uint16_t status = session_.statusFlags();
  sink_.columnCount(columns.size());
  for (protocol::ColumnDefinition& c : columns) {
    c.schema.clear();
    sink_.column(protocol::refOf(c));
  }
  sink_.columnsEnd(status);
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
  sink_.end(status, 0);
  co_return true;
}

}  // namespace shardproxy::executor
