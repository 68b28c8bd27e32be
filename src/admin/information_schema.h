// information_schema as a client of one MySQL server sees it: logical databases and tables only.
//
// The proxy answers a SELECT over the tables binder::isLogicalInformationSchemaTable names
// (SCHEMATA, TABLES, COLUMNS, STATISTICS, ...) itself: it reads each table's rows from the data
// sources of the databases the user may use, maps them to logical names (an actual table of a
// sharded table becomes its logical table, shown once, with sizes and row counts summed over its
// actual tables; index and constraint names lose the actual table's suffix), and puts them in
// place of each reference as a derived table of literal rows, typed as the real table's columns.
// A backend then evaluates the client's statement as written over those rows, so WHERE, joins,
// GROUP BY, ORDER BY, LIMIT and functions behave exactly as on MySQL. This file holds the pure
// part (which references, the mapping, the derived table's text); admin_information_schema.cc
// does the I/O.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "config/topology.h"
#include "parser/ast.h"
#include "protocol/column_definition.h"
#include "router/sharding_rule.h"

namespace shardproxy::admin {

// One reference to a logical information_schema table in a statement.
struct InformationSchemaRef {
  parser::ast::Span span;  // `[information_schema.]name` as written
  std::string table;       // upper case: "TABLES"
  std::string alias;       // as written; empty when none
  // The logical databases whose rows can matter: those named by `<schema column> = 'x'` or
  // `IN ('x', ...)` among the top-level AND conditions of the WHERE of the query block that
  // reads it (DATABASE() counts as the session's). nullopt: every database the user may use.
  std::optional<std::set<std::string>> databases;
};

// The logical information_schema tables `s` reads (`database` is the session's: unqualified
// names are information_schema's while it is information_schema), in text order.
std::vector<InformationSchemaRef> informationSchemaRefs(const parser::ast::Statement& s,
                                                        std::string_view database);

// Rows as a backend returns them (text form; nullopt is NULL), with the columns' definitions.
struct CatalogRows {
  std::vector<protocol::ColumnDefinition> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

// The column of information_schema table `table` that names the database its rows belong to
// (TABLE_SCHEMA, SCHEMA_NAME, ROUTINE_SCHEMA ...); empty for PROCESSLIST and the privilege tables,
// whose rows the proxy makes itself.
std::string_view databaseColumn(std::string_view table);

// Builds one logical information_schema table from the rows of each data source.
class LogicalCatalog {
 public:
  explicit LogicalCatalog(std::string table) : table_(std::move(table)) {}

  // The rows data source `dataSource` of logical database `db` returned for its own database
  // (`WHERE <databaseColumn> = '<its database>'`), `rules` the database's sharding rule (null
  // when it has none). Call in the order of `db.dataSources`, database by database.
  void add(const config::LogicalDatabase& db, const router::ShardingRule* rules,
           const config::DataSource& dataSource, const CatalogRows& rows);
  // Rows kept as they are (information_schema's own line in SCHEMATA).
  void addVerbatim(const CatalogRows& rows);

  // The logical rows, the columns as the first rows given had them.
  CatalogRows take();

 private:
  std::string table_;
  CatalogRows out_;
  // (logical database, object) -> the data source whose rows stand for it.
  std::map<std::pair<std::string, std::string>, std::string> owner_;
  // (logical database, logical table, partition) -> the row the actual tables are summed into.
  std::map<std::tuple<std::string, std::string, std::string>, size_t> summed_;
};

// `(SELECT * FROM information_schema.T WHERE 0 UNION ALL VALUES (...), ...)`: `rows` as a
// derived table with exactly the real table's columns and types (numbers stay numbers, dates
// dates). The rows' columns must be the real table's, in its order.
std::string derivedTable(std::string_view table, const CatalogRows& rows, bool noBackslashEscapes);

}  // namespace shardproxy::admin
