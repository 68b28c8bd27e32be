// Session, statements on sharded databases: routed by the rules, rewritten per route unit, run
// on the units' data sources; and PREVIEW, which shows the units without running them.
#include "common/log.h"
#include "frontend/authenticator.h"
#include "frontend/session.h"
#include "frontend/statement_facts.h"
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

// Tables no rule names: found on the data sources at start-up in a later step; until then they
// live on the default data source.
const router::TableLocations kNoLocations;

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
    return makeError(er::kUnknownError, "data source '" + dataSource + "' of database '" +
                                            db.name + "' cannot be reached");
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
  router::Router router(rule, kNoLocations, fallback ? fallback->name : std::string());
  router::RouteOptions options;
  options.database = database_;
  auto route = router.route(s, options);
  if (!route) {
    writeError(route.status());
    co_return;
  }
  rewriter::RewriteOptions rewriteOptions;
  rewriteOptions.database = database_;
  auto units = rewriter::rewrite(s, *route, rewriteOptions);
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
  if (units->size() == 1) {
    auto target = targetFor(*db, units->front().dataSource);
    if (!target) {
      writeError(target.status());
      co_return;
    }
    insertIdOverride_ = generatedId;
    co_await runOn(*target, units->front().sql, &s);
    insertIdOverride_.reset();
    co_return;
  }
  if (!isWrite(s)) {
    writeError(Status(er::kNotSupportedYet, "42000",
                      "unsupported: a SELECT routed to " + std::to_string(units->size()) +
                          " shards (merging results of several shards is not available yet)"));
    co_return;
  }
  // A write on several units: each runs in turn; the client gets one OK with the sums. Without
  // a transaction each unit commits on its own, as with ShardingSphere's LOCAL transactions.
  uint64_t affected = 0;
  uint32_t warnings = 0;
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
    running_ = Running{db->name, target->dataSource, conn.threadId()};
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
        affected += ok.affectedRows;
        warnings += ok.warnings;
      }
      if (!conn.moreResults()) break;
      st = co_await conn.nextResult();
    }
    running_.reset();
    finish(*target, std::move(*held), leavesConnectionState(s));
    if (!st) {
      writeError(st);
      co_return;
    }
  }
  writeOk(protocol::OkPacket{affected, generatedId.value_or(0), statusFlags(),
                             static_cast<uint16_t>(std::min<uint32_t>(warnings, 0xffff)), {}});
}

awaitable<void> Session::preview(std::string_view sql) {
  Result<ast::Statement> parsed = worker_.statements().get(sql);
  if (!parsed) {
    writeError(parsed.status());
    co_return;
  }
  const ast::Statement& s = parsed.value();
  const router::ShardingRule* rules = activeRules();
  bool routed = rules && (s.kind == ast::StatementKind::Select ||
                          s.kind == ast::StatementKind::Insert ||
                          s.kind == ast::StatementKind::Replace ||
                          s.kind == ast::StatementKind::Update ||
                          s.kind == ast::StatementKind::Delete);
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
  writeTextResult({"data_source_name", "actual_sql"}, {{target->dataSource->name, std::string(sql)}});
}

void Session::writeTextResult(const std::vector<std::string>& columns,
                              const std::vector<std::vector<std::string>>& rows) {
  protocol::encodeColumnCount(io_.begin(), columns.size());
  io_.end();
  for (const std::string& name : columns) {
    protocol::ColumnDefinitionRef c;
    c.name = name;
    c.orgName = name;
    c.collation = protocol::kUtf8mb4GeneralCi;
    c.length = 4 * 1024;
    c.type = protocol::ColumnType::kVarString;
    protocol::encodeColumnDefinition(io_.begin(), c);
    io_.end();
  }
  if (!(capabilities_ & cap::kDeprecateEof)) {
    protocol::encodeEof(io_.begin(), protocol::EofPacket{0, statusFlags()});
    io_.end();
  }
  for (const auto& row : rows) {
    std::string& out = io_.begin();
    for (const std::string& value : row) protocol::appendTextValue(out, value);
    io_.end();
  }
  writeEnd(statusFlags(), 0);
}

}  // namespace shardproxy::frontend
