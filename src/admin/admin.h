// What the proxy answers itself rather than a backend: ShardingSphere's DistSQL (PREVIEW,
// [SHOW|SET] DIST VARIABLE), the logical view of databases and tables (SHOW DATABASES, SHOW
// TABLES, SELECT DATABASE(), SHOW COLUMNS / INDEX / CREATE TABLE and DESCRIBE of a sharded
// database's tables, COM_FIELD_LIST), the client connection's own SHOW STATUS variables, KILL
// with the proxy's connection ids, COM_STATISTICS, and ShardingSphere's system tables
// (`shardingsphere.cluster_information`, `shardingsphere.sharding_table_statistics`).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "admin/distsql.h"
#include "admin/information_schema.h"
#include "admin/session_registry.h"
#include "admin/show_account.h"
#include "binder/binder.h"
#include "common/asio.h"
#include "executor/engine.h"
#include "executor/result_sink.h"
#include "executor/shard_session.h"
#include "parser/ast.h"
#include "parser/statement_cache.h"

namespace shardproxy::admin {

class Admin {
 public:
  Admin(executor::ShardSession& session, executor::ResultSink& sink, ServerState& server,
        parser::StatementCache& statements)
      : session_(session),
        sink_(sink),
        engine_(session, sink),
        server_(server),
        statements_(statements) {}

  // DistSQL, parsed by its own grammar before the MySQL parser runs: true when `sql` was one and
  // is answered.
  awaitable<bool> handleText(std::string_view sql);
  // Parsed statements the proxy answers itself: true when `s` was one and is answered.
  awaitable<bool> handle(const parser::ast::Statement& s);
  awaitable<void> fieldList(std::string_view table, std::string_view wildcard);
  // A statement reading information_schema tables the proxy answers with logical names
  // (binder::BoundStatement::logicalInformationSchema): true when answered (SELECT), false for
  // what goes on as written (SHOW / DESCRIBE of their structure).
  awaitable<bool> informationSchema(const parser::ast::Statement& s);
  // COM_STATISTICS' text.
  std::string statistics() const;

 private:
  awaitable<bool> handleStatement(const parser::ast::Statement& s);
  // A statement while the session's database is ShardingSphere's `shardingsphere` (USE, or the
  // schema named in the statement): SELECT and SHOW TABLES of its tables answered from what the
  // proxy holds, anything else as without a database.
  awaitable<void> shardingSphereStatement(const parser::ast::Statement& s);
  void showSystemTables(const parser::ast::Statement& s);
  awaitable<void> preview(std::string_view sql);
  void answerDistVariable(const DistVariableStatement& s);
  void showDatabases(const parser::ast::Statement& s);
  void showProcesslist(bool full);
  // The proxy's sessions a user sees, as MySQL shows its threads: everyone's to an admin
  // (MySQL's PROCESS privilege), one's own to others; this session's own command is "Query".
  struct SessionLine {
    uint32_t id = 0;
    std::string user;
    std::string host;
    Activity::Snapshot activity;
  };
  std::vector<SessionLine> visibleSessions() const;
  // show_account.cc: SHOW GRANTS; SHOW CREATE DATABASE of a logical database (false for any
  // other database, which the backend answers).
  void showGrants(const GrantsRequest& request);
  awaitable<bool> showCreateDatabase(const CreateDatabaseRequest& request);
  awaitable<void> showDatabasesWhere(const parser::ast::Statement& s);
  awaitable<void> showTables(const parser::ast::Statement& s);
  // SHOW [FULL] TABLES of a sharded database: logical tables, never actual ones.
  awaitable<void> showLogicalTables(const parser::ast::Statement& s,
                                    const config::LogicalDatabase& db,
                                    const router::ShardingRule& rule);
  // SHOW COLUMNS / INDEX / CREATE TABLE and DESCRIBE of a logical table: answered from one of
  // its actual tables, with the logical names restored.
  awaitable<void> showTableMetadata(const parser::ast::Statement& s,
                                    const router::ShardingRule& rule);
  // SHOW ... WHERE over rows the proxy made: a backend evaluates `filter` on them as a derived
  // table `derivedName` with `columns`, of which the first `shown` are returned.
  awaitable<void> filterOnBackend(const executor::Target& target,
                                  const std::vector<std::string>& columns, size_t shown,
                                  const std::vector<std::vector<std::string>>& rows,
                                  std::string_view derivedName, std::string_view filter);
  // Runs `sql` (made by the proxy) on `held`, a connection for `target`, relays its result and
  // gives the connection back (`held` is left empty).
  awaitable<void> queryOn(executor::HeldConnection& held, const executor::Target& target,
                          const std::string& sql, const executor::Engine::RelayOptions& options);
  void selectDatabase(const std::string& columnName);
  // information_schema (admin_information_schema.cc): where the rows are evaluated, one
  // table's logical rows, and the rows the proxy makes itself.
  Result<executor::Target> evaluator() const;
  // DATABASE(), USER(), CONNECTION_ID() ... in `s`, which a backend evaluates over the logical
  // information_schema, as the session's (executor::sessionFunctionSplices), in text order.
  std::vector<binder::Replacement> sessionFunctions(const parser::ast::Statement& s,
                                                    bool noBackslashEscapes) const;
  // A SHOW that MySQL defines over an information_schema table: `selectList` of the table's
  // columns for the SHOW's database, `likeColumn` what LIKE matches, the SHOW's WHERE over the
  // result's names.
  awaitable<void> showOverInformationSchema(const parser::ast::Statement& s,
                                            const std::string& table, std::string_view selectList,
                                            std::string_view likeColumn, std::string_view orderBy,
                                            std::string_view rowFilter = {});
  awaitable<void> showTableStatus(const parser::ast::Statement& s);
  awaitable<void> showTriggers(const parser::ast::Statement& s);
  // SHOW PROCEDURE | FUNCTION STATUS: the routines of every database the user may use.
  awaitable<void> showRoutineStatus(const parser::ast::Statement& s, std::string_view type);
  // SHOW [FULL] TABLES of information_schema (FROM it, or while in it).
  awaitable<void> showInformationSchemaTables(const parser::ast::Statement& s);
  // A statement while the session's database is information_schema.
  awaitable<void> informationSchemaDatabaseStatement(const parser::ast::Statement& s);
  awaitable<Result<CatalogRows>> logicalRows(const std::string& table,
                                             const std::optional<std::set<std::string>>& databases,
                                             const executor::Target& evaluator);
  std::vector<std::vector<std::optional<std::string>>> processlistRows(
      const std::vector<protocol::ColumnDefinition>& columns) const;
  std::vector<std::vector<std::optional<std::string>>> privilegeRows(
      const std::string& table, const std::vector<protocol::ColumnDefinition>& columns) const;
  void kill(const parser::ast::Statement& s);
  void ok();

  executor::ShardSession& session_;
  executor::ResultSink& sink_;
  executor::Engine engine_;
  ServerState& server_;
  parser::StatementCache& statements_;
};

}  // namespace shardproxy::admin
