// The `/* SHARDINGSPHERE_HINT: ... */` comment: forced routes and hint sharding values.
//   t_order.SHARDING_DATABASE_VALUE=1, t_order.SHARDING_TABLE_VALUE=2 (or without the table
//   prefix: for every table), DATA_SOURCE_NAME=ds_0, WRITE_ROUTE_ONLY=true,
//   SKIP_SQL_REWRITE=true, DISABLE_AUDIT_NAMES=a,b, SHADOW=true
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "router/value.h"

namespace shardproxy::router {

struct Hint {
  std::string dataSourceName;
  bool writeRouteOnly = false;
  bool skipSqlRewrite = false;
  std::vector<std::string> disableAuditNames;
  // Lower-case logic table ("" for every table) -> values.
  std::map<std::string, std::vector<Value>> databaseValues;
  std::map<std::string, std::vector<Value>> tableValues;

  bool empty() const;
  // Values for `table` (lower case): its own, else the ones for every table.
  const std::vector<Value>* databaseValuesFor(const std::string& table) const;
  const std::vector<Value>* tableValuesFor(const std::string& table) const;
};

// Parses the text after `SHARDINGSPHERE_HINT:` (ast::Statement::hint). Unknown keys are
// ignored, as ShardingSphere does; values are numbers when they read as numbers, else strings
// (quotes removed).
Result<Hint> parseHint(std::string_view text);

}  // namespace shardproxy::router
