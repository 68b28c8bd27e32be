// ShardingSphere's `shardingsphere` schema: its system tables as a client sees them
// (cluster_information, sharding_table_statistics), the statistics the collector keeps for
// them, and the SELECTs over them, which the proxy answers in process.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/asio.h"
#include "common/status.h"
#include "merger/row_stream.h"
#include "parser/ast.h"
#include "protocol/column_definition.h"

namespace shardproxy::admin {

// One row of sharding_table_statistics: an actual table of a sharded table, as ShardingSphere's
// collector describes it (`actualDatabase` is the data source's name, as there).
struct ShardingTableStatistics {
  uint32_t id = 0;
  std::string logicDatabase;
  std::string logicTable;
  std::string actualDatabase;
  std::string actualTable;
  uint64_t rowCount = 0;  // information_schema.TABLES.TABLE_ROWS
  uint64_t size = 0;      // information_schema.TABLES.DATA_LENGTH
};

// What the collector found last: written by it, read by any worker.
class SystemTableData {
 public:
  std::shared_ptr<const std::vector<ShardingTableStatistics>> statistics() const {
    std::lock_guard lock(mutex_);
    return statistics_;
  }
  void setStatistics(std::vector<ShardingTableStatistics> rows) {
    auto next = std::make_shared<const std::vector<ShardingTableStatistics>>(std::move(rows));
    std::lock_guard lock(mutex_);
    statistics_ = std::move(next);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const std::vector<ShardingTableStatistics>> statistics_ =
      std::make_shared<const std::vector<ShardingTableStatistics>>();
};

// A table of the schema: its columns as a client sees them (schema `shardingsphere`, the table's
// name) and its rows in the text form (a NULL cell is null).
struct SystemTable {
  std::string name;
  std::vector<protocol::ColumnDefinition> columns;
  std::vector<merger::Row> rows;
};

// The table named `name` (case-insensitive; the binder has checked it is one): cluster_information
// holds the proxy's version; sharding_table_statistics the rows of `statistics` whose logical
// database `visible` accepts (the user's).
SystemTable systemTable(std::string_view name, std::string_view version,
                        const std::vector<ShardingTableStatistics>& statistics,
                        const std::function<bool(std::string_view)>& visible);

// The names of the schema's tables, in the order SHOW TABLES lists them.
const std::vector<std::string>& systemTableNames();

// The table `s` (a SELECT) reads: the name in its one FROM item; empty when it reads none.
std::string selectedSystemTable(const parser::ast::Statement& s);

struct SystemResult {
  std::vector<protocol::ColumnDefinition> columns;
  std::vector<merger::Row> rows;
};

// A SELECT of one system table, evaluated over `table`'s rows: the select list of its columns,
// `*`, COUNT(*) or COUNT(column); WHERE of comparisons of a column with constants (=, <=>, <>,
// <, <=, >, >=, BETWEEN, IN, IS [NOT] NULL) under AND, OR and NOT, and [NOT] LIKE at the top
// level of AND; DISTINCT; ORDER BY columns, aliases or positions; LIMIT. Comparisons follow the
// columns' types and collations as the merger compares them. Anything else is refused with
// ER_NOT_SUPPORTED_YET (1235) "unsupported: ...", never answered wrongly; an unknown column is
// MySQL's 1054.
awaitable<Result<SystemResult>> selectSystemTable(const parser::ast::Statement& s,
                                                  const SystemTable& table);

}  // namespace shardproxy::admin
