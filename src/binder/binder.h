// The gate: every statement is bound to the logical model before anything reaches a backend.
//
// bind() resolves every database and table name the statement writes (Statement::objects, found
// by one walk over the whole parse tree, so statement forms the AST does not model are covered
// too) against the logical databases of the topology and the user's authority, and refuses what
// acts on a server rather than on a logical database. Physical database names are never
// resolvable: a name that is not a logical database the user may use gets MySQL's access-denied
// error (1044 / 1142 / 1370) when the user may not use it, and MySQL's does-not-exist error
// (1049 / 1146 / 1305) with the name as written otherwise. The result says where the statement
// runs and which names the executor swaps for physical ones; nothing downstream reads names from
// the text again.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "config/topology.h"
#include "parser/ast.h"
#include "router/sharding_rule.h"

namespace shardproxy::binder {

struct Context {
  const config::Topology& topology;
  const router::RuleSet& rules;
  const config::User& user;
  std::string_view database;  // the session's database; empty when none
  // LOAD DATA LOCAL INFILE may run: the client announced CLIENT_LOCAL_FILES and the props allow
  // it (proxy-local-infile). Otherwise it is refused with 1148, as by MySQL.
  bool localInfile = false;
};

// Text put in place of a part of the statement before it runs: in a database without rules
// (pass-through) a logical database qualifier becomes the physical database; without the FILE
// privilege a LOAD_FILE() call becomes NULL. The caller applies them and parses the result.
struct Replacement {
  parser::ast::Span span;
  std::string text;
};

struct BoundStatement {
  // The logical database the statement runs in: the one its names qualify, else the session's.
  // Empty when it names no database and the session has none (SELECT 1).
  std::string database;
  // Names of information_schema, mysql, performance_schema or sys (admins only): the statement
  // reads a backend's own tables, so it runs as written.
  bool systemSchema = false;
  // A SELECT of ShardingSphere's system tables (`shardingsphere.cluster_information`, ...): the
  // proxy answers it itself. `database` is then "shardingsphere".
  bool shardingSphereSchema = false;
  // It reads information_schema tables that the proxy answers with logical databases and tables
  // (isLogicalInformationSchemaTable): admin/ evaluates it over the proxy's own rows.
  bool logicalInformationSchema = false;
  // In text order, not overlapping; empty for most statements.
  std::vector<Replacement> replacements;
};

Result<BoundStatement> bind(const parser::ast::Statement& s, const Context& context);

// `s.sql` with the replacements made.
std::string applyReplacements(const parser::ast::Statement& s,
                              const std::vector<Replacement>& replacements);

// The schemas a MySQL server has of its own (compared case-insensitively).
bool isSystemSchema(std::string_view name);
bool isInformationSchema(std::string_view name);

// information_schema tables that describe databases and what they hold (SCHEMATA, TABLES,
// COLUMNS, STATISTICS, ...) or the server's connections (PROCESSLIST): the proxy answers them
// with logical databases and tables and its own sessions, for every user.
bool isLogicalInformationSchemaTable(std::string_view name);
// information_schema tables about the server alone (ENGINES, CHARACTER_SETS, COLLATIONS,
// KEYWORDS, ...): read from a backend as they are, by every user. Any other information_schema
// table (INNODB_TRX, the status and privilege tables ...) shows a backend's inside: admins only.
bool isServerInformationSchemaTable(std::string_view name);

// ShardingSphere's own schema, `shardingsphere`, whose tables the proxy holds (admin/
// system_tables.h): any user may read them (a user sees only the rows of the logical databases
// they may use), nobody may change them.
inline constexpr std::string_view kShardingSphereSchema = "shardingsphere";
bool isShardingSphereSchema(std::string_view name);
// `name` is one of its tables (compared case-insensitively).
bool isShardingSphereTable(std::string_view name);

}  // namespace shardproxy::binder
