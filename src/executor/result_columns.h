// The result columns of a routed statement as one MySQL server holding the logical table would
// describe them: actual table names become logical ones, and units joined with UNION ALL (which
// the server describes as a derived result, without table, original name or key flags) get the
// logical table's columns from its metadata.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metadata/table_schema.h"
#include "parser/ast.h"
#include "protocol/column_definition.h"
#include "router/router.h"

namespace shardproxy::executor {

// MySQL's column flags for a plain column of a table (NOT_NULL, PRI_KEY, UNIQUE_KEY,
// MULTIPLE_KEY, PART_KEY, UNSIGNED, ZEROFILL, BLOB, BINARY, ENUM, SET, AUTO_INCREMENT,
// TIMESTAMP, NO_DEFAULT_VALUE, ON_UPDATE_NOW).
uint16_t columnFlags(const metadata::ColumnSchema& c, const metadata::TableSchema& table);

class ResultColumns {
 public:
  // `s` ran as `units` (their actual tables); `unionAll`: units were joined with UNION ALL.
  // `schema` may be null (no metadata: names are still mapped).
  ResultColumns(const parser::ast::Statement& s, const std::vector<router::RouteUnit>& units,
                std::string logicalDatabase, const metadata::DatabaseSchema* schema,
                bool unionAll);

  // Column `index` of the result, in logical terms (views into this object, the statement and
  // the metadata snapshot: valid while they are).
  void apply(unsigned index, protocol::ColumnDefinitionRef& c) const;

 private:
  struct Source {
    std::string_view label;  // the table's alias, or its name
    const metadata::TableSchema* table = nullptr;
    const metadata::ColumnSchema* column = nullptr;
    uint16_t flags = 0;
  };
  std::map<std::string_view, std::string_view> logicalNames_;  // actual table -> logic table
  std::string database_;
  std::vector<std::optional<Source>> sources_;  // by result column; empty unless unionAll
};

}  // namespace shardproxy::executor
