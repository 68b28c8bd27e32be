// The router: which actual tables on which data sources a statement touches, as
// ShardingSphere-Proxy 5.x routes it for the same rules. Pure computation over the AST and the
// rules; the rewriter turns each route unit into SQL.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "metadata/table_catalog.h"
#include "metadata/table_schema.h"
#include "parser/ast.h"
#include "router/hint.h"
#include "router/sharding_rule.h"
#include "router/value.h"

namespace shardproxy::router {

// Where tables that no rule names live (metadata/table_catalog.h).
using TableLocations = metadata::TableLocations;

struct TableMapping {
  std::string logicTable;   // as the rules spell it
  std::string actualTable;  // on this unit's data source
};

struct RouteUnit {
  std::string dataSource;
  // Sharded tables of the statement -> their actual table in this unit. Broadcast and single
  // tables keep their names and are not listed.
  std::vector<TableMapping> tables;
  // INSERT: the value rows (indices into InsertStatement::rows, or 0 for the SET form) this unit
  // writes. Empty for other statements.
  std::vector<size_t> insertRows;

  // The actual table for `logicTable` (case-insensitive), or null when it is not mapped here.
  const std::string* actualTable(std::string_view logicTable) const;
};

// Keys the proxy generated for an INSERT that left the key column out.
struct GeneratedKeys {
  std::string column;         // as configured
  std::vector<Value> values;  // one per row, in row order
};

struct RouteResult {
  enum class Kind {
    Standard,   // sharded tables routed by their strategies (one or more units)
    Broadcast,  // every data source (writes and DDL on broadcast tables, ...)
    Unicast,    // any one data source: no tables, or only broadcast tables read
    Single,     // the one data source of single tables
    Forced,     // DATA_SOURCE_NAME hint
  };
  Kind kind = Kind::Unicast;
  std::vector<RouteUnit> units;
  std::optional<GeneratedKeys> generatedKeys;
  bool skipRewrite = false;  // SKIP_SQL_REWRITE hint: send the statement as written
  // UPDATE of a sharding column that `units` (one node) keeps in place: these nodes, which the
  // WHERE also reaches, must hold no row it matches (such a row would have to move); the
  // executor checks them first and refuses with 20041 (ER_SS_SHARDING_VALUE_UPDATED) otherwise.
  std::vector<RouteUnit> mustNotMatch;
};

struct RouteOptions {
  std::string database;             // the logical database: `db.t` names a table of the rules
  std::vector<Value> parameters;    // values of the `?` markers, by index
  std::string preferredDataSource;  // for a Unicast read: one the session already uses
  // The logical tables' columns: values compared with or stored into a sharding column are
  // converted for its type; INSERT without a column list takes the table's columns. Null: no
  // metadata (values as written).
  const metadata::DatabaseSchema* schema = nullptr;
  // proxy-normalize-sharding-strings: string values folded by the column's collation.
  bool normalizeStrings = false;
};

class Router {
 public:
  // `defaultDataSource`: where tables no rule or metadata knows go (!SINGLE defaultDataSource,
  // else the database's first data source).
  Router(const ShardingRule& rule, const TableLocations& locations, std::string defaultDataSource);

  // Statements the router takes: SELECT, INSERT, REPLACE, UPDATE, DELETE and DDL on tables
  // (other kinds are the session's). Errors are MySQL errors for the client (ER_NOT_SUPPORTED_YET
  // and ShardingSphere's sharding errors).
  Result<RouteResult> route(const parser::ast::Statement& s, const RouteOptions& options) const;

 private:
  const ShardingRule& rule_;
  const TableLocations& locations_;
  std::string defaultDataSource_;
};

// The DDL part of Router::route (router_ddl.cc).
Result<RouteResult> routeDdl(const ShardingRule& rule, const TableLocations& locations,
                             const std::string& defaultDataSource, const parser::ast::Statement& s,
                             const RouteOptions& options);

// Errors the router gives, with ShardingSphere's wording.
inline constexpr uint16_t kErNotSupportedYet = 1235;

}  // namespace shardproxy::router
